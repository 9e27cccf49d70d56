"""The invitation limit's idea of the caller's address: X-Forwarded-For counts only when the
peer is one of TRUSTED_PROXIES, and then its right-most untrusted hop is the client. The
count is shared by every process through the cache."""

from __future__ import annotations

import os
import subprocess
import sys
from ipaddress import ip_network
from pathlib import Path

import pytest

from questionnaires.assessments.services.invite_limits import (
    client_address,
    invite_bad_tries_reset,
    invite_is_blocked,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
UNKNOWN = "Zx" * 21 + "Q"
PROXY = "10.0.0.2"
ADDRESSES = ("127.0.0.1", PROXY, "198.51.100.7", "198.51.100.8", "203.0.113.9",
             "192.0.2.44")


@pytest.fixture(autouse=True)
def _fresh_counts():
    for address in ADDRESSES:
        invite_bad_tries_reset(address=address)
    yield
    for address in ADDRESSES:
        invite_bad_tries_reset(address=address)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]


def bad_tries(client, n: int, **headers) -> list[int]:
    return [client.get(f"/invite/{UNKNOWN}{i}", **headers).status_code for i in range(n)]


def test_a_forged_x_forwarded_for_from_an_untrusted_peer_is_ignored(client, issued):
    # No trusted proxy: a new made-up address on every try still counts against the peer.
    codes = [client.get(f"/invite/{UNKNOWN}{i}", REMOTE_ADDR="203.0.113.9",
                        HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
             for i in range(11)]
    assert codes == [404] * 10 + [429]
    assert client_address({"REMOTE_ADDR": "203.0.113.9",
                           "HTTP_X_FORWARDED_FOR": "198.51.100.7"}) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_address_is_counted(client, issued, behind_proxy):
    one = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    other = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.8"}
    assert bad_tries(client, 11, **one) == [404] * 10 + [429]
    # Another vendor behind the same proxy is not blocked by the first one's tries.
    assert client.get(f"/invite/{UNKNOWN}", **other).status_code == 404
    assert invite_is_blocked(address="198.51.100.7")
    assert not invite_is_blocked(address=PROXY)


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(behind_proxy):
    # The client may put anything on the left; the proxy appended the address it saw.
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"}
    assert client_address(forged) == "198.51.100.7"
    # Two trusted proxies in a row are skipped.
    chained = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 10.1.1.1"}
    assert client_address(chained) == "198.51.100.7"
    # A malformed hop ends the walk at the last good address (the proxy's peer).
    junk = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "nonsense, 10.1.1.1"}
    assert client_address(junk) == "10.1.1.1"
    # No header: the proxy itself.
    assert client_address({"REMOTE_ADDR": PROXY}) == PROXY
    # IPv6 clients are keyed by their /64.
    six = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "2001:db8:1:2:3:4:5:6"}
    assert client_address(six) == "2001:db8:1:2::/64"


def test_the_count_is_shared_by_processes(settings):
    """Ten bad tries counted by another process (another gunicorn worker) block this one."""
    script = ("import django; django.setup()\n"
              "from questionnaires.assessments.services.invite_limits import "
              "invite_bad_try_record\n"
              "for _ in range(10): invite_bad_try_record(address='192.0.2.44')\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
           "REDIS_URL": settings.REDIS_URL, "DILIGENCE_VAR_DIR": str(settings.VAR_DIR)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert invite_is_blocked(address="192.0.2.44")
