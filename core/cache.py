"""A Redis cache whose failures are misses: the database is the truth, Redis only speeds it.

Django's ``RedisCache`` raises when Redis is down, which would turn a request that touches
the cache (allauth's rate limits) into a 500. This backend
logs the failure and answers as an empty cache would: ``get`` → the default, ``add``/``set``
→ not stored, ``delete`` → nothing deleted. settings.py uses it for every ``redis://``
cache, with short socket timeouts, so an unreachable Redis costs a request milliseconds,
not seconds.
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

    def _failed(self, name: str, error: BaseException) -> None:
        now = time.monotonic()
        if now - type(self)._last_logged > _LOG_EVERY:
            type(self)._last_logged = now
            log.warning("Cache unavailable (%s: %s); serving without it.",
                        type(error).__name__, error)


def _guard(name: str, miss):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
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
            return _method(self, key, delta, version)
        except _errors() as error:
            self._failed("incr", error)
            raise ValueError(f"Key {key!r} not found (cache unavailable).") from error

    setattr(SafeRedisCache, _name, _incr)
