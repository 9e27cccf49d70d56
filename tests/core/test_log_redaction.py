"""Invitation tokens never reach a log line: Django's loggers nor gunicorn's access log."""

import logging
from types import SimpleNamespace

from diligence.gunicorn import RedactingLogger
from questionnaires.core.logging import RedactInviteTokens, redact

TOKEN = "Zk3pQ9xY2aB7cD1eF5gH8iJ0kL4mN6oP_-qRsTuVwX"


def test_redact_hides_a_token_in_a_path_and_in_an_invite_header():
    assert TOKEN not in redact(f"GET /invite/{TOKEN} HTTP/1.1")
    assert TOKEN not in redact(f"Authorization: Invite {TOKEN}")
    assert redact("GET /portal/ HTTP/1.1") == "GET /portal/ HTTP/1.1"


def test_the_django_log_filter_rewrites_the_record():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1,
                               '"%s" 200', (f"GET /invite/{TOKEN} HTTP/1.1",), None)
    RedactInviteTokens().filter(record)
    assert TOKEN not in record.getMessage() and "/invite/[redacted]" in record.getMessage()


def test_the_gunicorn_access_log_atoms_are_redacted():
    class Config(SimpleNamespace):
        def __getattr__(self, name):
            return None

    logger = RedactingLogger.__new__(RedactingLogger)
    logger.cfg = Config(logger_class=RedactingLogger)
    request = SimpleNamespace(method="GET", path=f"/invite/{TOKEN}", query="",
                              uri=f"/invite/{TOKEN}", version=(1, 1), headers=[])
    response = SimpleNamespace(status="200 OK", headers=[], sent=10,
                               response_length=10)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/invite/{TOKEN}",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    import datetime

    atoms = logger.atoms(response, request, environ, datetime.timedelta(seconds=0.01))
    assert all(TOKEN not in str(value) for value in atoms.values())
    assert "/invite/[redacted]" in atoms["r"]


def test_redact_hides_a_choose_a_password_link():
    line = "GET /welcome/Mg/cn4k2a-0f1e2d3c4b5a69788796a5b4c3d2e1f0/ HTTP/1.1"
    assert redact(line) == "GET /welcome/[redacted] HTTP/1.1"
