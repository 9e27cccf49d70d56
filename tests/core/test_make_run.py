"""`make run`: links follow the address served, and it installs only what serving needs.

`make -n` prints the commands without running them (no recipe here names $(MAKE), which
make would run even then)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def make_dry_run(*args: str, **env_overrides: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "MAKEFLAGS")}
    env.update(env_overrides)
    env = {k: v for k, v in env.items() if v is not None}
    result = subprocess.run(["make", "-n", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_passes_a_site_url_on_the_port_it_serves():
    commands = make_dry_run("run", "PORT=8123")
    assert "SITE_URL=http://127.0.0.1:8123 " in commands
    assert "PORT=8123" in commands and "--bind" not in commands  # bin/run-local.sh binds


def test_make_run_keeps_a_site_url_that_is_set():
    commands = make_dry_run("run", "PORT=8123", SITE_URL="https://diligence.example.com")
    assert "SITE_URL=https://diligence.example.com " in commands
    assert "8123 " not in commands.split("SITE_URL=")[1].split()[0]


def test_a_host_of_every_interface_links_to_loopback():
    commands = make_dry_run("run", "HOST=0.0.0.0", "PORT=8124")
    assert "SITE_URL=http://127.0.0.1:8124 " in commands and "HOST=0.0.0.0" in commands


@pytest.mark.parametrize("target, dev", [("run", False), ("test", True), ("lint", True)])
def test_make_run_installs_the_runtime_requirements_and_the_test_targets_add_the_tools(
        tmp_path, target, dev):
    commands = make_dry_run(target, f"VENV={tmp_path / 'venv'}")
    assert "-r requirements.txt" in commands
    assert ("-r requirements-dev.txt" in commands) is dev

