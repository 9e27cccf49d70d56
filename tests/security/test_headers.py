"""Security headers on every kind of response, and the login lockout (django-axes).

HSTS is only sent on secure requests (Django's SecurityMiddleware), so every request here is
made with `secure=True`; tests/settings.py sets SECURE_HSTS_SECONDS.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Bad logins (axes) and bad invite tries are counted per address: start clean."""
    from axes.utils import reset

    from questionnaires.assessments.services.invite_limits import invite_bad_tries_reset

    reset()
    invite_bad_tries_reset(address="127.0.0.1")
    yield
    reset()
    invite_bad_tries_reset(address="127.0.0.1")


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def assert_security_headers(response, *, html: bool) -> None:
    where = f"{response.request['PATH_INFO']} ({response.status_code})"
    hsts = response.get("Strict-Transport-Security", "")
    assert f"max-age={settings.SECURE_HSTS_SECONDS}" in hsts, f"HSTS missing on {where}: {hsts!r}"
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy"), f"Referrer-Policy missing on {where}"
    csp = response.get("Content-Security-Policy", "")
    assert csp, f"Content-Security-Policy missing on {where}"
    directives = _directives(csp)
    script_src = directives.get("script-src", directives.get("default-src", []))
    assert "'unsafe-inline'" not in script_src, f"'unsafe-inline' in script-src on {where}: {csp}"
    if html:
        assert any(re.fullmatch(r"'nonce-[A-Za-z0-9+/=_-]+'", s) for s in script_src), (
            f"script-src without a nonce on {where}: {csp}")
        nonce = next(s for s in script_src if s.startswith("'nonce-"))[7:-1]
        body = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert f'nonce="{nonce}"' in tag, f"script tag without the nonce on {where}: {tag}"


def assert_inline_scripts_carry_the_nonce(response) -> None:
    where = f"{response.request['PATH_INFO']} ({response.status_code})"
    body = response.content.decode(errors="replace")
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", body) if "src=" not in tag]
    if not inline:
        return
    directives = _directives(response.get("Content-Security-Policy", ""))
    script_src = directives.get("script-src", directives.get("default-src", []))
    nonces = [s[7:-1] for s in script_src if s.startswith("'nonce-")]
    assert nonces, f"inline scripts but no nonce in script-src on {where}"
    for tag in inline:
        assert f'nonce="{nonces[0]}"' in tag, f"inline script without the nonce on {where}: {tag}"


def test_healthz_carries_security_headers(client):
    response = client.get("/healthz", secure=True)
    assert response.status_code == 200
    assert_security_headers(response, html=False)


def test_login_page_carries_security_headers_and_script_nonce(client):
    response = client.get("/login/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response, html=True)


def test_workspace_page_carries_security_headers_and_script_nonce(client, buyer):
    client.force_login(buyer.user)
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response, html=True)


