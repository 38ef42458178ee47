"""CPU and wall time of each step of a long command (``expertnet demo --timings``)."""

from __future__ import annotations

import contextlib
import resource
import sys
import time
from collections.abc import Iterator


def children_cpu() -> float:
    """User + system CPU seconds of this process's waited-for children (and theirs)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class StepTimer:
    """Times named steps; ``report()`` prints one line per step and the totals.

    ``cpu`` is this process's own CPU (``time.process_time``); ``children`` is the CPU of
    child processes that ended during the step (forked index workers are counted when
    they are waited for, so a step running beside them shows them where it waits).
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.rows: list[tuple[str, float, float, float]] = []
        self._wall0 = time.perf_counter()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        wall, cpu, children = time.perf_counter(), time.process_time(), children_cpu()
        try:
            yield
        finally:
            self.rows.append(
                (
                    name,
                    time.perf_counter() - wall,
                    time.process_time() - cpu,
                    children_cpu() - children,
                )
            )

    def report(self, out=None) -> None:
        if not self.enabled:
            return
        out = out or sys.stderr
        print(f"{'step':<40} {'wall':>8} {'cpu':>8} {'children':>9}", file=out)
        for name, wall, cpu, children in self.rows:
            print(f"{name:<40} {wall:8.2f} {cpu:8.2f} {children:9.2f}", file=out)
        # CPU since the process started (imports included); wall since the timer started.
        wall = time.perf_counter() - self._wall0
        print(
            f"{'all (CPU: the whole process)':<40} {wall:8.2f} {time.process_time():8.2f} "
            f"{children_cpu():9.2f}",
            file=out,
        )
