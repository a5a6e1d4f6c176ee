"""Running one leased contact to the end, and closing the enrichment it belongs to.

Provider calls happen outside any transaction; the finish is one transaction that writes
the result, the ledger rows and the events, guarded by the lease so it happens once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
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
from openenrich.enrichment.processing import Outcome, Processor

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker finished this contact first; this result is dropped."""


@dataclass(frozen=True, slots=True)
class Pricing:
    prices: Mapping[Field, int]
    dedup_window: timedelta


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
    ) -> None:
        self.db = db
        self.processors = processors
        self.events = events
        self.pricing = pricing

    async def run(self, claim: enrichments.Claim) -> None:
        async with self.db.read() as session:
            enrichment = await session.get(Enrichment, claim.enrichment_id)
            contact = await session.get(Contact, claim.contact_id)
            assert enrichment is not None and contact is not None
            funds = await accounts.balance(session, enrichment.workspace_id, enrichment.sandbox)
        processor = self.processors[enrichment.kind]
        ended = EnrichmentStatus(enrichment.status).terminal  # canceled meanwhile
        if ended or funds <= 0:
            await self._skip(claim, exhausted=not ended)
            return
        outcome = await processor.process(enrichment, contact)
        try:
            async with self.db.transaction() as session:
                await self._finish(session, claim, outcome, processor)
        except LeaseLost:
            log.info("contact %s finished elsewhere; result dropped", claim.contact_id)

    async def _skip(self, claim: enrichments.Claim, exhausted: bool) -> None:
        async with self.db.transaction() as session:
            enrichment = await enrichments.lock_enrichment(session, claim.enrichment_id)
            await enrichments.release(session, claim, ContactStatus.SKIPPED)
            if exhausted:
                enrichment.credits_exhausted = True
                await enrichments.skip_queued(session, enrichment.id)
            await self.close_if_done(session, enrichment)

    async def _finish(
        self,
        session: AsyncSession,
        claim: enrichments.Claim,
        outcome: Outcome,
        processor: Processor,
    ) -> None:
        enrichment = await enrichments.lock_enrichment(session, claim.enrichment_id)
        if EnrichmentStatus(enrichment.status).terminal:  # canceled meanwhile: keep nothing
            await enrichments.release(session, claim, ContactStatus.SKIPPED)
            return
        if not await enrichments.finish_contact(session, claim):
            raise LeaseLost
        contact = await session.get(Contact, claim.contact_id)
        assert contact is not None
        cost, exhausted = await self._charge(session, enrichment, contact, outcome)
        record = outcome.record()
        contact.result, contact.cost_credits = record, cost
        enrichments.add_findings(session, contact.id, outcome.finding_rows())
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
        An item the balance cannot pay is withheld, and the job runs out of credits."""
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
