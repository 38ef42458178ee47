"""Sign-in limits counted where every worker of every node sees them: per address, per account.

Each attempt is recorded *before* it is judged (committed in the database, or added to a
Redis sorted set when ``EXPERTNET_RATELIMIT_STORAGE`` is ``redis://…``), then the attempts
inside the window are counted, its own included. So however many arrive at once, at most
the limit get past: the one that makes the count exceed it is refused. A refused
attempt is taken back (hammering does not extend a lock forever), and so is a successful
one (signing in does not use up the allowance); failures stay until they age out.

The per-account key is the e-mail as typed, whether or not such an account exists, so the
answer never tells which accounts exist.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app
from limits import parse as parse_limit
from sqlalchemy import delete, func, select

from ..core.types import utcnow
from ..extensions import db
from .throttle_models import SignInAttempt

ADDRESS, ACCOUNT = "address", "account"


@dataclass(frozen=True)
class Limit:
    amount: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        item = parse_limit(text)
        return cls(item.amount, item.get_expiry())


@dataclass
class Verdict:
    """The outcome of ``check``: refused (with how long to wait) or let through."""

    refused: bool
    retry_after: int = 0
    scope: str | None = None
    tokens: dict[str, object] = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def limits_for(app: Flask) -> dict[str, Limit]:
    return {
        ADDRESS: Limit.parse(app.config["EXPERTNET_LOGIN_LIMIT"]),
        ACCOUNT: Limit.parse(app.config.get("EXPERTNET_LOGIN_ACCOUNT_LIMIT", "10 per 15 minutes")),
    }


def backend_name(app: Flask) -> str:
    """Where attempts are counted, for the start-up line: ``redis`` or ``database``."""
    return "redis" if _redis_url(app) else "database"


def _redis_url(app: Flask) -> str | None:
    url = app.config.get("RATELIMIT_STORAGE_URI") or ""
    return url if urlsplit(url).scheme in ("redis", "rediss") else None


# --- the database --------------------------------------------------------------------------


class _Database:
    def record(self, keys: dict[str, str], windows: dict[str, int]) -> tuple[dict, dict]:
        now = utcnow()
        rows = {
            scope: SignInAttempt(scope=scope, key=key, attempted_at=now)
            for scope, key in keys.items()
        }
        for scope, key in keys.items():
            # Aged-out attempts of these keys are of no use any more.
            db.session.execute(
                delete(SignInAttempt).where(
                    SignInAttempt.scope == scope,
                    SignInAttempt.key == key,
                    SignInAttempt.attempted_at < now - timedelta(seconds=windows[scope]),
                )
            )
        db.session.add_all(rows.values())
        # Committed before counting, so every concurrent attempt counts this one.
        db.session.commit()
        counts = {}
        for scope, key in keys.items():
            counts[scope] = db.session.scalar(
                select(func.count())
                .select_from(SignInAttempt)
                .where(
                    SignInAttempt.scope == scope,
                    SignInAttempt.key == key,
                    SignInAttempt.attempted_at > now - timedelta(seconds=windows[scope]),
                )
            )
        if rows[ADDRESS].id % 100 == 0:
            # Now and then, forget attempts that no window reaches any more (a day is plenty).
            db.session.execute(
                delete(SignInAttempt).where(SignInAttempt.attempted_at < now - timedelta(days=1))
            )
        return counts, {scope: row.id for scope, row in rows.items()}

    def forget(self, tokens: dict[str, object]) -> None:
        db.session.execute(delete(SignInAttempt).where(SignInAttempt.id.in_(list(tokens.values()))))
        db.session.commit()


# --- Redis ---------------------------------------------------------------------------------


class _Redis:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    @staticmethod
    def _name(scope: str, key: str) -> str:
        return f"expertnet:sign-in:{scope}:{key}"

    def record(self, keys: dict[str, str], windows: dict[str, int]) -> tuple[dict, dict]:
        now = time.time()
        member = f"{now:.6f}-{secrets.token_hex(6)}"
        pipe = self.client.pipeline(transaction=True)
        for scope, key in keys.items():
            name = self._name(scope, key)
            pipe.zremrangebyscore(name, 0, now - windows[scope])
            pipe.zadd(name, {member: now})
            pipe.zcard(name)
            pipe.expire(name, windows[scope])
        results = pipe.execute()
        counts = {scope: results[4 * i + 2] for i, scope in enumerate(keys)}
        return counts, {scope: (self._name(scope, key), member) for scope, key in keys.items()}

    def forget(self, tokens: dict[str, object]) -> None:
        pipe = self.client.pipeline(transaction=True)
        for name, member in tokens.values():  # type: ignore[misc]
            pipe.zrem(name, member)
        pipe.execute()


def _backend(app: Flask):
    url = _redis_url(app)
    if not url:
        return _Database()
    cache = app.extensions.setdefault("expertnet_sign_in_redis", {})
    if url not in cache:
        cache[url] = _Redis(url)
    return cache[url]


# --- the interface the login view uses ----------------------------------------------------


def check(address: str, email: str) -> Verdict:
    """Record a sign-in attempt from ``address`` naming ``email`` and judge it."""
    app = current_app._get_current_object()
    limits = limits_for(app)
    keys = {ADDRESS: (address or "unknown")[:254], ACCOUNT: email.strip().lower()[:254]}
    backend = _backend(app)
    counts, tokens = backend.record(keys, {s: lim.seconds for s, lim in limits.items()})
    for scope in (ACCOUNT, ADDRESS):
        if counts[scope] > limits[scope].amount:
            backend.forget(tokens)
            return Verdict(True, retry_after=limits[scope].seconds, scope=scope)
    return Verdict(False, tokens=tokens)


def succeeded(verdict: Verdict) -> None:
    """A successful sign-in does not count against the limits."""
    if verdict.tokens:
        _backend(current_app._get_current_object()).forget(verdict.tokens)
