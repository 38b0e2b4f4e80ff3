"""A PostgreSQL database of a benchmark run's own, so runs never touch each other's data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def temporary_database() -> Iterator[str]:
    """Create a uniquely named database, yield its SQLAlchemy URL, and drop it however the run ends."""
    name = f"fieldops_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(SERVER, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(SERVER, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
