"""Offline sync: a batch of events a phone kept while it had no signal."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, url_for
from flask_smorest import Blueprint

from app.models.limits import bad_characters
from app.problem import flatten_messages
from app.schemas.mobile import MobileSyncEventIn, MobileSyncIn, MobileSyncOut
from app.security import current_user, token_required
from app.services.errors import Invalid
from app.services.field_events import SyncItem, sync_events
from app.services.idempotency import fingerprint
from mobile_api.visits import TECHNICIAN

blp = Blueprint(
    "mobile_sync", __name__, url_prefix="/api/mobile/v1", description="Technician phones: offline sync"
)


@blp.post("/sync")
@token_required(TECHNICIAN)
@blp.arguments(MobileSyncIn)
@blp.response(200, MobileSyncOut)
def sync(batch: dict[str, Any]) -> dict[str, Any]:
    """Apply events in the order they happened; one result per event, in the order sent."""
    limit = int(current_app.config["SYNC_MAX_EVENTS"])
    if len(batch["events"]) > limit:
        raise Invalid({"events": f"at most {limit} events per batch; send the rest in another"})
    items = [_item(index, raw) for index, raw in enumerate(batch["events"])]
    return {"results": sync_events(user=current_user(), items=items)}


def _item(index: int, raw: dict[str, Any]) -> SyncItem:
    key = raw.get("idempotency_key")
    # Echoed back with the result: only a key that is text a response can carry.
    key = key if isinstance(key, str) and not bad_characters(key) else None
    try:
        event = MobileSyncEventIn().load(raw)
    except ma.ValidationError as exc:
        return SyncItem(index, key, None, None, None, flatten_messages(exc.messages))
    # Hashed as the same event posted online would be, so a retry may go either way and still replay.
    body = {k: v for k, v in raw.items() if k not in ("idempotency_key", "visit_id")}
    path = url_for("mobile_visits.post_event", visit_id=raw["visit_id"])
    return SyncItem(index, key, raw["visit_id"], fingerprint("POST", path, body), event)
