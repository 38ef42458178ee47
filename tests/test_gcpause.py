"""The collector pause around bulk builds: nested and overlapping pauses, and exceptions."""

from __future__ import annotations

import gc
import threading

import pytest

from expertnet.core.gcpause import gc_paused


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_and_resumed_after_even_on_error():
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
        raise RuntimeError
    assert gc.isenabled()


def test_a_pause_does_not_switch_on_a_collector_that_was_off():
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_in_two_threads_resume_once_both_end():
    entered, release = threading.Event(), threading.Event()

    def other():
        with gc_paused():
            entered.set()
            release.wait(5)

    t = threading.Thread(target=other)
    with gc_paused():
        t.start()
        assert entered.wait(5)
    assert not gc.isenabled()  # the other thread's build is still running
    release.set()
    t.join(5)
    assert gc.isenabled()
