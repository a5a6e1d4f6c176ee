"""Running one leased contact to the end, and closing the enrichment it belongs to.

Before any provider is asked, the contact reserves what it could be charged (the prices of
the fields it asks for) from its workspace's balance: a field the balance cannot cover is
not asked for, so provider spend never runs ahead of what the workspace can pay. Provider
calls happen outside any transaction; the finish is one transaction that returns the
hold, charges what was found and kept (never more than the hold), and writes the result,
the ledger rows and the events, guarded by the lease so it happens once. A hold that a
dead worker's contact kept is returned by the sweeper when the lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts import limits
from openenrich.accounts import repository as accounts
from openenrich.db import Database, utcnow
from openenrich.domain import Field
from openenrich.enrichment import repository as enrichments
from openenrich.enrichment.bodies import dumps, envelope
from openenrich.enrichment.events import JobEvents
from openenrich.enrichment.finishing import (
    Doubt,
    Finish,
    finish_together,
    kept_findings,
    ledger_entries,
)
from openenrich.enrichment.models import Contact, ContactStatus, Enrichment, EnrichmentStatus
from openenrich.enrichment.processing import ContactScreen, Outcome, Processor, Withheld
from openenrich.queue.group_commit import GroupCommit

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker finished this contact first; this result is dropped."""


@dataclass(frozen=True, slots=True)
class Pricing:
    prices: Mapping[Field, int]
    dedup_window: timedelta


def affordable(
    wanted: Iterable[Field], prices: Mapping[Field, int], budget: int
) -> tuple[list[Field], int]:
    """The cheapest items first, as many as `budget` pays for, and their total. A prefix of
    the cheapest-first order, so a larger budget never affords fewer."""
    chosen, total = [], 0
    for item in sorted(wanted, key=lambda f: prices.get(f, 0)):
        price = prices.get(item, 0)
        if total + price > budget:
            break
        chosen.append(item)
        total += price
    return chosen, total


@dataclass(frozen=True, slots=True)
class Reservation:
    """What a contact may ask for and the credits held for it. `short` when the balance
    could not pay for every field asked: the job runs out of credits. With the rows read
    when the hold was taken (as they were then: only their fixed fields are relied on)."""

    paid: frozenset[Field]
    held: int
    short: bool
    enrichment: Enrichment | None = field(default=None, compare=False, repr=False)
    contact: Contact | None = field(default=None, compare=False, repr=False)


class _Recheck(Exception):
    """The balance did not cover a finish's charges at once: redo it item by item."""


class _Ended(Exception):
    """The enrichment ended (canceled) while the contact ran: it keeps nothing."""


# What the record of a contact whose every attempt failed carries besides its empty
# result, so a FINISHED job never hides one (it is not charged).
CONTACT_FAILED = {
    "code": "error.contact.failed",
    "message": "This contact could not be processed; nothing was charged for it",
}


async def records_of(
    session: AsyncSession, enrichment: Enrichment, processor: Processor
) -> list[dict[str, Any]]:
    """Records of every contact that has one: done contacts their result, skipped ones an
    empty record (credits ran out), failed ones an empty record with `error`, running
    ones nothing."""
    records = []
    for contact in await enrichments.contacts_of(session, enrichment.id):
        if contact.result is not None:
            records.append(contact.result)
        elif contact.status == ContactStatus.SKIPPED:
            records.append(processor.empty_record(contact))
        elif contact.status == ContactStatus.FAILED:
            records.append({**processor.empty_record(contact), "error": dict(CONTACT_FAILED)})
    return records


