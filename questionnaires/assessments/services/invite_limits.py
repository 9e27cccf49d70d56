"""How many bad invitation tokens one address may try before it is refused for a while.

An invitation token is 256 random bits, so guessing one is hopeless; the limit is there to
keep scanners and scripts from hammering the lookup. It counts only *bad* tries and refuses
only bad tokens: a good token passes whatever its address did, so a vendor who opens a good
link many times is never locked out, and an attacker who shares an address with vendors
(everyone behind the TLS proxy, one office's NAT) cannot lock them out either. The count
lives in Django's cache (Redis when REDIS_URL is set; otherwise a file cache that the web
processes of one machine share), so the limit holds across workers. Both doors count
against the same budget: the portal link (`/invite/<token>`) and the
`Authorization: Invite <token>` header of the API.

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

    REMOTE_ADDR, unless it is one of settings.TRUSTED_PROXIES: then X-Forwarded-For is read
    from the right, skipping trusted hops, and the first untrusted hop is the client. Only
    a trusted proxy's word counts: anyone else can write X-Forwarded-For, and trusting it
    would let an attacker pick a fresh address per try. An IPv6 client is keyed by its /64,
    the block one subscriber usually holds, for the same reason."""
    raw = str(meta.get("REMOTE_ADDR") or "unknown")
    address = _parse(raw)
    if address is None:
        return raw
    if _trusted(address):
        address = _forwarded_client(str(meta.get("HTTP_X_FORWARDED_FOR") or ""), address)
    return _key_of(address)


def _parse(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def _forwarded_client(header: str, peer):
    """The right-most untrusted hop of X-Forwarded-For (each trusted proxy appends the peer
    it saw, so hops left of the first untrusted one were written by the client). A hop that
    is not an address ends the walk at the last good one."""
    client = peer
    for hop in reversed([part for part in header.split(",") if part.strip()]):
        address = _parse(hop)
        if address is None:
            break
        client = address
        if not _trusted(address):
            break
    return client


def _key_of(address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
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
