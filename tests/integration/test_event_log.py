"""The event log is append-only."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.extensions import db
from app.models import AppendOnlyError, Event
from tests.factories import make_network, order_body, token


def test_events_cannot_be_changed_or_deleted(client: FlaskClient) -> None:
    """Updating or deleting a recorded event through the model is refused."""
    make_network()
    client.post("/api/v1/orders", json=order_body(), headers=token(client, "dispatcher"))
    entry = db.session.query(Event).one()
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.query(Event).one())
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert db.session.query(Event).one().reason is None