class ContactJobs:
    def __init__(
        self,
        db: Database,
        processors: Mapping[str, Processor],
        events: JobEvents,
        pricing: Pricing,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        reserve_poll: float = 0.2,
        screen: ContactScreen | None = None,
        keep_profiles: bool = True,
    ) -> None:
        self.db = db
        self.processors = processors
        self.events = events
        self.pricing = pricing
        # Waiting for other contacts' holds (inside a worker: without holding a slot).
        self.sleep = sleep
        self.reserve_poll = reserve_poll
        # Contacts on the opt-out list reach no source and cost nothing.
        self.screen = screen
        # Off: profiles are kept only inside the result record, never as findings.
        self.keep_profiles = keep_profiles
        # Contacts that end together are finished in one transaction.
        self._finishes = GroupCommit(self.finish)

    async def run(self, claim: enrichments.Claim, reservation: Reservation | None = None) -> None:
        """Run a claimed contact to its end; `reservation`: its hold, when the claim took
        it (`take_up`). Contacts that end together are finished together."""
        finish = await self.execute(claim, reservation)
        if finish is not None:
            await self._finishes.submit(finish)

    async def execute(
        self, claim: enrichments.Claim, reservation: Reservation | None = None
    ) -> Finish | None:
        """Reserve (unless the claim did), then ask the sources: what finishing the
        contact writes, or None when it ended without a result (skipped)."""
        if reservation is None:
            try:
                reservation = await self._reserve(claim, None)
            except LeaseLost:
                log.info("contact %s lost its lease before it ran", claim.contact_id)
                return None
        if reservation is None:  # canceled meanwhile
            await self._skip(claim, exhausted=False)
            return None
        enrichment, contact = reservation.enrichment, reservation.contact
        assert enrichment is not None and contact is not None
        processor = self.processors[enrichment.kind]
        outcome: Outcome
        if self.screen is not None and await self.screen.blocks(
            enrichment.workspace_id, contact.input
        ):
            # On the opt-out list: no source asked, nothing charged, its hold returned.
            outcome = Withheld(contact, processor)
        elif not reservation.paid:
            await self._skip(claim, exhausted=True)
            return None
        else:
            outcome = await processor.process(enrichment, contact, reservation.paid)
        return Finish(claim, outcome, enrichment, contact, reservation.held, reservation.short)

    async def finished(self) -> None:
        """Return once every contact handed in to be finished is written (on shutdown)."""
        await self._finishes.idle()

    async def finish(self, group: list[Finish]) -> list[BaseException | None]:
        """Finish contacts that ended together in one transaction; when that one meets a
        case it leaves to the careful way (`Doubt`), or fails, each on its own. Per
        contact, the error it ended with, or None."""
        try:
            async with self.db.transaction(short=True) as session:
                await self.finish_together(session, group)
            return [None] * len(group)
        except Doubt:
            pass
        except Exception as error:  # a deadlock, say: one at a time settles it
            log.info("finishing %d contacts together failed: %s", len(group), type(error).__name__)
        errors: list[BaseException | None] = []
        for finish in group:
            try:
                await self.finish_alone(finish)
            except Exception as error:
                errors.append(error)
            else:
                errors.append(None)
        return errors

    async def finish_together(self, session: AsyncSession, group: list[Finish]) -> None:
        """`finishing.finish_together` with this machinery's prices and events: in
        `session`, or raises `Doubt`."""
        await finish_together(
            session,
            group,
            prices=self.pricing.prices,
            since=utcnow() - self.pricing.dedup_window,
            keep_profiles=self.keep_profiles,
            events=self.events,
            close=self.close_if_done,
        )

    async def finish_alone(self, finish: Finish) -> None:
        """Finish one contact in transactions of its own, the careful way when its
        charges need it (`_finish`)."""
        claim = finish.claim
        careful = False
        while True:
            try:
                async with self.db.transaction(short=True) as session:
                    await self._finish(session, finish, careful)
            except _Recheck:
                careful = True
                continue
            except _Ended:
                await self._skip(claim, exhausted=False)
            except LeaseLost:
                log.info("contact %s finished elsewhere; result dropped", claim.contact_id)
            return

    async def take_up(
        self, session: AsyncSession, claims: Sequence[enrichments.Claim]
    ) -> dict[str, Reservation]:
        """In the claiming transaction: start the jobs of the contacts just claimed, and
        hold their credits, by contact id, for each workspace and mode whose balance
        covers every field of all of them (one balance UPDATE for them all). The others
        are left out and reserve on their own when they run (`reserve`)."""
        if not claims:
            return {}
        rows = await enrichments.claimed_rows(session, claims)
        await enrichments.start_jobs(
            session,
            {
                row.enrichment.id
                for row in rows.values()
                if row.enrichment.status == EnrichmentStatus.CREATED
            },
        )
        tenants: dict[tuple[str, bool], list[tuple[enrichments.Claim, list[Field]]]] = {}
        for claim in claims:
            row = rows[claim.contact_id]
            enrichment, contact = row.enrichment, row.contact
            if EnrichmentStatus(enrichment.status).terminal or contact.held_credits:
                continue
            if enrichment.max_credits is not None or enrichment.sub_account_id is not None:
                continue  # limits of its own: it reserves through `limits.allowance`
            if row.monthly_budget is not None:
                continue  # a workspace budget: each contact reserves within it
            wanted = self.processors[enrichment.kind].chargeable(contact)
            tenant = (enrichment.workspace_id, enrichment.sandbox)
            tenants.setdefault(tenant, []).append((claim, wanted))
        reserved: dict[str, Reservation] = {}
        for (ws, sandbox), group in tenants.items():
            holds = await self._hold_together(session, ws, sandbox, group, rows)
            if not holds:
                continue
            for (claim, wanted), (_, total) in zip(group, holds, strict=True):
                row = rows[claim.contact_id]
                reserved[claim.contact_id] = Reservation(
                    frozenset(wanted), total, False, row.enrichment, row.contact
                )
        return reserved

    async def _hold_together(
        self,
        session: AsyncSession,
        ws: str,
        sandbox: bool,
        group: list[tuple[enrichments.Claim, list[Field]]],
        rows: Mapping[str, enrichments.Claimed],
    ) -> list[tuple[enrichments.Claim, int]]:
        """Hold every field of every contact of `group`, or nothing ([]). At full price
        first: when the balance covers that (the common case) no ledger is read. Else
        inputs already paid for within the dedup window hold nothing for those items.
        Either way the finish charges only what is due. Contacts' rows are written before
        the balance's, in the order of the finish and the sweeper."""
        prices = self.pricing.prices
        holds = [(claim, sum(prices.get(item, 0) for item in wanted)) for claim, wanted in group]
        for precise in (False, True):
            if precise:
                since = utcnow() - self.pricing.dedup_window
                keys = {rows[claim.contact_id].contact.dedup_key for claim, _ in group}
                items = {item.key for _, wanted in group for item in wanted}
                paid = await accounts.charged_keys(session, ws, sandbox, keys, items, since)
                holds = [
                    (
                        claim,
                        sum(
                            0
                            if (rows[claim.contact_id].contact.dedup_key, item.key) in paid
                            else prices.get(item, 0)
                            for item in wanted
                        ),
                    )
                    for claim, wanted in group
                ]
            if await enrichments.hold_each(session, holds) != len(holds):
                raise AssertionError("a contact lost the lease it was just given")
            if await accounts.reserve(session, ws, sandbox, sum(total for _, total in holds)):
                return holds
        await enrichments.hold_each(session, [(claim, 0) for claim, _ in group])
        return []

    async def reserve(self, claim: enrichments.Claim, wanted: list[Field]) -> Reservation | None:
        """Hold what the contact could be charged, cheapest fields first, as far as the
        spending limits go (`limits.allowance`: balance, job cap, monthly limits). Items
        identical input already paid for within the dedup window cost nothing and need no
        hold. While other contacts' holds stand between this one and a field the limits
        themselves would allow, wait for them to be charged or returned
        rather than drop the field. None if the job ended meanwhile; raises `LeaseLost`."""
        return await self._reserve(claim, wanted)

    async def _reserve(
        self, claim: enrichments.Claim, wanted: list[Field] | None
    ) -> Reservation | None:
        """`reserve`; what the contact's processor says it could be charged for when
        `wanted` is None."""
        while True:
            async with self.db.transaction(short=True) as session:
                enrichment, contact = await enrichments.claimed(session, claim)
                if EnrichmentStatus(enrichment.status).terminal:
                    return None
                if wanted is None:
                    wanted = self.processors[enrichment.kind].chargeable(contact)
                ws, sandbox = enrichment.workspace_id, enrichment.sandbox
                prices = await self._prices(session, ws, sandbox, contact.dedup_key, wanted)
                # A hold left by an earlier attempt of this very lease is reused, not added.
                mine = contact.held_credits
                # The common case first: nothing held yet and every limit covers every field
                # (`limits.allowance`: balance, job cap, monthly limits). The contact's row
                # is written before the balance's, in the order of the finish and the
                # sweeper (no lock cycle on PostgreSQL).
                total = sum(prices[item] for item in wanted)
                allowed = await limits.allowance(session, enrichment)
                if mine == 0 and total <= allowed.remaining:
                    if not await enrichments.hold(session, claim, total):
                        raise LeaseLost
                    if await accounts.reserve(session, ws, sandbox, total):
                        return Reservation(frozenset(wanted), total, False, enrichment, contact)
                    allowed = await limits.allowance(session, enrichment)
                paid, held = affordable(wanted, prices, allowed.remaining + mine)
                could, _ = affordable(wanted, prices, allowed.ceiling)
                wait = len(paid) < len(could) and allowed.reserved > mine
                # The hold recorded on the contact: what it holds once this commits.
                if not await enrichments.hold(session, claim, mine if wait else held):
                    raise LeaseLost
                if not wait:
                    await accounts.unreserve(session, ws, sandbox, mine)
                    if not await accounts.reserve(session, ws, sandbox, held):
                        raise AssertionError("a hold within the available balance failed")
                    return Reservation(
                        frozenset(paid), held, len(paid) < len(wanted), enrichment, contact
                    )
            await self.sleep(self.reserve_poll)

    async def _prices(
        self, session: AsyncSession, ws: str, sandbox: bool, dedup_key: str, items: list[Field]
    ) -> dict[Field, int]:
        """What each item would cost this contact: free when already paid for within the
        dedup window (checked again when charging)."""
        since = utcnow() - self.pricing.dedup_window
        priced = [item for item in items if self.pricing.prices.get(item, 0)]
        paid = await accounts.charged_items(
            session, ws, sandbox, dedup_key, [item.key for item in priced], since
        )
        return {item: 0 if item.key in paid else self.pricing.prices.get(item, 0) for item in items}

    async def give_back(
        self, session: AsyncSession, claim: enrichments.Claim, status: ContactStatus
    ) -> None:
        """End a lease without a result (queued again, skipped, failed), returning the
        contact's hold to its balance."""
        held = await enrichments.release(session, claim, status)
        await self._unhold(session, claim.enrichment_id, held)

    async def requeue_expired(self, session: AsyncSession) -> list[str]:
        """The sweeper's part: contacts of dead workers back to the queue, their holds
        back to the balances (each once: the lease fences the dead worker's finish).
        Returns the enrichments concerned."""
        expired = await enrichments.requeue_expired(session, utcnow())
        for item in expired:
            await self._unhold(session, item.enrichment_id, item.held)
        return sorted({e.enrichment_id for e in expired})

    async def _unhold(self, session: AsyncSession, enrichment_id: str, held: int) -> None:
        if held:
            enrichment = await session.get(Enrichment, enrichment_id)
            assert enrichment is not None
            await accounts.unreserve(session, enrichment.workspace_id, enrichment.sandbox, held)

    async def _skip(self, claim: enrichments.Claim, exhausted: bool) -> None:
        async with self.db.transaction(short=True) as session:
            # Rows in the order of every finish: the contact, the enrichment, the balance.
            held = await enrichments.release(session, claim, ContactStatus.SKIPPED)
            enrichment = await enrichments.lock_enrichment(session, claim.enrichment_id)
            await self._unhold(session, enrichment.id, held)
            if EnrichmentStatus(enrichment.status).terminal:
                return
            if exhausted:
                enrichment.credits_exhausted = True
                await enrichments.skip_queued(session, enrichment.id)
            await self.close_if_done(session, enrichment)

    async def _finish(self, session: AsyncSession, finish: Finish, careful: bool) -> None:
        """Write the contact's result and charges, return its hold, add its cost to the
        enrichment and close the enrichment if it was the last. Rows are locked in one
        order (the dedup key, the contact, the enrichment, the balance) and the shared
        ones last, so finishes of one job or one workspace overlap in all but their last
        statements. Raises `LeaseLost` (someone else finished it), `_Ended` (the job was
        canceled meanwhile) or `_Recheck` (the balance did not cover the charges at once,
        which happens only if the dedup window closed while the contact ran: `careful`
        then charges item by item, withholding what it cannot pay)."""
        claim, outcome, enrichment = finish.claim, finish.outcome, finish.enrichment
        ws, sandbox = enrichment.workspace_id, enrichment.sandbox
        dedup_key = finish.contact.dedup_key
        await accounts.lock_dedup_key(session, ws, sandbox, dedup_key)
        prices = await self._prices(session, ws, sandbox, dedup_key, outcome.items())
        own = outcome.own_key_items()  # found only with the workspace's own provider keys
        prices.update((item, 0) for item in own if item in prices)
        exhausted = finish.short
        record = outcome.record()
        if not await enrichments.finish_contact(
            session, claim, None if careful else record, sum(prices.values())
        ):
            raise LeaseLost
        if careful:
            if await enrichments.add_costs(session, enrichment.id, 0, False) is None:
                raise _Ended
            # The hold goes back first; the charges below fit in it and in every spending
            # limit (under the balance's lock). The lease held, so the contact's hold is
            # the reservation's.
            await accounts.unreserve(session, ws, sandbox, finish.held)
            current = await session.get(Enrichment, enrichment.id, populate_existing=True)
            assert current is not None
            left = (await limits.allowance(session, current, lock=True)).remaining
            for item, price in list(prices.items()):
                if price and (
                    price > left or not await accounts.try_debit(session, ws, sandbox, price)
                ):
                    outcome.without(item)
                    del prices[item]
                    exhausted = True
                    continue
                left -= price
            record = outcome.record()
            await enrichments.set_result(session, claim.contact_id, record, sum(prices.values()))
        cost = sum(prices.values())
        if not careful and cost > finish.held:
            raise _Recheck  # the dedup window closed meanwhile: charge within every limit
        await accounts.add_entries(session, ledger_entries(finish, prices))
        await enrichments.insert_findings(
            session, [(claim.contact_id, kept_findings(outcome, self.keep_profiles))]
        )
        unfinished = await enrichments.add_costs(session, enrichment.id, cost, exhausted)
        if unfinished is None:
            raise _Ended
        if exhausted:
            await enrichments.skip_queued(session, enrichment.id)
            unfinished = await enrichments.unfinished_count(session, enrichment.id)
        last = not unfinished
        if last or enrichment.contact_webhook_url:
            current = await session.get(Enrichment, enrichment.id, populate_existing=True)
            assert current is not None
            if current.contact_webhook_url:
                one = dumps(envelope(current, [record]))
                await self.events.contact_finished(session, current, one)
            if last:
                await self.close_if_done(session, current)
        # The balance's row last: the workspace's finishes queue on it the least.
        if not careful and not await accounts.settle(session, ws, sandbox, finish.held, cost):
            raise _Recheck

    async def close_if_done(self, session: AsyncSession, enrichment: Enrichment) -> bool:
        """Make the enrichment terminal once no contact is left to run. Idempotent."""
        if EnrichmentStatus(enrichment.status).terminal:
            return False
        if await enrichments.unfinished_count(session, enrichment.id):
            return False
        await self._finalise(
            session,
            enrichment,
            EnrichmentStatus.CREDITS_INSUFFICIENT
            if enrichment.credits_exhausted
            else EnrichmentStatus.FINISHED,
        )
        return True

    async def cancel(self, session: AsyncSession, enrichment_id: str) -> Enrichment | None:
        """Stop a job: queued contacts are skipped, running ones keep nothing, and the job
        ends CANCELED with what was done so far. None if it had already ended."""
        enrichment = await enrichments.lock_enrichment(session, enrichment_id)
        if EnrichmentStatus(enrichment.status).terminal:
            return None
        await enrichments.skip_queued(session, enrichment.id)
        await self._finalise(session, enrichment, EnrichmentStatus.CANCELED)
        return enrichment

    async def _finalise(
        self, session: AsyncSession, enrichment: Enrichment, status: EnrichmentStatus
    ) -> None:
        enrichment.status = status
        enrichment.finished_at = enrichment.updated_at = utcnow()
        processor = self.processors[enrichment.kind]
        records = await records_of(session, enrichment, processor)
        enrichment.result_body = dumps(envelope(enrichment, records))
        await self.events.enrichment_finished(session, enrichment, enrichment.result_body)
