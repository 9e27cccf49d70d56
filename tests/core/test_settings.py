"""Settings fail fast and name the variable that is wrong."""

import os
import subprocess
import sys

import pytest

from tests.support.paths import ROOT


def start_django(code: str = "", **env_overrides) -> subprocess.CompletedProcess:
    """Start Django with the real settings and this environment; run `code` after setup."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update({"SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "diligence.settings"})
    env.update(env_overrides)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run([sys.executable, "-c", f"import django; django.setup()\n{code}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("variable, value", [
    ("DATABASE_URL", "nonsense"),
    ("DATABASE_URL", "mysql://root@localhost/x"),
    ("REDIS_URL", "http://localhost:6379"),
    ("DEBUG", "maybe"),
    ("EMAIL_PORT", "twenty-five"),
    ("SITE_URL", "example.com"),
])
def test_a_bad_setting_fails_start_up_naming_the_variable(variable, value):
    result = start_django(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}:" in result.stderr


@pytest.mark.parametrize("value", ["10.0.0.0/33", "proxy.internal", "10.0.0.1,nonsense"])
def test_a_bad_trusted_proxies_value_fails_start_up_naming_the_variable(value):
    result = start_django(TRUSTED_PROXIES=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "TRUSTED_PROXIES:" in result.stderr


def test_trusted_proxies_are_read_as_networks():
    result = start_django(TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.1,::1",
                          code="from django.conf import settings; "
                               "print([str(n) for n in settings.TRUSTED_PROXIES])")
    assert result.stdout.strip() == "['10.0.0.0/8', '192.0.2.1/32', '::1/128']", result.stderr


def test_secret_key_is_required_unless_debug():
    refused = start_django(SECRET_KEY=None, DEBUG="false")
    assert refused.returncode != 0 and "SECRET_KEY: required" in refused.stderr
    assert start_django(SECRET_KEY=None, DEBUG="true").returncode == 0


def test_good_settings_start():
    result = start_django(DATABASE_URL="sqlite:////tmp/diligence-settings-test.sqlite3")
    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "SECURE_COOKIES", "SECURE_HSTS_SECONDS")}
    env.update({"SECRET_KEY": "k" * 64 + "production-like-secret", "DEBUG": "false",
                "DJANGO_SETTINGS_MODULE": "diligence.settings", "SECURE_SSL_REDIRECT": "true",
                "ALLOWED_HOSTS": "diligence.example.com",
                "SITE_URL": "https://diligence.example.com",
                "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                             "--fail-level", "WARNING"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
