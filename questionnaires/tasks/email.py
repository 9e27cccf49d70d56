"""Sending email from templates/emails/."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


# ignore_result: nothing reads it, and with Redis down storing it would hang the caller.
@shared_task(autoretry_for=(OSError,), retry_backoff=5, max_retries=5, ignore_result=True)
def send_email(recipients: list[str], template: str, context: dict) -> int:
    subject = render_to_string(f"{template}_subject.txt", context).strip().replace("\n", " ")
    body = render_to_string(f"{template}_body.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
