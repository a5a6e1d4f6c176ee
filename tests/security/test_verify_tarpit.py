"""Issue 15 item 3 (the verifier's part): one workspace's contacts at a domain whose MX
tarpits held every worker slot for minutes. Now a tarpitting host is cut off by per-step
timeouts and a per-host time budget (and then skipped by every check for a while), and a
contact waiting behind another contact's probe of the same domain, or for a busy host's
sessions, gives its worker slot back as greylisting waits do."""

from __future__ import annotations

import asyncio
import time

import pytest
from tests.rigs.loopback import MailBehaviour
from tests.verification.conftest import MakeRig, Rig, mx_zone

from openenrich.domain import EmailStatus
from openenrich.queue.slots import Holder, SlotPool, holding, slot_given_back
from openenrich.verification.details import Reason
from openenrich.verification.engine import EmailEngine

pytestmark = pytest.mark.anyio


def tarpit_rig(make_rig: MakeRig, delay: float) -> tuple[MailBehaviour, MailBehaviour, Rig]:
    # Every reply comes just inside the per-command timeout: only a budget stops it.
    tarpit = MailBehaviour(delay=delay)
    fast = MailBehaviour(mailboxes=frozenset({"ann@fast.example"}))
    zone = mx_zone(
        {
            "slow.example": [(10, "mx.slow.example", "127.0.0.2")],
            "fast.example": [(10, "mx.fast.example", "127.0.0.3")],
        }
    )
    return tarpit, fast, make_rig(zone, {"127.0.0.2": tarpit, "127.0.0.3": fast})


async def test_a_tarpit_costs_one_budget_not_one_per_contact(make_rig: MakeRig) -> None:
    tarpit, _, rig = tarpit_rig(make_rig, delay=0.4)
    engine = rig.engine(
        smtp_connect_timeout=1.0,
        smtp_command_timeout=1.0,
        smtp_host_budget_seconds=1.0,
        smtp_max_per_host=2,
        greylist_retry_seconds=[],
    )
    started = time.monotonic()
    verdicts = await asyncio.gather(*(engine.verify(f"u{i}@slow.example") for i in range(20)))
    elapsed = time.monotonic() - started
    await engine.aclose()
    assert {v.status for v in verdicts} == {EmailStatus.UNKNOWN}
    assert {v.reason for v in verdicts} == {Reason.TIMEOUT}
    # Two sessions spent the budget at once; the 18 others skipped the host.
    assert elapsed < 2.5, elapsed
    assert tarpit.connections <= 2


async def test_per_step_timeouts_cut_a_silent_host(make_rig: MakeRig) -> None:
    _, _, rig = tarpit_rig(make_rig, delay=30)
    engine = rig.engine(smtp_connect_timeout=0.3, greylist_retry_seconds=[])
    started = time.monotonic()
    verdict = await engine.verify("u@slow.example")
    await engine.aclose()
    assert verdict.status is EmailStatus.UNKNOWN
    assert time.monotonic() - started < 1.5


async def test_waiting_for_a_probe_lock_gives_the_worker_slot_back(make_rig: MakeRig) -> None:
    """Two worker slots: A probes the slow domain (holding its per-domain lock), B waits
    for that lock, and a third contact at another domain still starts at once."""
    _, _, rig = tarpit_rig(make_rig, delay=0.25)
    engine = EmailEngine(
        rig.settings(greylist_retry_seconds=[], smtp_host_budget_seconds=30),
        waiting=slot_given_back,
    )
    pool = SlotPool(2)
    started_at: dict[str, float] = {}
    t0 = time.monotonic()

    async def contact(name: str, run: asyncio.Future[object] | None = None) -> None:
        holder = Holder(pool)
        with holding(holder):
            started_at[name] = time.monotonic() - t0
            if name == "C":
                await engine.verify("ann@fast.example")
            else:
                await engine.find("Ann", "Lee", "slow.example")
            await holder.release()

    async def claim(name: str) -> asyncio.Task[None]:
        # What the claim loop does: a contact starts only on a free slot.
        while pool.free <= 0:
            await asyncio.sleep(0.01)
        pool.take()
        return asyncio.create_task(contact(name))

    a = await claim("A")
    await asyncio.sleep(0.1)  # A holds the slow domain's probe lock
    b = await claim("B")
    await asyncio.sleep(0.1)  # B waits for it, without its slot
    c = await claim("C")
    await c
    c_done = time.monotonic() - t0
    await asyncio.gather(a, b)
    a_done = time.monotonic() - t0
    await engine.aclose()
    assert started_at["C"] < 0.5, started_at
    assert c_done < a_done
