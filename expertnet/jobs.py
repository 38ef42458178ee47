"""Background jobs: work that must not hold a web request, run by a worker or in-process.

A job is a plain function marked with ``@job``; ``enqueue(fn_or_name, *args, **kwargs)``
runs it later, by its dotted name (``"expertnet.consultation.notify:deliver_mail"``).

- With ``EXPERTNET_BROKER_URL`` (``redis://…`` or ``amqp://…``) the job becomes a Dramatiq
  message; ``expertnet worker`` processes run it. A message is acknowledged only after its
  job returned, so a worker killed mid-job loses nothing: Redis hands the message of a
  worker whose heartbeat stopped to another worker, RabbitMQ redelivers it when the
  connection drops. A job that raises is retried with exponential back-off.
- Without a broker (the embedded default) the job runs in a background thread of this
  process, never on the request thread; ``EXPERTNET_JOBS_EAGER`` (tests) runs it at once.

Jobs run inside an application context and should be idempotent: at-least-once delivery
means one may run again after a crash. The job's session is committed when it returns.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "_expertnet_job"
ACTOR_NAME = "expertnet_job"
DEFAULT_QUEUE = "expertnet"
#: Retries of a failing job: 10 tries, waiting 10 s, 20 s, 40 s, … up to an hour.
MAX_RETRIES = 10
MIN_BACKOFF_MS = 10_000
MAX_BACKOFF_MS = 3_600_000
#: Index rebuilds and large imports may take long; anything longer is stuck.
TIME_LIMIT_MS = 3_600_000


class JobError(ValueError):
    """The named function does not exist or is not a job."""


def job(fn: F) -> F:
    """Mark ``fn`` as a job that ``enqueue`` may run (only marked functions can be named)."""
    setattr(fn, _MARK, True)
    return fn


def job_name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


def resolve(name: str) -> Callable[..., Any]:
    """The job function named ``module:function``; ``JobError`` for anything else."""
    module_name, sep, attr = name.partition(":")
    if not sep or not module_name or not attr or "." in attr:
        raise JobError(f"not a job name: {name!r}")
    try:
        fn = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise JobError(f"no such job: {name!r}") from exc
    if not getattr(fn, _MARK, False):
        raise JobError(f"{name!r} is not marked as a job")
    return fn


def run_job(app: Flask, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run one job in an application context of its own; commit when it returns."""
    from .extensions import db

    fn = resolve(name)
    with app.app_context():
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return result


# --- dispatch ------------------------------------------------------------------------------


def enqueue(fn: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> None:
    """Run job ``fn`` off the request path: on the queue if one is configured, else here.

    Arguments must be JSON values (they cross the broker). Call it after the data the job
    reads is committed (from an ``after_commit`` hook, or after ``commit()``).
    """
    name = fn if isinstance(fn, str) else job_name(fn)
    resolve(name)  # refuse a wrong name now, not in the worker
    app = current_app._get_current_object()
    if app.config.get("EXPERTNET_BROKER_URL"):
        _actor(app).send(name, list(args), dict(kwargs))
    elif app.config.get("EXPERTNET_JOBS_EAGER"):
        run_job(app, name, list(args), dict(kwargs))
    else:
        _local_pool(app).submit(_run_logged, app, name, list(args), dict(kwargs))


def _run_logged(app: Flask, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    try:
        run_job(app, name, args, kwargs)
    except Exception:
        log.exception("background job %s failed", name)


_pool_lock = threading.Lock()


def _local_pool(app: Flask) -> ThreadPoolExecutor:
    """One background thread per process: jobs run in order, never on a request thread."""
    with _pool_lock:
        pool = app.extensions.get("expertnet_job_pool")
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="expertnet-job")
            app.extensions["expertnet_job_pool"] = pool
    return pool


def wait_for_local_jobs(app: Flask, timeout: float = 30) -> None:
    """Block until the in-process jobs queued so far have run (tests, shutdown)."""
    pool = app.extensions.get("expertnet_job_pool")
    if pool is None:
        return
    done: Future = pool.submit(lambda: None)
    done.result(timeout=timeout)


# --- the broker ----------------------------------------------------------------------------


def queue_name(app: Flask) -> str:
    return app.config.get("EXPERTNET_JOB_QUEUE") or DEFAULT_QUEUE


def broker_for(app: Flask):
    """The Dramatiq broker for ``EXPERTNET_BROKER_URL`` (one per app)."""
    broker = app.extensions.get("expertnet_broker")
    if broker is not None:
        return broker
    url = app.config["EXPERTNET_BROKER_URL"]
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss"):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(
            url=url,
            # A worker silent this long is dead: its unacknowledged messages go back.
            heartbeat_timeout=int(app.config.get("EXPERTNET_WORKER_HEARTBEAT", 60)) * 1000,
            # Look for dead workers on every poll; the check is one sorted-set range.
            maintenance_chance=1_000_000,
        )
    elif scheme in ("amqp", "amqps"):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    else:
        raise ValueError(f"EXPERTNET_BROKER_URL: unknown scheme {scheme!r}")
    app.extensions["expertnet_broker"] = broker
    return broker


def _actor(app: Flask):
    actor = app.extensions.get("expertnet_actor")
    if actor is not None:
        return actor
    import dramatiq

    broker = broker_for(app)

    def expertnet_job(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        run_job(_worker_app or app, name, args, kwargs)

    actor = dramatiq.actor(
        expertnet_job,
        actor_name=ACTOR_NAME,
        queue_name=queue_name(app),
        broker=broker,
        max_retries=MAX_RETRIES,
        min_backoff=MIN_BACKOFF_MS,
        max_backoff=MAX_BACKOFF_MS,
        time_limit=TIME_LIMIT_MS,
    )
    app.extensions["expertnet_actor"] = actor
    return actor


_worker_app: Flask | None = None


def run_worker(app: Flask, threads: int, stop: threading.Event) -> None:
    """Process jobs from the queue until ``stop`` is set (``expertnet worker``)."""
    global _worker_app
    import dramatiq

    _worker_app = app
    _actor(app)
    broker = broker_for(app)
    worker = dramatiq.Worker(broker, queues={queue_name(app)}, worker_threads=threads)
    worker.start()
    try:
        stop.wait()
    finally:
        # Jobs still running get the time limit's grace; unfinished ones are redelivered.
        worker.stop(timeout=30_000)
        broker.close()
