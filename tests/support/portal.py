"""Issuing and the vendor portal: a small native questionnaire, issuing it, and clients that
hold an invitation (API header or portal session). Files to upload: tests/support/files.py."""

from __future__ import annotations

from tests.support import builders
from tests.support.builders import RESPONDENT as VENDOR_EMAIL
from tests.support.builders import Issued

spec_template = builders.template_from

SMALL_SPEC = {
    "format": "diligence/v1",
    "key": "portal-small",
    "name": "Portal test questionnaire",
    "sections": [
        {"key": "basics", "title": "Basics", "questions": [
            {"key": "company", "text": "Legal name of your company", "kind": "short_text",
             "required": True},
            {"key": "headcount", "text": "How many annotators work for you?", "kind": "number",
             "required": True, "min": 0, "max": 100000},
            {"key": "founded", "text": "When was the company founded?", "kind": "date"},
            {"key": "has_investors", "text": "Do outside investors hold equity in you?",
             "kind": "yes_no", "required": True},
            {"key": "investor_names", "text": "Name every investor above 5%",
             "kind": "long_text", "required": True, "show_if": 'has_investors == "yes"'},
        ]},
        {"key": "security", "title": "Security", "questions": [
            {"key": "certs", "text": "Which certifications do you hold?", "kind": "multi_choice",
             "options": [{"key": "soc2", "label": "SOC 2 Type II", "score": 1.0},
                         {"key": "iso27001", "label": "ISO/IEC 27001", "score": 1.0},
                         {"key": "no_cert", "label": "None", "score": 0.0}]},
            {"key": "soc2_report", "text": "Upload your latest SOC 2 report", "kind": "file",
             "show_if": "soc2"},
            {"key": "policy", "text": "Do you have a written data-segregation policy?",
             "kind": "yes_no", "evidence": "optional"},
            {"key": "hosting", "text": "Where is customer data hosted?", "kind": "single_choice",
             "options": [{"key": "eu", "label": "EU", "score": 1.0},
                         {"key": "us", "label": "US", "score": 0.5}]},
        ]},
    ],
}


def issue(*, organization, vendor, template, by=None, email: str = VENDOR_EMAIL,
          days: int = 14) -> Issued:
    return builders.issue(organization=organization, vendor=vendor, template=template, by=by,
                          email=email, due_in_days=days)


def invite_client(token: str):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Invite {token}")
    return client


def open_portal(client, token: str):
    """A Django test client whose session holds the invitation (the POST exchange)."""
    response = client.post(f"/invite/{token}")
    assert response.status_code == 302, response.status_code
    return client
