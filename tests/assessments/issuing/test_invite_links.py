"""Invitation links: opening, exchanging for a session, and the same answer for every bad link."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
from django.utils import timezone

from questionnaires.assessments.models import Invitation
from questionnaires.assessments.services.access import SESSION_KEY
from questionnaires.assessments.services.invite_limits import invite_bad_tries_reset
from questionnaires.assessments.services.lifecycle import invitation_reissue
from questionnaires.audit.models import AuditEvent
from tests.support.portal import invite_client, open_portal

pytestmark = pytest.mark.django_db
UNKNOWN = "Zx" * 21 + "Q"  # the shape of a real token, matching nothing


def snapshot(invitation: Invitation) -> tuple:
    invitation.refresh_from_db()
    return invitation.last_used_at, invitation.revoked_at, invitation.reminders_sent


def test_get_shows_a_confirm_page_and_changes_nothing(client, issued):
    before = snapshot(issued.invitation)
    events = AuditEvent.objects.count()
    response = client.get(issued.url_path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Open the questionnaire" in page and 'method="post"' in page
    assert "Acme Labs" in page and "LabelWorks" in page
    assert SESSION_KEY not in client.session
    assert snapshot(issued.invitation) == before and AuditEvent.objects.count() == events
    # A scanner may follow it any number of times: it still works afterwards.
    client.get(issued.url_path)
    assert client.post(issued.url_path).status_code == 302


def test_posting_the_link_opens_a_session_for_that_invitation_and_rotates_the_key(client, issued):
    client.get(issued.url_path)
    key_before = client.session.session_key
    response = client.post(issued.url_path)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert issued.token not in response["Location"]
    assert client.session[SESSION_KEY] == str(issued.invitation.pk)
    assert client.session.session_key != key_before
    issued.invitation.refresh_from_db()
    assert issued.invitation.last_used_at is not None
    assert client.get("/portal/", follow=True).status_code == 200


def test_unknown_expired_revoked_and_cancelled_links_all_look_the_same(client, buyer, vendor,
                                                                       template, issued):
    from tests.support.portal import issue

    expired = issue(organization=buyer.organization, vendor=vendor, template=template,
                    email="old@labelworks.test")
    Invitation.objects.filter(pk=expired.invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    revoked = issue(organization=buyer.organization, vendor=vendor, template=template,
                    email="rev@labelworks.test")
    invitation_reissue(assessment=revoked.assessment)
    cancelled = issue(organization=buyer.organization, vendor=vendor, template=template,
                      email="can@labelworks.test")
    from questionnaires.assessments.services.lifecycle import assessment_cancel

    assessment_cancel(assessment=cancelled.assessment)
    pages, apis = set(), set()
    for token in (UNKNOWN, expired.token, revoked.token, cancelled.token):
        invite_bad_tries_reset(address="127.0.0.1")  # twelve bad tries here; the limit is tested below
        for method in (client.get, client.post):
            response = method(f"/invite/{token}")
            pages.add((response.status_code, _main(response.content.decode())))
        api = invite_client(token).get("/api/v1/respond/")
        apis.add((api.status_code, api.content))
    assert len(pages) == 1 and next(iter(pages))[0] == 404
    assert len(apis) == 1 and next(iter(apis))[0] == 401
    assert SESSION_KEY not in client.session


def _main(page: str) -> str:
    # The page minus the per-response CSRF token and nonce.
    return page[page.index("<main"):page.index("</main>")]


def test_the_eleventh_bad_token_in_the_window_gets_429_on_the_link_and_the_api(client, issued):
    for attempt in range(10):
        assert client.get(f"/invite/{UNKNOWN}{attempt}").status_code == 404
    assert client.get(f"/invite/{UNKNOWN}x").status_code == 429
    api = invite_client(UNKNOWN).get("/api/v1/respond/")
    assert api.status_code == 429 and api.has_header("Retry-After")


def test_a_valid_token_passes_after_ten_bad_tries_from_the_same_address(client, issued):
    """Behind the TLS proxy every vendor shares one address: bad tries from it must not
    lock out the vendors whose links are good."""
    for attempt in range(10):
        assert client.get(f"/invite/{UNKNOWN}{attempt}").status_code == 404
    assert client.get(f"/invite/{UNKNOWN}x").status_code == 429
    assert client.get(issued.url_path).status_code == 200
    assert client.post(issued.url_path).status_code == 302
    assert invite_client(issued.token).get("/api/v1/respond/").status_code == 200
    assert client.get(f"/invite/{UNKNOWN}y").status_code == 429  # still blocked for bad ones


def test_the_limit_counts_bad_api_tokens_too(issued):
    for _ in range(10):
        assert invite_client(UNKNOWN).get("/api/v1/respond/").status_code == 401
    assert invite_client(UNKNOWN).get("/api/v1/respond/").status_code == 429


def test_good_tokens_do_not_count_against_the_limit(client, issued):
    for _ in range(15):
        assert client.get(issued.url_path).status_code == 200
        assert invite_client(issued.token).get("/api/v1/respond/").status_code == 200
    for attempt in range(10):
        assert client.get(f"/invite/{UNKNOWN}{attempt}").status_code == 404
    assert client.get(f"/invite/{UNKNOWN}z").status_code == 429


def test_the_limit_is_per_address(client, issued):
    for attempt in range(11):
        client.get(f"/invite/{UNKNOWN}{attempt}")
    assert client.get(issued.url_path, REMOTE_ADDR="192.0.2.7").status_code == 200
    invite_bad_tries_reset(address="192.0.2.7")


def test_a_revoked_link_ends_the_portal_session_opened_with_it(client, issued):
    open_portal(client, issued.token)
    assert client.get("/portal/review/").status_code == 200
    invitation_reissue(assessment=issued.assessment)
    response = client.get("/portal/review/")
    assert response.status_code == 403
    assert "Open your invitation link" in response.content.decode()


def test_portal_pages_carry_no_referrer_and_are_not_cached(client, issued):
    response = client.get(issued.url_path)
    # At most the origin, never the path that holds the token (and not no-referrer, which
    # makes Chromium send "Origin: null" and fail CSRF: see test_browser.py).
    assert response["Referrer-Policy"] == "strict-origin"
    assert '<meta name="referrer" content="strict-origin">' in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_the_token_never_reaches_the_log_output(client, issued):
    handlers = [h for h in logging.getLogger().handlers
                if any(type(f).__name__ == "RedactInviteTokens" for f in h.filters)]
    assert handlers, "the configured console handler with the redacting filter"
    handler = handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.get(f"/invite/{UNKNOWN}")  # Django logs "Not Found: /invite/<token>"
        logging.getLogger("django.request").warning("Opened %s", f"/invite/{issued.token}")
    finally:
        handler.setStream(previous)
    output = stream.getvalue()
    assert "/invite/[redacted]" in output
    assert UNKNOWN not in output and issued.token not in output


def test_a_malformed_invite_header_is_refused_without_a_500(anonymous_api):
    for header in ("Invite", "Invite a b", "Invite \u00e9t\u00e9"):
        anonymous_api.credentials(HTTP_AUTHORIZATION=header)
        assert anonymous_api.get("/api/v1/respond/").status_code == 401
