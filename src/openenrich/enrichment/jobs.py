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
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts import repository as accounts
from openenrich.accounts.models import LedgerEntry
from openenrich.db import Database, utcnow
from openenrich.domain import Field
from openenrich.enrichment import repository as enrichments
from openenrich.enrichment.bodies import dumps, envelope
from openenrich.enrichment.events import JobEvents
from openenrich.enrichment.models import Contact, ContactStatus, Enrichment, EnrichmentStatus
from openenrich.enrichment.processing import ContactScreen, Outcome, Processor, Withheld

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
    could not pay for every field asked: the job runs out of credits."""

    paid: frozenset[Field]
    held: int
    short: bool


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

    async def run(self, claim: enrichments.Claim) -> None:
        async with self.db.read() as session:
            enrichment = await session.get(Enrichment, claim.enrichment_id)
            contact = await session.get(Contact, claim.contact_id)
            assert enrichment is not None and contact is not None
        processor = self.processors[enrichment.kind]
        if EnrichmentStatus(enrichment.status).terminal:  # canceled meanwhile
            await self._skip(claim, exhausted=False)
            return
        outcome: Outcome
        short = False
        if self.screen is not None and await self.screen.blocks(
            enrichment.workspace_id, contact.input
        ):
            # On the opt-out list: no credits held, no source asked, nothing charged.
            outcome = Withheld(contact, processor)
        else:
            try:
                reservation = await self.reserve(claim, processor.chargeable(contact))
            except LeaseLost:
                log.info("contact %s lost its lease before it ran", claim.contact_id)
                return
            if reservation is None:
                await self._skip(claim, exhausted=False)
                return
            if not reservation.paid:
                await self._skip(claim, exhausted=True)
                return
            outcome = await processor.process(enrichment, contact, reservation.paid)
            short = reservation.short
        try:
            async with self.db.transaction() as session:
                await self._finish(session, claim, outcome, short)
        except LeaseLost:
            log.info("contact %s finished elsewhere; result dropped", claim.contact_id)

    async def reserve(self, claim: enrichments.Claim, wanted: list[Field]) -> Reservation | None:
        """Hold what the contact could be charged, cheapest fields first, as far as the
        balance goes. Items identical input already paid for within the dedup window cost
        nothing and need no hold. While other contacts' holds stand between this one and
        a field the balance itself could pay, wait for them to be charged or returned
        rather than drop the field. None if the job ended meanwhile; raises `LeaseLost`."""
        while True:
            async with self.db.transaction() as session:
                enrichment = await session.get(Enrichment, claim.enrichment_id)
                contact = await session.get(Contact, claim.contact_id)
                assert enrichment is not None and contact is not None
                if EnrichmentStatus(enrichment.status).terminal:
                    return None
                ws, sandbox = enrichment.workspace_id, enrichment.sandbox
                prices = await self._prices(session, ws, sandbox, contact.dedup_key, wanted)
                # A hold left by an earlier attempt of this very lease is reused, not added.
                mine = contact.held_credits
                funds = await accounts.funds(session, ws, sandbox)
                paid, held = affordable(wanted, prices, funds.available + mine)
                could, _ = affordable(wanted, prices, funds.balance)
                if len(paid) < len(could) and funds.reserved > mine:
                    wait = True
                else:
                    await accounts.unreserve(session, ws, sandbox, mine)
                    if not await accounts.reserve(session, ws, sandbox, held):
                        raise AssertionError("a hold within the available balance failed")
                    if not await enrichments.hold(session, claim, held):
                        raise LeaseLost  # rolls the reservation back
                    return Reservation(frozenset(paid), held, short=len(paid) < len(wanted))
            if wait:
                await self.sleep(self.reserve_poll)

    async def _prices(
        self, session: AsyncSession, ws: str, sandbox: bool, dedup_key: str, items: list[Field]
    ) -> dict[Field, int]:
        """What each item would cost this contact: free when already paid for within the
        dedup window (checked again when charging)."""
        since = utcnow() - self.pricing.dedup_window
        prices = {}
        for item in items:
            price = self.pricing.prices.get(item, 0)
            if price and await accounts.already_charged(
                session, ws, sandbox, dedup_key, item.key, since
            ):
                price = 0
            prices[item] = price
        return prices

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
        async with self.db.transaction() as session:
            enrichment = await enrichments.lock_enrichment(session, claim.enrichment_id)
            await self.give_back(session, claim, ContactStatus.SKIPPED)
            if exhausted:
                enrichment.credits_exhausted = True
                await enrichments.skip_queued(session, enrichment.id)
            await self.close_if_done(session, enrichment)

    async def _finish(
        self,
        session: AsyncSession,
        claim: enrichments.Claim,
        outcome: Outcome,
        short: bool,
    ) -> None:
        enrichment = await enrichments.lock_enrichment(session, claim.enrichment_id)
        if EnrichmentStatus(enrichment.status).terminal:  # canceled meanwhile: keep nothing
            await self.give_back(session, claim, ContactStatus.SKIPPED)
            return
        if not await enrichments.finish_contact(session, claim):
            raise LeaseLost
        contact = await session.get(Contact, claim.contact_id)
        assert contact is not None
        # The hold goes back first; the charges below fit in it (under the balance's lock).
        await accounts.unreserve(
            session, enrichment.workspace_id, enrichment.sandbox, contact.held_credits
        )
        contact.held_credits = 0
        cost, exhausted = await self._charge(session, enrichment, contact, outcome)
        exhausted = exhausted or short
        record = outcome.record()
        contact.result, contact.cost_credits = record, cost
        rows = outcome.finding_rows()
        if not self.keep_profiles:
            rows = [row for row in rows if row.kind != Field.PROFILE.key]
        enrichments.add_findings(session, contact.id, rows)
        enrichment.cost_credits += cost
        if exhausted:
            enrichment.credits_exhausted = True
            await enrichments.skip_queued(session, enrichment.id)
        if enrichment.contact_webhook_url:
            one = dumps(envelope(enrichment, [record]))
            await self.events.contact_finished(session, enrichment, one)
        await self.close_if_done(session, enrichment)

    async def _charge(
        self, session: AsyncSession, enrichment: Enrichment, contact: Contact, outcome: Outcome
    ) -> tuple[int, bool]:
        """Charge each found item once; identical input charged within the window is free.
        An item the balance cannot pay is withheld (shown nowhere, kept nowhere), and the
        job runs out of credits; with the hold returned just before, that happens only if
        the dedup window closed while the contact ran."""
        cost, exhausted = 0, False
        since = utcnow() - self.pricing.dedup_window
        await accounts.lock_dedup_key(
            session, enrichment.workspace_id, enrichment.sandbox, contact.dedup_key
        )
        for item in outcome.items():
            price = self.pricing.prices.get(item, 0)
            ws, sandbox = enrichment.workspace_id, enrichment.sandbox
            if price and await accounts.already_charged(
                session, ws, sandbox, contact.dedup_key, item.key, since
            ):
                price = 0
            if price and not await accounts.try_debit(session, ws, sandbox, price):
                outcome.without(item)
                exhausted = True
                continue
            session.add(
                LedgerEntry(
                    workspace_id=ws,
                    sandbox=sandbox,
                    amount=-price,
                    reason="charge" if price else "free",
                    item=item.key,
                    enrichment_id=enrichment.id,
                    contact_id=contact.id,
                    dedup_key=contact.dedup_key,
                )
            )
            cost += price
        return cost, exhausted

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
