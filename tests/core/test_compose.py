"""docker-compose.yml is valid and every service can start (no Docker engine runs here)."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.paths import ROOT

COMPOSE = ROOT / "docker-compose.yml"


def load():
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_validates_against_the_compose_specification():
    tool = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    result = subprocess.run([tool, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_full_stack_has_every_service_with_health_checks():
    services = load()["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name


def test_every_dependency_names_a_service_that_exists():
    services = load()["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on missing {dependency}"


def test_every_service_has_an_image_or_a_build_that_exists():
    for name, service in load()["services"].items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            assert (ROOT / service["build"] / "Dockerfile").is_file(), name


def test_every_service_command_exists_in_the_project():
    """The commands name modules and files this repository really has."""
    for name, service in load()["services"].items():
        command = service.get("command") or []
        if "gunicorn" in command:
            modules = [arg for arg in command if arg.endswith(".wsgi")]
            modules += [arg.removeprefix("python:") for arg in command if arg.startswith("python:")]
            assert modules, name
            for module in modules:
                assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), name
        if "celery" in command:
            app = command[command.index("-A") + 1]
            assert (ROOT / app / "celery.py").is_file(), name
            for queue in command[command.index("-Q") + 1].split(",") if "-Q" in command else []:
                assert queue in {"celery", "reports"}, f"{name}: unknown queue {queue}"
        if "manage.py" in command:
            assert (ROOT / "manage.py").is_file()
    requirements = (ROOT / "requirements.txt").read_text().lower()
    for package in ("gunicorn", "celery[redis]"):
        assert package in requirements
