"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from datetime import date, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from app.extensions import db


def test_models_and_migrations_agree(app: Flask) -> None:
    """No model change is missing a migration, on either database."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_a_database_with_orders_upgrades_from_0005(tmp_path) -> None:
    """A SQLite demo database with orders and visits migrates to the head (foreign keys enforced)."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.services.seeding import load_demo
    from seeds.demo import build_demo
    from tests.conftest import make_config

    app = create_app(make_config(f"sqlite:///{tmp_path / 'demo.sqlite'}"))
    with app.app_context():
        upgrade()
        city = build_demo(seed=7, technicians=6, orders=12, days=2, start=date.today() + timedelta(days=1))
        load_demo(city, password="secret-pw-123")
        db.session.remove()
        downgrade(revision="0005")
        upgrade()
        kept = db.session.execute(db.text("SELECT count(*) FROM orders WHERE location_quality = 'exact'"))
        assert kept.scalar() == 12
        db.session.remove()
        db.engine.dispose()
