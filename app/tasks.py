"""Background work: the process's one Huey queue, the tasks that run on it, and the embedded consumer.

The queue is a SQLite file under the instance folder unless REDIS_URL names a Redis server; HUEY_NAME keeps
deployments (and test runs) sharing a server apart. With HUEY_IMMEDIATE, tasks run at once in the caller.
The served app consumes its own queue with a few threads (HUEY_IN_PROCESS), so `make run` needs no second
process; command-line tools and tests never start that consumer.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.consumer import Consumer
from huey.storage import BaseStorage, RedisStorage, SqliteStorage

from app.services.planning import run_plan


class _Queue(Huey):
    """A Huey whose store is chosen when the app is configured, so that tasks can be declared at import."""

    def use(self, *, name: str, immediate: bool, storage_class: type[BaseStorage], **storage: Any) -> None:
        """Switch to the configured store; the previous one is closed."""
        previous = self.storage
        self.name = name
        self.storage_class = storage_class
        self.storage_kwargs = storage
        self._immediate = immediate
        self.storage = self.create_storage()
        _close(previous)


class InProcessConsumer(Consumer):
    """Huey's consumer as daemon threads inside the web server, which keeps its own signal handling."""

    def _set_signal_handlers(self) -> None:
        """Leave SIGINT and SIGTERM to the server: Ctrl+C must still stop `flask run`."""


huey = _Queue("fieldops", immediate=True)  # until init_app configures it
_app: Flask | None = None
_consumer: InProcessConsumer | None = None
_consumer_lock = threading.Lock()


@huey.task(name="fieldops.plan")
def plan_task(plan_id: int) -> None:
    """Run a queued plan inside an app context, wherever the queue is consumed."""
    if has_app_context():
        run_plan(plan_id)
        return
    with _application().app_context():
        run_plan(plan_id)


def enqueue_plan(plan_id: int) -> None:
    """Hand a plan to the queue; the API gets this through app.extensions."""
    plan_task(plan_id)


def init_app(app: Flask) -> None:
    """Point the queue at the configured store and, for the served embedded app, consume it in-process."""
    global _app
    _app = app
    configure_queue(app)
    app.extensions["fieldops.huey"] = huey
    app.extensions["fieldops.enqueue_plan"] = enqueue_plan
    if app.config["HUEY_IN_PROCESS"] and not huey.immediate and not app.testing:
        # Started by the first request: only a process that serves requests consumes the queue.
        app.before_request(_consume_in_process)


def configure_queue(app: Flask) -> None:
    """Redis when REDIS_URL is set, else a SQLite file in the instance folder; immediate if configured."""
    config = app.config
    name, immediate = str(config["HUEY_NAME"]), bool(config["HUEY_IMMEDIATE"])
    if config.get("REDIS_URL"):
        huey.use(name=name, immediate=immediate, storage_class=RedisStorage, url=config["REDIS_URL"])
    else:
        filename = os.path.join(app.instance_path, "huey.sqlite")
        huey.use(name=name, immediate=immediate, storage_class=SqliteStorage, filename=filename)


def start_consumer(app: Flask) -> InProcessConsumer:
    """Start consumer threads in this process, once; tasks they run use this app."""
    global _app, _consumer
    with _consumer_lock:
        _app = app
        if _consumer is None:
            _consumer = InProcessConsumer(
                huey,
                workers=int(app.config["HUEY_WORKERS"]),
                worker_type="thread",
                periodic=False,
                max_delay=1.0,
                check_worker_health=False,
            )
            _consumer.start()
        return _consumer


def stop_consumer() -> None:
    """Stop the in-process consumer after the tasks under way finish."""
    global _consumer
    with _consumer_lock:
        if _consumer is not None:
            _consumer.stop(graceful=True)
            _consumer = None


def _consume_in_process() -> None:
    if _consumer is None:
        start_consumer(current_app._get_current_object())  # type: ignore[attr-defined]


def _application() -> Flask:
    if _app is None:
        from app import create_app

        return create_app()
    return _app


def _close(storage: BaseStorage) -> None:
    storage.close()
    pool = getattr(storage, "pool", None)
    if pool is not None:
        pool.disconnect()
