"""SQL of enrichment jobs. Callers own the transaction; every write here is idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import rows_affected, utcnow
from openenrich.enrichment.models import (
    Contact,
    ContactStatus,
    Enrichment,
    EnrichmentStatus,
    FindingRow,
)

_OPEN = (EnrichmentStatus.CREATED.value, EnrichmentStatus.IN_PROGRESS.value)
# A contact whose attempts all failed or killed their worker ends FAILED, not in a loop.
MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Claim:
    """A contact leased to one worker; `attempt` fences out an earlier, expired lease."""

    contact_id: str
    enrichment_id: str
    attempt: int


async def get_enrichment(
    session: AsyncSession, enrichment_id: str, workspace_id: str, sandbox: bool, kind: str
) -> Enrichment | None:
    """A job as its workspace sees it: live keys see live jobs, sandbox keys sandbox jobs."""
    return (
        await session.execute(
            select(Enrichment).where(
                Enrichment.id == enrichment_id,
                Enrichment.workspace_id == workspace_id,
                Enrichment.sandbox == sandbox,
                Enrichment.kind == kind,
            )
        )
    ).scalar_one_or_none()


async def contacts_of(
    session: AsyncSession, enrichment_id: str, statuses: Sequence[str] | None = None
) -> list[Contact]:
    query = select(Contact).where(Contact.enrichment_id == enrichment_id)
    if statuses is not None:
        query = query.where(Contact.status.in_(statuses))
    return list((await session.execute(query.order_by(Contact.idx))).scalars())


async def claim(session: AsyncSession, lease: timedelta, limit: int) -> list[Claim]:
    """Lease up to `limit` queued contacts, oldest first. A conditional UPDATE, so two
    workers never hold the same contact; PostgreSQL also skips rows being claimed."""
    now = utcnow()
    pick = (
        select(Contact.id)
        .where(Contact.status == ContactStatus.QUEUED)
        .order_by(Contact.queued_at, Contact.idx)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    rows = (
        await session.execute(
            update(Contact)
            .where(Contact.id.in_(pick.scalar_subquery()), Contact.status == ContactStatus.QUEUED)
            .values(
                status=ContactStatus.RUNNING,
                attempts=Contact.attempts + 1,
                lease_expires_at=now + lease,
            )
            .returning(Contact.id, Contact.enrichment_id, Contact.attempts)
        )
    ).all()
    claims = [Claim(r[0], r[1], r[2]) for r in rows]
    if claims:
        await session.execute(
            update(Enrichment)
            .where(
                Enrichment.id.in_({c.enrichment_id for c in claims}),
                Enrichment.status == EnrichmentStatus.CREATED,
            )
            .values(status=EnrichmentStatus.IN_PROGRESS, updated_at=now)
        )
    return claims


async def lock_enrichment(session: AsyncSession, enrichment_id: str) -> Enrichment:
    """Take the row lock first (by touching the row), so that the finishes of one enrichment
    serialise and exactly one of them sees the last contact done."""
    await session.execute(
        update(Enrichment).where(Enrichment.id == enrichment_id).values(updated_at=utcnow())
    )
    enrichment = await session.get(Enrichment, enrichment_id, populate_existing=True)
    assert enrichment is not None
    return enrichment


async def finish_contact(session: AsyncSession, claim: Claim) -> bool:
    """Mark a leased contact done (its result is written in the same transaction). False
    when the lease was lost: someone else finished it."""
    done = await session.execute(
        update(Contact)
        .where(
            Contact.id == claim.contact_id,
            Contact.status == ContactStatus.RUNNING,
            Contact.attempts == claim.attempt,
        )
        .values(
            status=ContactStatus.DONE,
            finished_at=utcnow(),
            lease_expires_at=None,
        )
    )
    return bool(rows_affected(done))


async def skip_queued(session: AsyncSession, enrichment_id: str) -> None:
    await session.execute(
        update(Contact)
        .where(Contact.enrichment_id == enrichment_id, Contact.status == ContactStatus.QUEUED)
        .values(status=ContactStatus.SKIPPED, finished_at=utcnow())
    )


async def release(session: AsyncSession, claim: Claim, status: ContactStatus) -> None:
    """Give a leased contact back (queued) or end it without a result (skipped, failed)."""
    await session.execute(
        update(Contact)
        .where(
            Contact.id == claim.contact_id,
            Contact.status == ContactStatus.RUNNING,
            Contact.attempts == claim.attempt,
        )
        .values(status=status, lease_expires_at=None, queued_at=utcnow())
    )


async def renew_lease(session: AsyncSession, claim: Claim, lease: timedelta) -> bool:
    """Extend a lease still held; False once it was lost."""
    result = await session.execute(
        update(Contact)
        .where(
            Contact.id == claim.contact_id,
            Contact.status == ContactStatus.RUNNING,
            Contact.attempts == claim.attempt,
        )
        .values(lease_expires_at=utcnow() + lease)
    )
    return bool(rows_affected(result))


async def unfinished_count(session: AsyncSession, enrichment_id: str) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Contact)
            .where(
                Contact.enrichment_id == enrichment_id,
                Contact.status.in_((ContactStatus.QUEUED, ContactStatus.RUNNING)),
            )
        )
        or 0
    )


def add_findings(session: AsyncSession, contact_id: str, rows: Sequence[FindingRow]) -> None:
    for row in rows:
        row.contact_id = contact_id
        session.add(row)


async def requeue_expired(session: AsyncSession, now: datetime) -> list[str]:
    """Contacts whose lease ran out (a killed worker) go back to the queue, unless they
    have used up their attempts (a contact that kills its worker each time): FAILED."""
    status = case(
        (Contact.attempts >= MAX_ATTEMPTS, ContactStatus.FAILED.value),
        else_=ContactStatus.QUEUED.value,
    )
    rows = (
        await session.execute(
            update(Contact)
            .where(Contact.status == ContactStatus.RUNNING, Contact.lease_expires_at < now)
            .values(status=status, lease_expires_at=None)
            .returning(Contact.enrichment_id)
        )
    ).all()
    return sorted({r[0] for r in rows})


async def stalled_enrichments(session: AsyncSession) -> list[str]:
    """Open enrichments with no contact left to run: finalise them (a crash between the
    last finish and the finalisation cannot happen, but an empty job can)."""
    pending = (
        select(Contact.id)
        .where(
            Contact.enrichment_id == Enrichment.id,
            Contact.status.in_((ContactStatus.QUEUED, ContactStatus.RUNNING)),
        )
        .exists()
    )
    rows = await session.execute(
        select(Enrichment.id).where(and_(Enrichment.status.in_(_OPEN), ~pending)).limit(100)
    )
    return [r[0] for r in rows]
