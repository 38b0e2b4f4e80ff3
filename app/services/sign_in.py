"""Signing in with a password: failed attempts counted per login and address, per address and per login.

The counts live in Redis when REDIS_URL is set, so that every worker sees the same numbers, else in this
process's memory. When Redis does not answer the counts go on in memory, with one warning, and Redis is tried
again after a pause: a login must never fail with a 500 because the counter's store is down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter

from app.models import User
from app.services.errors import TooManyAttempts, Unauthorized
from app.services.users import authenticate

T = TypeVar("T")
RETRY_REDIS_AFTER_S = 30.0  # while Redis is down, try it again this often
# Which setting limits which count; an attempt is refused once any count is full.
RULES = (
    ("LOGIN_RATE_LIMIT", "login+address"),  # one guesser at one account
    ("LOGIN_ADDRESS_RATE_LIMIT", "address"),  # one guesser trying one password on many accounts
    ("LOGIN_ACCOUNT_RATE_LIMIT", "login"),  # many addresses guessing at one account
)


class LoginThrottle:
    """Counts failed sign-ins; one per app, made by the factory, kept in app.extensions."""

    def __init__(self, *, redis_url: str, key_prefix: str) -> None:
        self._memory = FixedWindowRateLimiter(MemoryStorage())
        self._redis: FixedWindowRateLimiter | None = None
        if redis_url:
            storage: Storage = RedisStorage(
                redis_url,
                key_prefix=key_prefix,
                wrap_exceptions=True,
                socket_connect_timeout=1.0,
                socket_timeout=1.0,
            )
            self._redis = FixedWindowRateLimiter(storage)
        self._redis_down_until = 0.0
        self._lock = threading.Lock()

    def check(self, *, login: str, address: str) -> None:
        """Raise TooManyAttempts when any count of failures for this login or address is full."""
        for limit, keys in self._counts(login, address):
            full = self._use(lambda counter, limit=limit, keys=keys: _full_until(counter, limit, keys))
            if full is not None:
                retry_after = max(1, int(full - time.time() + 0.999))
                raise TooManyAttempts(
                    f"too many failed sign-ins; try again in {retry_after} s", retry_after=retry_after
                )

    def failed(self, *, login: str, address: str) -> None:
        """Count one failed sign-in against the login, the address and the pair."""
        for limit, keys in self._counts(login, address):
            self._use(lambda counter, limit=limit, keys=keys: counter.hit(limit, *keys))

    def _counts(self, login: str, address: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        login = login.strip().lower()[:200]
        values = {"login+address": (login, address), "address": (address,), "login": (login,)}
        config = current_app.config
        return [
            (parse(config[setting]), (kind, *values[kind])) for setting, kind in RULES if config.get(setting)
        ]

    def _use(self, action: Callable[[FixedWindowRateLimiter], T]) -> T:
        if self._redis is not None and time.monotonic() >= self._redis_down_until:
            try:
                result = action(self._redis)
            except StorageError as exc:
                with self._lock:
                    self._redis_down_until = time.monotonic() + RETRY_REDIS_AFTER_S
                current_app.logger.warning(
                    "Redis does not answer (%s): failed sign-ins are counted in memory for now", exc
                )
            else:
                return result
        return action(self._memory)


def _full_until(counter: FixedWindowRateLimiter, limit: RateLimitItem, keys: tuple[str, ...]) -> float | None:
    """When the count's window ends (epoch seconds) if it is full, else None."""
    if counter.test(limit, *keys):
        return None
    return counter.get_window_stats(limit, *keys).reset_time


def sign_in(*, login: str, password: str, address: str, throttle: LoginThrottle) -> User:
    """The user with these credentials, unless this login or address has failed too often of late."""
    throttle.check(login=login, address=address)
    try:
        return authenticate(login=login, password=password)
    except Unauthorized:
        throttle.failed(login=login, address=address)
        raise
