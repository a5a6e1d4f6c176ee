"""Group commit: what is handed in while a write runs goes in the next write, each item
gets its own outcome, and nothing is left waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from openenrich.queue.group_commit import GroupCommit

pytestmark = pytest.mark.anyio


class Recorder:
    def __init__(self, fail: set[int] | None = None, crash: bool = False) -> None:
        self.groups: list[list[int]] = []
        self.fail = fail or set()
        self.crash = crash
        self.gate = asyncio.Event()
        self.gate.set()

    async def write(self, items: list[int]) -> Sequence[BaseException | None]:
        self.groups.append(items)
        await self.gate.wait()
        if self.crash:
            raise RuntimeError("the database went away")
        return [ValueError(item) if item in self.fail else None for item in items]


async def test_items_handed_in_together_are_written_together() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.write)
    await asyncio.gather(*(commit.submit(i) for i in range(5)))
    assert recorder.groups == [[0, 1, 2, 3, 4]]


async def test_items_arriving_during_a_write_go_in_the_next_one() -> None:
    recorder = Recorder()
    recorder.gate.clear()
    commit = GroupCommit(recorder.write)
    first = asyncio.create_task(commit.submit(0))
    while not recorder.groups:
        await asyncio.sleep(0)
    later = [asyncio.create_task(commit.submit(i)) for i in (1, 2, 3)]
    await asyncio.sleep(0)
    assert recorder.groups == [[0]]  # one write at a time
    recorder.gate.set()
    await asyncio.gather(first, *later)
    assert recorder.groups == [[0], [1, 2, 3]]


async def test_each_item_gets_its_own_error() -> None:
    commit = GroupCommit(Recorder(fail={1}).write)
    results = await asyncio.gather(*(commit.submit(i) for i in range(3)), return_exceptions=True)
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ValueError)


async def test_a_failed_write_fails_every_item_and_the_next_one_starts_afresh() -> None:
    recorder = Recorder(crash=True)
    commit = GroupCommit(recorder.write)
    results = await asyncio.gather(*(commit.submit(i) for i in range(2)), return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    recorder.crash = False
    await commit.submit(7)
    assert recorder.groups[-1] == [7]


async def test_a_cancelled_waiter_leaves_its_item_written_and_idle_waits_for_it() -> None:
    recorder = Recorder()
    recorder.gate.clear()
    commit = GroupCommit(recorder.write)
    waiter = asyncio.create_task(commit.submit(1))
    while not recorder.groups:
        await asyncio.sleep(0)
    waiter.cancel()
    idle = asyncio.create_task(commit.idle())
    await asyncio.sleep(0)
    assert not idle.done()
    recorder.gate.set()
    await idle
    assert recorder.groups == [[1]]
    with pytest.raises(asyncio.CancelledError):
        await waiter
