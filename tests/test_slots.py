"""Worker-slot accounting: exact under concurrency and cancellation."""

from __future__ import annotations

import asyncio

import pytest

from openenrich.queue.slots import Holder, SlotPool, holding, idle

pytestmark = pytest.mark.anyio


async def test_a_contact_with_many_waiting_branches_gives_back_one_slot() -> None:
    pool = SlotPool(1)
    pool.take()
    holder = Holder(pool)
    seen: list[int] = []

    async def branch() -> None:
        await idle(0.05)

    async def contact() -> None:
        with holding(holder):
            async with asyncio.TaskGroup() as group:
                for _ in range(3):
                    group.create_task(branch())
                await asyncio.sleep(0.01)
                seen.append(pool.free)

    await contact()
    assert seen == [1]  # one slot freed, not three
    assert pool.active == 1 and holder.held
    await holder.release()
    assert pool.active == 0 and pool.free == 1


async def test_cancellation_anywhere_keeps_the_count_exact() -> None:
    pool = SlotPool(2)
    holders = []
    tasks = []
    for _ in range(6):
        pool.take()
        holder = Holder(pool)
        holders.append(holder)

        async def contact(holder: Holder = holder) -> None:
            with holding(holder):
                for _ in range(20):
                    await idle(0.001)
            await holder.release()

        tasks.append(asyncio.create_task(contact()))
    for step in range(30):  # cancel them at different points of their waits
        await asyncio.sleep(0.0005 * step)
        for task in tasks[: step % 7]:
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for holder in holders:  # what the worker does on its way out
        await holder.release()
    assert pool.active == 0 and pool.resuming == 0


async def test_contacts_back_from_a_wait_go_before_new_claims() -> None:
    pool = SlotPool(1)
    pool.take()
    holder = Holder(pool)
    await holder.release()
    pool.take()  # a newly claimed contact took the freed slot
    resumed = asyncio.create_task(holder.reacquire())
    await asyncio.sleep(0.01)
    assert pool.free == -1  # the claim loop takes nothing while someone waits to resume
    await pool.give_back()
    await resumed
    assert holder.held and pool.active == 1
