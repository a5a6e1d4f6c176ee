"""A test that runs too long ends the run with what it was waiting for.

pytest-timeout's dump shows each thread's stack, where an async test only shows its event
loop waiting. A little before that timeout, this prints every thread's stack, then every
asyncio task's awaits, then the test's id last (the end of a log names it), and stops the
run."""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import os
import sys
import threading
from collections.abc import Iterator

import pytest

# Seconds before pytest-timeout's own deadline, which stays as the backstop.
MARGIN = 5.0


def _deadline(item: pytest.Item) -> float:
    marker = item.get_closest_marker("timeout")
    if marker is not None and marker.args:
        return float(marker.args[0])
    return float(item.config.getini("timeout") or 0)


def _report(config: pytest.Config, nodeid: str, seconds: float) -> None:
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture(in_=False)
    out = sys.stderr
    faulthandler.dump_traceback(file=out, all_threads=True)
    for loop in [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop)]:
        if not loop.is_running():
            continue
        for task in list(asyncio.all_tasks(loop)):
            print(f"\ntask {task.get_name()}:", file=out)
            for line in _awaiting(task.get_coro()):
                print(f"    {line}", file=out)
    print(f"\nSTILL RUNNING after {seconds:.0f} s: {nodeid}", file=out, flush=True)
    os._exit(3)


def _awaiting(awaitable: object) -> Iterator[str]:
    """Where a coroutine is, then what it awaits, down to the innermost await."""
    for _ in range(60):
        frame = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "gi_frame", None)
        frame = frame or getattr(awaitable, "ag_frame", None)
        if frame is None:
            if awaitable is not None:
                yield repr(awaitable)[:200]
            return
        yield f"{frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}"
        awaitable = (
            getattr(awaitable, "cr_await", None)
            or getattr(awaitable, "gi_yieldfrom", None)
            or getattr(awaitable, "ag_await", None)
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    limit = _deadline(item) - MARGIN
    timer = None
    if limit > 0:
        timer = threading.Timer(limit, _report, (item.config, item.nodeid, limit))
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()
