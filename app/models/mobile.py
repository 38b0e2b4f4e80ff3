"""What technicians' phones leave behind: visit progress, photos and signatures, positions, request keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.order import Visit
from app.models.technician import Technician
from app.models.types import UTCDateTime, utcnow


class VisitProgress(db.Model):
    """The field side of a visit, kept beside it: confirmation code, ETA, checklist and outcome."""

    __tablename__ = "visit_progress"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    # Shown to the customer; the technician may close the visit with it instead of a signature.
    confirmation_code: Mapped[str] = mapped_column(String(12))
    # The phone's clock at the last event applied, so that offline events arriving late are known as stale.
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    eta_computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checklist: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome_reason: Mapped[str | None] = mapped_column(String(32))
    outcome_note: Mapped[str | None] = mapped_column(Text)

    visit: Mapped[Visit] = relationship()


class Attachment(db.Model):
    """A photo or signature; the bytes live in a file named by the row, the hash proves they are unchanged."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("kind IN ('photo', 'signature')", name="kind"),
        CheckConstraint("size_bytes > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(200), unique=True)  # relative to ATTACHMENTS_DIR
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    visit: Mapped[Visit] = relationship()


class TechnicianPosition(db.Model):
    """Where a technician's phone last said it was, for the console and for ETAs."""

    __tablename__ = "technician_positions"

    technician_id: Mapped[int] = mapped_column(
        ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True
    )
    lat: Mapped[float]
    lon: Mapped[float]
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the phone's clock
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    technician: Mapped[Technician] = relationship()


class IdempotencyKey(db.Model):
    """A request a client may retry: the first response is kept and replayed for the same key."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    # Empty only inside the first request's own transaction, which no other request can see.
    status_code: Mapped[int | None]
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
