"""Test settings: the real settings, with test defaults for what the environment leaves out.

PostgreSQL and Redis are used when they answer on their usual local ports (make test starts
them when installed); conftest.py fails the run under CI=true when either is missing.
"""

import os
import socket
import tempfile


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "3600")
if "DATABASE_URL" not in os.environ and _answers(5432):
    os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/diligence"
if "REDIS_URL" not in os.environ and _answers(6379):
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/15"
if "DILIGENCE_VAR_DIR" not in os.environ:
    os.environ["DILIGENCE_VAR_DIR"] = tempfile.mkdtemp(prefix="diligence-test-")

from diligence.settings import *  # noqa: E402,F403

# Hashing passwords slowly protects production, not tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite's tests build exactly the templates they need (and some assert an empty
# library); tests/core/test_library_on_migrate.py turns the load on to check it.
LIBRARY_LOAD_ON_MIGRATE = False
