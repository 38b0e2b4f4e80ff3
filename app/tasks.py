"""Background work: the process's one Huey queue, the tasks that run on it, and its consumers.

The queue is a SQLite file under the instance folder unless REDIS_URL names a Redis server; HUEY_NAME keeps
deployments (and test runs) sharing a server apart. With HUEY_IMMEDIATE, tasks run at once in the caller.
The served app consumes its own queue with a few threads (HUEY_IN_PROCESS), so `make run` needs no second
process; command-line tools and tests never start that consumer. `flask worker` is a consumer on its own,
which also runs the periodic tasks.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import threading
import time
from typing import Any, TypeVar

import click
from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.consumer import Consumer, Scheduler, Worker
from huey.storage import BaseStorage, RedisStorage, SqliteStorage
from redis.exceptions import RedisError

from app.services.errors import Unavailable
from app.services.order_clocks import refresh_due_clocks
from app.services.plan_runs import fail_abandoned
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


# While the queue's store (Redis) does not answer, its consumer waits this long before asking again, doubling
# from the first pause to the longest, instead of logging a traceback per thread and second.
FIRST_PAUSE_S = 1.0
LONGEST_PAUSE_S = 60.0
LOGGER = logging.getLogger("huey.consumer")


class QueueWatch:
    """Whether the queue's store answers, shared by a consumer's threads; a warning as it stops and starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pause = 0.0
        self._next_try = 0.0

    def reachable(self, queue: Huey, stop_flag: Any) -> bool:
        """True when the store answers; otherwise wait out the current pause (or a stop) and give False."""
        with self._lock:
            wait = self._next_try - time.monotonic()
        if wait > 0:
            stop_flag.wait(wait)
            return False
        try:
            queue.storage.queue_size()
        except Exception as exc:  # any store's failure: the consumer must outlive it
            with self._lock:
                if not self._pause:
                    LOGGER.warning("the queue's store does not answer (%s); retrying with backoff", exc)
                self._pause = min(max(2 * self._pause, FIRST_PAUSE_S), LONGEST_PAUSE_S)
                self._next_try = time.monotonic() + self._pause
            return False
        with self._lock:
            if self._pause:
                LOGGER.warning("the queue's store answers again")
                self._pause = 0.0
        return True


class PatientWorker(Worker):
    """Huey's worker, asking the watch first: no dequeue, and no traceback, while the store is down."""

    def __init__(self, *args: Any, watch: QueueWatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.watch = watch

    def loop(self, now: Any = None) -> None:
        """Take and run one task when the store answers."""
        if self.watch.reachable(self.huey, self.stop_flag):
            super().loop(now)


class PatientScheduler(Scheduler):
    """Huey's scheduler, asking the same watch before it reads the schedule."""

    def __init__(self, *args: Any, watch: QueueWatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.watch = watch

    def loop(self, now: Any = None) -> None:
        """Move due tasks to the queue when the store answers."""
        if self.watch.reachable(self.huey, self.stop_flag):
            super().loop(now)
        else:
            self._next_loop = time.monotonic()  # the pause was the wait; do not count it as a stall


class PatientConsumer(Consumer):
    """Huey's consumer whose worker and scheduler threads share one watch on the store."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        watch = QueueWatch()
        self.worker_class = functools.partial(PatientWorker, watch=watch)
        self.scheduler_class = functools.partial(PatientScheduler, watch=watch)
        super().__init__(*args, **kwargs)


class InProcessConsumer(PatientConsumer):
    """The consumer as daemon threads inside the web server, which keeps its own signal handling."""

    def _set_signal_handlers(self) -> None:
        """Leave SIGINT and SIGTERM to the server: Ctrl+C must still stop `flask run`."""


AnyConsumer = TypeVar("AnyConsumer", bound=PatientConsumer)
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


# Every minute, where a consumer runs periodic tasks (`flask worker`): runs nobody reads fail in time too.
@huey.periodic_task(crontab(), name="fieldops.fail_abandoned_plans")
def fail_abandoned_plans_task() -> None:
    """Fail the plan runs whose worker is gone."""
    with _application().app_context():
        fail_abandoned()


# Every minute: a clock left alone warns and breaches by time alone; this stores that, so the stored
# statuses and next alert times move on without an event. Nobody is told yet (escalation is to come).
@huey.periodic_task(crontab(), name="fieldops.refresh_due_clocks")
def refresh_due_clocks_task() -> None:
    """Recompute the service-level clocks whose next alert time has come."""
    with _application().app_context():
        refresh_due_clocks()


@click.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), help="Tasks run at once (default HUEY_WORKERS).")
def worker_command(workers: int | None) -> None:
    """Consume the queue in this process until stopped; Ctrl+C lets the tasks under way finish."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if huey.immediate:
        raise click.ClickException("HUEY_IMMEDIATE is on: tasks run where they are queued, not here")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    fail_abandoned()  # runs left by a worker that died before this one started
    _consumer_of(PatientConsumer, app, workers=workers, periodic=True).run()


def enqueue_plan(plan_id: int) -> None:
    """Hand a plan to the queue (the API finds this in app.extensions); Unavailable if its store is down."""
    try:
        plan_task(plan_id)
    except (RedisError, sqlite3.Error) as exc:
        raise Unavailable(f"the planning queue does not answer ({exc}); try again later") from exc


def init_app(app: Flask) -> None:
    """Point the queue at the configured store and, for the served embedded app, consume it in-process."""
    global _app
    _app = app
    configure_queue(app)
    app.extensions["fieldops.huey"] = huey
    app.extensions["fieldops.enqueue_plan"] = enqueue_plan
    app.cli.add_command(worker_command)
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
            _consumer = _consumer_of(InProcessConsumer, app, periodic=False, check_worker_health=False)
            _consumer.start()
        return _consumer


def stop_consumer() -> None:
    """Stop the in-process consumer after the tasks under way finish."""
    global _consumer
    with _consumer_lock:
        if _consumer is not None:
            _consumer.stop(graceful=True)
            _consumer = None


def _consumer_of(
    kind: type[AnyConsumer], app: Flask, workers: int | None = None, **options: Any
) -> AnyConsumer:
    """A consumer of the queue: threads (HUEY_WORKERS unless told) that poll at least every second."""
    threads = workers or int(app.config["HUEY_WORKERS"])
    return kind(huey, workers=threads, worker_type="thread", max_delay=1.0, **options)


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
