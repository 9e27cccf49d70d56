"""Mail written to a console or a log carries no invitation token and no choose-a-password
link, and production never defaults to such a backend."""

from __future__ import annotations

import io

import pytest
from django.core import mail

from questionnaires.core.tasks import send_email
from tests.core.test_settings import start_django

TOKEN = "Zk3pQ9xY2aB7cD1eF5gH8iJ0kL4mN6oP_-qRsTuVwX"
BACKEND = "questionnaires.core.mail.RedactingConsoleBackend"


@pytest.fixture
def written(monkeypatch):
    """Send through the real send_email task into the redacting console backend; returns
    what it wrote."""
    stream = io.StringIO()
    connection = mail.get_connection(BACKEND, stream=stream)
    monkeypatch.setattr("django.core.mail.get_connection", lambda *a, **k: connection)

    def send(recipients, template, context) -> str:
        send_email.run(recipients, template, context)
        return stream.getvalue()
    return send


def test_the_invitation_email_is_written_without_its_token(written):
    url = f"http://127.0.0.1:8123/invite/{TOKEN}"
    text = written(["jesus@annotada.example"], "emails/invitation", {
        "name": "Jesús Núñez", "buyer": "Acme Labs", "questionnaire": "Rapid re-check",
        "url": url, "due_date": "2030-06-10"})
    assert TOKEN not in text
    assert "http://127.0.0.1:8123/invite/[redacted]" in text
    assert "Jesús Núñez" in text  # the rest of the message is intact


@pytest.mark.django_db
def test_the_choose_a_password_link_is_written_redacted(written, buyer):
    from questionnaires.core.members import password_set_url

    url = password_set_url(buyer.user)
    text = written(["nina@acme.test"], "emails/workspace_member_invited", {
        "organization": "Acme Labs", "role": "reviewer", "url": url, "username": "nina"})
    secret = url.split("/welcome/", 1)[1]
    assert secret.strip("/") and secret not in text and secret.split("/")[1] not in text
    assert "/welcome/[redacted]" in text


def test_a_long_line_that_mime_would_encode_is_still_redacted():
    # Past 998 characters Django encodes the body as quoted-printable, which would split
    # the link over lines if it were redacted after encoding.
    url = f"http://127.0.0.1:8123/invite/{TOKEN}"
    stream = io.StringIO()
    message = mail.EmailMultiAlternatives("s", "x" * 1200 + " " + url, to=["a@example.com"])
    message.attach_alternative(f'<a href="{url}">open</a>', "text/html")
    mail.get_connection(BACKEND, stream=stream).send_messages([message])
    text = stream.getvalue().replace("=\n", "")
    assert TOKEN not in text and TOKEN[:20] not in text


def test_production_defaults_to_smtp_and_debug_to_the_redacting_console():
    show = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    production = start_django(DEBUG="false", EMAIL_BACKEND=None, code=show)
    assert production.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
    debug = start_django(DEBUG="true", EMAIL_BACKEND=None, code=show)
    assert debug.stdout.strip() == BACKEND
    chosen = start_django(DEBUG="false", EMAIL_BACKEND=BACKEND, code=show)
    assert chosen.stdout.strip() == BACKEND
