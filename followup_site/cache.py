"""A Redis cache whose failures are misses: the database is the truth, Redis only speeds it.

Django's ``RedisCache`` raises when Redis is down, which would turn a page (or a save that
retires a cached dashboard, ``followup_site/freshness.py``) into a 500. This backend logs
the failure and answers as an empty cache would: ``get`` → the default, ``add``/``set`` →
not stored, ``delete`` → nothing deleted. settings.py uses it for every ``redis://`` cache,
with short socket timeouts, so an unreachable Redis costs a page milliseconds, not seconds.

A page missed this way is computed from the database. But a change saved while Redis was
down could not retire the cached pages it made stale (its ``freshness.bump`` failed), and
those pages are still in Redis when it comes back. So the first call that reaches Redis
again after a failure in this process deletes every key of this site (its ``KEY_PREFIX``)
before anything is read: the next pages are cold, never stale.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

# What each method answers when Redis cannot: what an empty cache would.
_MISSES = {
    "get": lambda args, kwargs: kwargs.get("default", args[1] if len(args) > 1 else None),
    "get_many": lambda args, kwargs: {},
    "has_key": lambda args, kwargs: False,
    # "Stored", as a cache that forgets at once would say. False ("someone holds this key")
    # would lock everyone out of what uses add() as a lock: allauth's rate limits answer 429
    # when they cannot take theirs. The price, while Redis is down: those limits, and
    # allauth's guard against replaying a TOTP code within its 90 s window, are not applied.
    "add": lambda args, kwargs: True,
    "set": lambda args, kwargs: None,
    "touch": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "delete_many": lambda args, kwargs: None,
    # Every key "failed": that is what the caller can rely on.
    "set_many": lambda args, kwargs: list(args[0]) if args else [],
    "clear": lambda args, kwargs: False,
}
# Log an outage once every this many seconds, not once per cache call.
_LOG_EVERY = 10.0


def _errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class SafeRedisCache(RedisCache):
    _last_logged = 0.0
    # Set by a failure; the next call that reaches Redis forgets the site's keys first.
    _missed_writes = False

    def _failed(self, name: str, error: BaseException) -> None:
        type(self)._missed_writes = True
        now = time.monotonic()
        if now - type(self)._last_logged > _LOG_EVERY:
            type(self)._last_logged = now
            log.warning("Cache unavailable (%s: %s); serving without it.",
                        type(error).__name__, error)

    def _forget_after_outage(self) -> None:
        if not type(self)._missed_writes:
            return
        client = self._cache.get_client(None, write=True)
        pattern = self.make_key("*")
        for keys in _chunks(client.scan_iter(match=pattern, count=1000), 1000):
            client.delete(*keys)
        type(self)._missed_writes = False
        log.warning("Cache back: forgot this site's keys (%s), written before the outage.",
                    pattern)


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _guard(name: str, miss):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            self._forget_after_outage()
            return method(self, *args, **kwargs)
        except _errors() as error:
            self._failed(name, error)
            return miss(args, kwargs)

    return guarded


for _name, _miss in _MISSES.items():
    setattr(SafeRedisCache, _name, _guard(_name, _miss))

# incr/decr raise ValueError for a missing key in every backend: a failure reads the same.
for _name in ("incr", "decr"):
    _method = getattr(RedisCache, _name)

    def _incr(self, key, delta=1, version=None, _method=_method):
        try:
            self._forget_after_outage()
            return _method(self, key, delta, version)
        except _errors() as error:
            self._failed("incr", error)
            raise ValueError(f"Key {key!r} not found (cache unavailable).") from error

    setattr(SafeRedisCache, _name, _incr)
