"""Requests a phone may send again: the first response is kept under its key and replayed, never redone.

The key's row is inserted before the work starts, in the same transaction. A racing duplicate blocks on the
unique constraint until the first commits, then finds and replays its response; if the first fails, the key
goes with it, so the client can send the request again once it has fixed the cause.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import IdempotencyKey, utcnow
from app.services.errors import Conflict, Invalid

KEY_FIELD = "Idempotency-Key"


@dataclass(frozen=True, slots=True)
class Reply:
    """A response to send: the first one made for its key, or that one again (`replayed`)."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of what the request asks for, so the same key with another request is caught."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


def once(*, user_id: int, key: str, request_hash: str, run: Callable[[], Reply]) -> Reply:
    """Run `run` at most once per user and key and commit its work with its reply; replay it after that.

    `run` flushes and does not commit. A ServiceError it raises rolls everything back, the key included.
    """
    stored = _stored(user_id, key, request_hash)
    if stored is not None:
        return stored
    ttl = timedelta(days=float(current_app.config["IDEMPOTENCY_TTL_DAYS"]))
    row = IdempotencyKey(user_id=user_id, key=key, request_hash=request_hash, expires_at=utcnow() + ttl)
    db.session.add(row)
    try:
        db.session.flush()  # on PostgreSQL a racing duplicate waits here until the first commits
    except IntegrityError:
        db.session.rollback()
        stored = _stored(user_id, key, request_hash)
        if stored is None:  # the first one was rolled back between our insert and this read
            raise Conflict("another request with this Idempotency-Key was under way; send it again") from None
        return stored
    try:
        reply = run()
    except BaseException:
        db.session.rollback()
        raise
    row.status_code, row.response_body = reply.status, reply.body
    db.session.commit()
    return reply


def _stored(user_id: int, key: str, request_hash: str) -> Reply | None:
    row = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    if row is None:
        return None
    if row.expires_at <= utcnow():
        db.session.delete(row)
        db.session.flush()
        return None
    if row.request_hash != request_hash:
        raise Invalid({KEY_FIELD: "this key was already used for a different request"})
    assert row.status_code is not None and row.response_body is not None  # committed with its reply
    return Reply(status=row.status_code, body=row.response_body, replayed=True)


def purge_expired_keys(*, now: datetime | None = None) -> int:
    """Forget keys past their lifetime, so the table stays the size of a week's traffic; returns how many."""
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= (now or utcnow())))
    db.session.commit()
    return result.rowcount or 0
