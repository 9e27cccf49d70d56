"""How many bad invitation tokens one address may try before it is refused for a while.

An invitation token is 256 random bits, so guessing one is hopeless; the limit is there to
keep scanners and scripts from hammering the lookup, and it counts only *bad* tries so a
vendor who opens a good link many times is never locked out. The count lives in Django's
cache (Redis in production and tests), shared by every web process, so the limit holds
across workers. Both doors count against the same budget: the portal link (`/invite/<token>`)
and the `Authorization: Invite <token>` header of the API.

With the cache unreachable the limit is not applied (and the failure is logged): the
token's 256 bits are the protection, the limit only slows scanners, and refusing every
vendor while Redis is away would turn a cache outage into an outage of the portal.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_KEY = "invite-bad-tries:{}"
CACHE_ERRORS = (RedisError, OSError)  # what Django's Redis cache raises when Redis is away


def client_address(meta: dict) -> str:
    """The caller's address as the limit sees it.

    REMOTE_ADDR only: X-Forwarded-For is set by whoever sends the request, so trusting it
    would let an attacker pick a fresh address per try. An IPv6 client is keyed by its /64,
    the block one subscriber usually holds, for the same reason."""
    raw = str(meta.get("REMOTE_ADDR") or "unknown")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _key(address: str) -> str:
    return _KEY.format(address)


def invite_window_seconds() -> int:
    return int(settings.INVITE_BAD_TRIES_WINDOW)


def invite_is_blocked(*, address: str) -> bool:
    """True once `address` has used up its bad tries in the current window."""
    try:
        tries = cache.get(_key(address))
    except CACHE_ERRORS as exc:
        _cache_unreachable(exc)
        return False
    return int(tries or 0) >= settings.INVITE_BAD_TRIES_LIMIT


def invite_bad_try_record(*, address: str) -> int:
    """Count one bad try for `address`; returns the count in the current window (0 when
    the cache cannot be reached)."""
    try:
        return _count_bad_try(_key(address))
    except CACHE_ERRORS as exc:
        _cache_unreachable(exc)
        return 0


def _cache_unreachable(exc: BaseException) -> None:
    logger.warning("invitation limit not applied: the cache is unreachable (%s: %s)",
                   type(exc).__name__, exc)


def _count_bad_try(key: str) -> int:
    """`add` starts the window (it sets the key only when absent, with the window as its
    lifetime) and `incr` is atomic in Redis, so concurrent bad tries are all counted and
    the window is never extended by later tries."""
    for _attempt in range(2):
        cache.add(key, 0, timeout=invite_window_seconds())
        try:
            return int(cache.incr(key))
        except ValueError:
            # The window expired between add and incr: start a new one.
            continue
    return int(cache.get(key) or 1)


def invite_bad_tries_reset(*, address: str) -> None:
    """Forget an address's bad tries (an operator unblocking a vendor's office)."""
    cache.delete(_key(address))