def test_api_call_carries_security_headers(buyer):
    from tests.support.actors import api_client_for

    response = api_client_for(buyer).get("/api/v1/vendors/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response, html=False)


def test_api_error_carries_security_headers(anonymous_api):
    response = anonymous_api.get("/api/v1/vendors/", secure=True)
    assert response.status_code in (401, 403)
    assert_security_headers(response, html=False)


def test_portal_confirm_and_home_pages_carry_security_headers(client, buyer, vendor):
    import json

    from questionnaires.assessments.services.lifecycle import assessment_issue
    from questionnaires.authoring.importers.native import load_native
    from questionnaires.authoring.services.templates import template_create
    from tests.support.factories import due_in
    from tests.support.portal import SMALL_SPEC

    template = template_create(spec=load_native(json.dumps(SMALL_SPEC)),
                               organization=buyer.organization, source_format="native")
    _, issued = assessment_issue(organization=buyer.organization, vendor=vendor,
                                 template=template, due_date=due_in(14),
                                 respondents=[("vera@labelworks.test", "Vera")], by=buyer.user)
    token = issued[0].token
    confirm = client.get(f"/invite/{token}", secure=True)
    assert confirm.status_code == 200
    assert_security_headers(confirm, html=True)
    exchange = client.post(f"/invite/{token}", secure=True)
    assert exchange.status_code == 302
    assert_security_headers(exchange, html=False)
    home = client.get("/portal/", secure=True)
    assert home.status_code in (200, 302)
    assert_security_headers(home, html=False)
    section = client.get("/portal/section/basics/", secure=True)
    assert section.status_code == 200
    assert_security_headers(section, html=True)


def test_not_found_page_carries_security_headers(client):
    response = client.get("/no-such-page-here/", secure=True)
    assert response.status_code == 404
    assert_security_headers(response, html=False)


def test_sixth_bad_login_locks_the_username_out_even_with_the_right_password(client, buyer):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for attempt in range(limit):
        response = client.post("/login/", {"username": "alice", "password": f"wrong-{attempt}"},
                               secure=True)
        # The 5th failure is the one that trips the lock, so it may already answer 429.
        expected = (200,) if attempt < limit - 1 else (200, 403, 429)
        assert response.status_code in expected, f"bad login {attempt + 1}: {response.status_code}"
        assert "_auth_user_id" not in client.session
    locked = client.post("/login/", {"username": "alice", "password": "correct horse battery"},
                         secure=True)
    assert locked.status_code in (403, 429), locked.status_code
    assert "_auth_user_id" not in client.session
    assert_security_headers(locked, html=False)
    # Still refused on the next try: the lockout holds for the cool-off window.
    again = client.post("/login/", {"username": "alice", "password": "correct horse battery"},
                        secure=True)
    assert again.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in_before_the_limit(client, buyer):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "alice", "password": f"wrong-{attempt}"}, secure=True)
    response = client.post("/login/", {"username": "alice", "password": "correct horse battery"},
                           secure=True)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(buyer.user.pk)


def test_every_route_answers_every_role_with_the_security_headers():
    """Generated from the URL resolver like the tenancy matrix, so a route added tomorrow is
    covered: every route, filled with organisation A's own objects, as each role, by GET
    and by a write, over HTTPS. Whatever the answer (a page, JSON, a download, a redirect,
    a 4xx), it carries HSTS, nosniff, a Referrer-Policy and a CSP without 'unsafe-inline';
    an HTML page also carries a script nonce on every <script> tag."""
    from tests.security.matrix import (
        NON_OBJECT_PARAMS,
        PUBLIC_ALLOW_LIST,
        ROLES,
        SESSION_ENDING,
        build_path,
        clients,
        discover_routes,
        seed_world,
    )

    a, _ = seed_world()
    pages, apis = clients(a, raise_errors=False)
    routes = sorted(discover_routes(), key=lambda r: r.route in SESSION_ENDING)
    checked, statuses, failures = 0, set(), []
    for route in routes:
        values = {p: str(a.objects[k].pk) for p, k in route.object_params.items()}
        values.update({p: NON_OBJECT_PARAMS[p] for p in route.params if p in NON_OBJECT_PARAMS})
        if set(values) != set(route.params):
            assert route.route in PUBLIC_ALLOW_LIST, route.route
            continue  # a token-credential route; the portal test above covers its headers
        path = build_path(route, values)
        for role in ROLES:
            client = (apis if route.is_api else pages)[role]
            for method in ("GET", "POST"):
                kwargs = {"secure": True}
                if method == "POST":
                    kwargs.update(data="{}", content_type="application/json")
                response = getattr(client, method.lower())(path, **kwargs)
                if response.streaming:
                    b"".join(response.streaming_content)
                try:
                    assert_security_headers(response, html=False)
                    if response.get("Content-Type", "").startswith("text/html"):
                        assert_inline_scripts_carry_the_nonce(response)
                except AssertionError as error:
                    failures.append(f"{role} {method} {path}: {error}")
                checked += 1
                statuses.add(response.status_code // 100)
    assert not failures, "\n".join(failures[:20])
    # Not vacuous: many responses, and of every family (success, redirect, client error).
    assert checked >= 500 and {2, 3, 4} <= statuses, (checked, statuses)
