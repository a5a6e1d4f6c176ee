"""The dashboard's reads: keyset-paginated over indexed columns, so a page costs the same
with ten enrichments or a hundred thousand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts.models import ApiKey, LedgerEntry
from openenrich.enrichment.models import (
    Contact,
    ContactStatus,
    Enrichment,
    EnrichmentStatus,
    FindingRow,
)


@dataclass(frozen=True, slots=True)
class EnrichmentLine:
    id: str
    name: str
    status: str
    kind: str
    created_at: datetime
    contacts: int
    done: int
    cost: int

    @property
    def percent(self) -> int:
        return 100 if not self.contacts else int(100 * self.done / self.contacts)


def cursor_of(moment: datetime, row_id: str) -> str:
    return f"{moment.isoformat()}|{row_id}"


def parse_cursor(value: str | None) -> tuple[datetime, str] | None:
    if not value or "|" not in value:
        return None
    moment, _, row_id = value.partition("|")
    try:
        return datetime.fromisoformat(moment), row_id
    except ValueError:
        return None


async def enrichments_page(
    session: AsyncSession, workspace_id: str, sandbox: bool, before: str | None, size: int
) -> tuple[list[EnrichmentLine], str | None]:
    """Newest first; the next page's cursor, or None on the last page."""
    query = select(Enrichment).where(
        Enrichment.workspace_id == workspace_id, Enrichment.sandbox == sandbox
    )
    cursor = parse_cursor(before)
    if cursor is not None:
        moment, row_id = cursor
        query = query.where(
            or_(
                Enrichment.created_at < moment,
                and_(Enrichment.created_at == moment, Enrichment.id < row_id),
            )
        )
    query = query.order_by(Enrichment.created_at.desc(), Enrichment.id.desc()).limit(size + 1)
    found = list((await session.execute(query)).scalars())
    more = len(found) > size
    found = found[:size]
    running = [e.id for e in found if not EnrichmentStatus(e.status).terminal]
    done: dict[str, int] = {}
    if running:
        counted = await session.execute(
            select(Contact.enrichment_id, func.count())
            .where(
                Contact.enrichment_id.in_(running),
                Contact.status.in_(
                    (ContactStatus.DONE, ContactStatus.SKIPPED, ContactStatus.FAILED)
                ),
            )
            .group_by(Contact.enrichment_id)
        )
        done = {row[0]: int(row[1]) for row in counted.all()}
    lines = [
        EnrichmentLine(
            id=e.id,
            name=e.name,
            status=e.status,
            kind=e.kind,
            created_at=e.created_at,
            contacts=e.contact_count,
            done=e.contact_count if EnrichmentStatus(e.status).terminal else done.get(e.id, 0),
            cost=e.cost_credits,
        )
        for e in found
    ]
    next_cursor = cursor_of(found[-1].created_at, found[-1].id) if more and found else None
    return lines, next_cursor


async def enrichment_of(
    session: AsyncSession, enrichment_id: str, workspace_id: str
) -> Enrichment | None:
    enrichment = await session.get(Enrichment, enrichment_id)
    if enrichment is None or enrichment.workspace_id != workspace_id:
        return None
    return enrichment


@dataclass(frozen=True, slots=True)
class ContactLine:
    idx: int
    status: str
    input: dict[str, Any]
    cost: int
    findings: list[FindingRow]
    record: dict[str, Any] | None


async def contacts_with_findings(session: AsyncSession, enrichment_id: str) -> list[ContactLine]:
    """Every contact of one enrichment (at most 100) and every value found for it."""
    contacts = list(
        (
            await session.execute(
                select(Contact).where(Contact.enrichment_id == enrichment_id).order_by(Contact.idx)
            )
        ).scalars()
    )
    by_contact: dict[str, list[FindingRow]] = {}
    if contacts:
        rows = await session.execute(
            select(FindingRow)
            .where(FindingRow.contact_id.in_([c.id for c in contacts]))
            .order_by(FindingRow.id)
        )
        for row in rows.scalars():
            by_contact.setdefault(row.contact_id, []).append(row)
    return [
        ContactLine(
            idx=c.idx,
            status=c.status,
            input=c.input,
            cost=c.cost_credits,
            findings=by_contact.get(c.id, []),
            record=c.result,
        )
        for c in contacts
    ]


@dataclass(frozen=True, slots=True)
class LedgerLine:
    id: int
    created_at: datetime
    amount: int
    reason: str
    item: str | None
    enrichment_id: str | None
    enrichment_name: str | None


async def ledger_page(
    session: AsyncSession, workspace_id: str, sandbox: bool, before: int | None, size: int
) -> tuple[list[LedgerLine], int | None]:
    query = (
        select(LedgerEntry, Enrichment.name)
        .outerjoin(Enrichment, Enrichment.id == LedgerEntry.enrichment_id)
        .where(LedgerEntry.workspace_id == workspace_id, LedgerEntry.sandbox == sandbox)
    )
    if before is not None:
        query = query.where(LedgerEntry.id < before)
    query = query.order_by(LedgerEntry.id.desc()).limit(size + 1)
    found = (await session.execute(query)).all()
    more = len(found) > size
    lines = [
        LedgerLine(
            id=entry.id,
            created_at=entry.created_at,
            amount=entry.amount,
            reason=entry.reason,
            item=entry.item,
            enrichment_id=entry.enrichment_id,
            enrichment_name=name,
        )
        for entry, name in found[:size]
    ]
    return lines, (lines[-1].id if more and lines else None)


async def keys_of(session: AsyncSession, workspace_id: str) -> list[ApiKey]:
    query = (
        select(ApiKey)
        .where(ApiKey.workspace_id == workspace_id)
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc())
    )
    return list((await session.execute(query)).scalars())
