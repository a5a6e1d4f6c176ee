"""The worker pool: claim contacts with a lease, run them, sweep what others left behind."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from openenrich.db import Database
from openenrich.enrichment import repository as enrichments
from openenrich.enrichment.jobs import ContactJobs, Reservation
from openenrich.enrichment.models import ContactStatus, Enrichment
from openenrich.queue.slots import Holder, SlotPool, holding
from openenrich.queue.wake import Wakeup

log = logging.getLogger(__name__)


class WorkerPool:
    """Runs up to `concurrency` contacts at once in this process."""

    def __init__(
        self,
        db: Database,
        contact_jobs: ContactJobs,
        wakeup: Wakeup,
        *,
        concurrency: int,
        lease: timedelta,
        sweep_interval: float,
        poll_interval: float = 1.0,
        housekeeping: Sequence[Callable[[], Awaitable[object]]] = (),
        housekeeping_interval: float = 3600.0,
        grace: float = 10.0,
    ) -> None:
        self.db = db
        self.jobs = contact_jobs
        self.wakeup = wakeup
        self.concurrency = concurrency
        self.lease = lease
        self.sweep_interval = sweep_interval
        self.poll_interval = poll_interval
        self._running: set[asyncio.Task[None]] = set()
        self._leased: dict[str, enrichments.Claim] = {}  # contacts running here, by id
        self._stopping = asyncio.Event()
        self._stopped = asyncio.Event()  # nothing runs here any more: leases are let go
        self.grace = grace
        # Working contacts are capped by the slots; waiting ones (see `slots.idle`) are not,
        # up to this many in flight.
        self.slots = SlotPool(concurrency, on_free=wakeup.poke)
        self.max_in_flight = concurrency * 10
        # Slow chores (expired cache rows, old logs), run by the sweeper now and then.
        self.housekeeping = list(housekeeping)
        self.housekeeping_interval = housekeeping_interval
        self._next_housekeeping = 0.0

    def stop(self) -> None:
        """Ask `run` to return: no new claims, running contacts get `grace` seconds to
        finish (the rest are cancelled and come back when their lease runs out)."""
        self._stopping.set()
        self.wakeup.poke()

    async def run(self) -> None:
        sweeper = asyncio.create_task(self._sweep_forever())
        keeper = asyncio.create_task(self._keep_leases())
        try:
            while not self._stopping.is_set():
                free = min(self.slots.free, self.max_in_flight - len(self._running))
                claims: list[enrichments.Claim] = []
                reserved: dict[str, Reservation] = {}
                if free > 0:
                    async with self.db.transaction(short=True) as session:
                        claims = await enrichments.claim(session, self.lease, free)
                        # Their jobs started, their credits held: one balance UPDATE for them all.
                        reserved = await self.jobs.take_up(session, claims)
                for claim in claims:
                    self.slots.take()
                    held = reserved.get(claim.contact_id)
                    task = asyncio.create_task(self._run_one(claim, Holder(self.slots), held))
                    self._running.add(task)
                    task.add_done_callback(self._done)
                if not claims:
                    await self.wakeup.wait(self.poll_interval)
        finally:
            # Winding down without cancelling anything mid-transaction where it can be
            # helped: the sweeper and the lease keeper stop between transactions, the
            # keeper once the contacts that were running are written.
            self._stopping.set()
            running = list(self._running)
            if running:
                _, late = await asyncio.wait(running, timeout=self.grace)
                for task in late:
                    task.cancel()
            await asyncio.gather(sweeper, *running, return_exceptions=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.jobs.finished(), self.grace)
            self._stopped.set()
            await asyncio.gather(keeper, return_exceptions=True)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self.wakeup.poke()

    async def _keep_leases(self) -> None:
        """Renew the leases of every contact running here, in one statement a third of a
        lease apart, so only a dead worker loses them."""
        while not await _wait(self._stopped, self.lease.total_seconds() / 3):
            held = list(self._leased.values())
            try:
                async with self.db.transaction(short=True) as session:
                    await enrichments.renew_leases(session, held, self.lease)
            except Exception:
                log.warning("lease renewal failed; retrying", exc_info=True)

    async def _run_one(
        self, claim: enrichments.Claim, holder: Holder, reservation: Reservation | None
    ) -> None:
        self._leased[claim.contact_id] = claim
        try:
            with holding(holder):
                await self.jobs.run(claim, reservation)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # The type only: a message or traceback may quote contact data.
            log.error(
                "contact %s failed (attempt %d): %s",
                claim.contact_id,
                claim.attempt,
                type(error).__name__,
            )
            log.debug("contact %s failure", claim.contact_id, exc_info=True)
            failed = claim.attempt >= enrichments.MAX_ATTEMPTS
            status = ContactStatus.FAILED if failed else ContactStatus.QUEUED
            async with self.db.transaction(short=True) as session:
                # The enrichment's row before the balance's, as in a finish.
                enrichment = None
                if failed:
                    enrichment = await enrichments.lock_enrichment(session, claim.enrichment_id)
                await self.jobs.give_back(session, claim, status)
                if enrichment is not None:
                    await self.jobs.close_if_done(session, enrichment)
        finally:
            self._leased.pop(claim.contact_id, None)
            await holder.release()

    async def sweep(self) -> None:
        """Requeue expired leases (returning what their contacts held); close enrichments
        with nothing left to run."""
        async with self.db.transaction() as session:
            requeued = await self.jobs.requeue_expired(session)
            for enrichment_id in await enrichments.stalled_enrichments(session):
                enrichment = await session.get(Enrichment, enrichment_id)
                if enrichment is not None:
                    await self.jobs.close_if_done(session, enrichment)
        if requeued:
            log.info("requeued contacts of %d enrichments after expired leases", len(requeued))
            await self.wakeup.notify()
        if self.housekeeping and time.monotonic() >= self._next_housekeeping:
            self._next_housekeeping = time.monotonic() + self.housekeeping_interval
            for chore in self.housekeeping:
                await chore()

    async def _sweep_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.sweep()
            except Exception as error:
                log.error("sweep failed: %s", type(error).__name__)
                log.debug("sweep failure", exc_info=True)
            await _wait(self._stopping, self.sweep_interval)


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Whether `event` was set within `seconds`."""
    try:
        async with asyncio.timeout(seconds):  # not wait_for: it can swallow a cancel
            await event.wait()
    except TimeoutError:
        return False
    return True
