"""Jobs used by tests/test_jobs.py; importable by the worker processes those tests start."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from expertnet.jobs import job


@job
def touch(folder: str, name: str) -> None:
    """Leave a file named after the job, the process and the thread that ran it."""
    Path(folder, f"{name}-{os.getpid()}-{threading.current_thread().name}").touch()


@job
def block_until_released(folder: str) -> None:
    """Mark the start, wait for ``release``, mark the end (a job that can be killed midway)."""
    here = Path(folder)
    (here / f"started-{os.getpid()}").touch()
    deadline = time.monotonic() + 120
    while not (here / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.05)
    (here / f"done-{os.getpid()}").touch()


def not_a_job() -> None:
    """Not marked: enqueue must refuse it."""
