"""Background jobs: in-process by default, on a real broker with real worker processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import jobtest
import pytest

from expertnet import create_app
from expertnet.jobs import JobError, enqueue, resolve, wait_for_local_jobs

SUPPORT = Path(__file__).parent / "support"


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait_for(predicate, what: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_only_marked_functions_can_be_enqueued(app):
    assert resolve("jobtest:touch") is jobtest.touch
    for name in ("jobtest:not_a_job", "jobtest:missing", "os:system", "nonsense", "a.b:c.d"):
        with pytest.raises(JobError):
            enqueue(name)


def test_without_a_broker_jobs_run_in_a_background_thread(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EXPERTNET_JOBS_EAGER", False)
    enqueue(jobtest.touch, str(tmp_path), "local")
    wait_for_local_jobs(app)
    (made,) = [p.name for p in tmp_path.iterdir()]
    assert made.startswith(f"local-{os.getpid()}-expertnet-job")
    assert threading.current_thread().name not in made


# --- a real broker and real worker processes -------------------------------------------------

BROKERS = {
    "redis": (6379, "redis://127.0.0.1:6379/0"),
    "rabbitmq": (5672, "amqp://guest:guest@127.0.0.1:5672/%2F"),
}


def _broker(kind: str) -> str:
    port, url = BROKERS[kind]
    if not _reachable(port):
        pytest.skip(f"{kind} is not running on 127.0.0.1:{port}")
    return url


class Workers:
    """``expertnet worker`` processes sharing one broker and one queue of their own."""

    def __init__(self, tmp_path: Path, broker_url: str) -> None:
        self.queue = f"test-{uuid.uuid4().hex[:10]}"
        self.env = {
            **os.environ,
            "EXPERTNET_INSTANCE": str(tmp_path / "worker-instance"),
            "EXPERTNET_BROKER_URL": broker_url,
            "EXPERTNET_JOB_QUEUE": self.queue,
            "EXPERTNET_WORKER_HEARTBEAT": "1",
            "PYTHONPATH": os.pathsep.join([str(SUPPORT), os.environ.get("PYTHONPATH", "")]),
        }
        for name in ("EXPERTNET_DATABASE_URL", "EXPERTNET_TEST_DATABASE_URL"):
            self.env.pop(name, None)
        self.procs: list[subprocess.Popen] = []
        self.app = create_app(
            {
                "INSTANCE_PATH": str(tmp_path / "client-instance"),
                "SECRET_KEY": "x" * 32,
                "EXPERTNET_BROKER_URL": broker_url,
                "EXPERTNET_JOB_QUEUE": self.queue,
            }
        )

    def start(self) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "expertnet.cli", "worker", "--threads", "1"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.procs.append(proc)
        return proc

    def enqueue(self, fn, *args) -> None:
        with self.app.app_context():
            enqueue(fn, *args)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stderr:
                proc.stderr.close()
        broker = self.app.extensions.get("expertnet_broker")
        if broker is not None:
            broker.close()


@pytest.fixture
def workers(request, tmp_path):
    pool = Workers(tmp_path, _broker(request.param))
    yield pool
    pool.close()


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["redis", "rabbitmq"], indirect=True)
def test_a_worker_process_runs_enqueued_jobs(workers, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    proc = workers.start()
    workers.enqueue(jobtest.touch, str(out), "queued")
    made = _wait_for(lambda: list(out.iterdir()), "the job")
    assert made[0].name.startswith(f"queued-{proc.pid}-")


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["redis"], indirect=True)
def test_a_worker_killed_mid_job_loses_nothing(workers, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    first = workers.start()
    workers.enqueue(jobtest.block_until_released, str(out))
    _wait_for(lambda: (out / f"started-{first.pid}").exists(), "the job to start")
    first.kill()  # SIGKILL: no chance to finish, acknowledge or hand the job back
    first.wait()
    assert not any(p.name.startswith("done-") for p in out.iterdir())

    (out / "release").touch()
    second = workers.start()
    _wait_for(lambda: (out / f"done-{second.pid}").exists(), "the job to be redelivered")
    # Started twice (once per worker), finished once, by the survivor.
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["release", f"started-{first.pid}", f"started-{second.pid}", f"done-{second.pid}"]
    )


def test_expertnet_enqueue_runs_a_job_here_without_a_broker(runner, tmp_path):
    import json

    res = runner.invoke(args=["enqueue", "jobtest:touch", json.dumps(str(tmp_path)), '"cli"'])
    assert res.exit_code == 0, res.output
    assert "ran jobtest:touch" in res.output
    assert [p.name.split("-")[0] for p in tmp_path.iterdir()] == ["cli"]
    refused = runner.invoke(args=["enqueue", "jobtest:not_a_job"])
    assert refused.exit_code == 1
    assert "is not marked as a job" in refused.output
    bad = runner.invoke(args=["enqueue", "jobtest:touch", "not json"])
    assert bad.exit_code == 1 and "JSON" in bad.output
