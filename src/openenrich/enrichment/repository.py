"""SQL of enrichment jobs. Callers own the transaction; every write here is idempotent."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts.team_models import WorkspaceSettings
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


@dataclass(frozen=True, slots=True)
class Tenant:
    """One (workspace, mode) with queued contacts: who a worker slot can go to."""

    workspace_id: str
    sandbox: bool
    running: int  # its contacts leased right now, by any worker
    queued: int
    oldest: datetime  # when its longest-waiting contact was queued


def fair_shares(tenants: Sequence[Tenant], slots: int) -> dict[tuple[str, bool], int]:
    """How many of `slots` each tenant gets: one at a time to the tenant with the fewest
    contacts running (counting what it was just given), the one waiting longest first on a
    tie. So a tenant holding every slot gets none while another waits with fewer, tenants
    with backlogs take turns, and a lone tenant gets them all."""
    given = {(t.workspace_id, t.sandbox): 0 for t in tenants}
    for _ in range(slots):
        open_ = [t for t in tenants if given[(t.workspace_id, t.sandbox)] < t.queued]
        if not open_:
            break
        pick = min(open_, key=lambda t: (t.running + given[(t.workspace_id, t.sandbox)], t.oldest))
        given[(pick.workspace_id, pick.sandbox)] += 1
    return {key: n for key, n in given.items() if n}


async def waiting_tenants(session: AsyncSession) -> list[Tenant]:
    """Every (workspace, mode) with queued contacts, with its running and queued counts.
    Contacts are counted per job first, and only the jobs' totals are joined to the jobs:
    one join per job, not one per contact."""
    queued = Contact.status == ContactStatus.QUEUED
    per_job = (
        select(
            Contact.enrichment_id,
            func.count().filter(Contact.status == ContactStatus.RUNNING).label("running"),
            func.count().filter(queued).label("queued"),
            func.min(Contact.queued_at).filter(queued).label("oldest"),
        )
        .where(Contact.status.in_((ContactStatus.QUEUED, ContactStatus.RUNNING)))
        .group_by(Contact.enrichment_id)
        .subquery()
    )
    waiting = func.sum(per_job.c.queued)
    rows = await session.execute(
        select(
            Enrichment.workspace_id,
            Enrichment.sandbox,
            func.sum(per_job.c.running),
            waiting,
            func.min(per_job.c.oldest),
        )
        .join(per_job, per_job.c.enrichment_id == Enrichment.id)
        .group_by(Enrichment.workspace_id, Enrichment.sandbox)
        .having(waiting > 0)
    )
    return [Tenant(r[0], r[1], int(r[2]), int(r[3]), r[4]) for r in rows]


async def claim(session: AsyncSession, lease: timedelta, limit: int) -> list[Claim]:
    """Lease up to `limit` queued contacts, shared fairly between workspaces and modes
    (`fair_shares`), oldest first within each. A conditional UPDATE, so two workers never
    hold the same contact; PostgreSQL also skips rows another worker is claiming (such a
    share comes back short; the next round hands it out again). The jobs they belong to
    are left as they were: `claimed_rows` says which of them are still CREATED and
    `start_jobs` moves those on."""
    now = utcnow()
    shares = fair_shares(await waiting_tenants(session), limit)
    postgres = session.get_bind().dialect.name == "postgresql"
    claims: list[Claim] = []
    for (workspace_id, sandbox), count in shares.items():
        pick = (
            select(Contact.id)
            .join(Enrichment, Enrichment.id == Contact.enrichment_id)
            .where(
                Contact.status == ContactStatus.QUEUED,
                Enrichment.workspace_id == workspace_id,
                Enrichment.sandbox == sandbox,
            )
            .order_by(Contact.queued_at, Contact.idx)
            .limit(count)
        )
        chosen: Any = pick.scalar_subquery()
        if postgres:
            # Picked first, then updated: as a subquery of the UPDATE, PostgreSQL may run
            # the pick once per joined row, each run skipping the rows the last one locked.
            chosen = list(
                (
                    await session.execute(pick.with_for_update(of=Contact, skip_locked=True))
                ).scalars()
            )
            if not chosen:
                continue
        rows = (
            await session.execute(
                update(Contact)
                .where(Contact.id.in_(chosen), Contact.status == ContactStatus.QUEUED)
                .values(
                    status=ContactStatus.RUNNING,
                    attempts=Contact.attempts + 1,
                    lease_expires_at=now + lease,
                )
                .returning(Contact.id, Contact.enrichment_id, Contact.attempts)
            )
        ).all()
        claims.extend(Claim(r[0], r[1], r[2]) for r in rows)
    return claims


async def start_jobs(session: AsyncSession, enrichment_ids: Collection[str]) -> None:
    """CREATED jobs whose first contacts were just claimed are IN_PROGRESS."""
    if enrichment_ids:
        await session.execute(
            update(Enrichment)
            .where(
                Enrichment.id.in_(list(enrichment_ids)),
                Enrichment.status == EnrichmentStatus.CREATED,
            )
            .values(status=EnrichmentStatus.IN_PROGRESS, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )


async def lock_enrichment(session: AsyncSession, enrichment_id: str) -> Enrichment:
    """Take the row lock first (by touching the row), so that the finishes of one enrichment
    serialise and exactly one of them sees the last contact done."""
    await session.execute(
        update(Enrichment).where(Enrichment.id == enrichment_id).values(updated_at=utcnow())
    )
    enrichment = await session.get(Enrichment, enrichment_id, populate_existing=True)
    assert enrichment is not None
    return enrichment


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed contact with its job, and its workspace's monthly budget (None: none)."""

    enrichment: Enrichment
    contact: Contact
    monthly_budget: int | None


async def claimed_rows(session: AsyncSession, claims: Sequence[Claim]) -> dict[str, Claimed]:
    """Claimed contacts, their enrichments and their workspaces' monthly budgets, by
    contact id, in one query."""
    rows = await session.execute(
        select(Enrichment, Contact, WorkspaceSettings.monthly_budget)
        .join(Contact, Contact.enrichment_id == Enrichment.id)
        .outerjoin(WorkspaceSettings, WorkspaceSettings.workspace_id == Enrichment.workspace_id)
        .where(Contact.id.in_([c.contact_id for c in claims]))
    )
    return {row[1].id: Claimed(row[0], row[1], row[2]) for row in rows}


_CONTACTS = cast(Table, Contact.__table__)


async def _update_leased(
    session: AsyncSession,
    common: dict[str, Any],
    rows: Sequence[tuple[Claim, dict[str, Any]]],
) -> int:
    """One executemany UPDATE of leased contacts: `common` values for every one, and each
    row's own values; how many still held their leases."""
    own = list(rows[0][1]) if rows else []
    result = await session.execute(
        update(_CONTACTS)
        .where(
            _CONTACTS.c.id == bindparam("leased_id"),
            _CONTACTS.c.attempts == bindparam("leased_attempt"),
            _CONTACTS.c.status == ContactStatus.RUNNING,
        )
        .values(**common, **{name: bindparam(f"own_{name}") for name in own}),
        [
            {
                "leased_id": claim.contact_id,
                "leased_attempt": claim.attempt,
                **{f"own_{name}": value for name, value in values.items()},
            }
            for claim, values in rows
        ],
    )
    return rows_affected(result)


async def hold_each(session: AsyncSession, holds: Sequence[tuple[Claim, int]]) -> int:
    """`hold` for several leased contacts in one executemany; how many kept their lease."""
    if not holds:
        return 0
    return await _update_leased(
        session, {}, [(claim, {"held_credits": credits}) for claim, credits in holds]
    )


def _leased(claims: Sequence[Claim]) -> ColumnElement[bool]:
    """These contacts, while the given attempts of them still hold their leases."""
    return and_(
        tuple_(Contact.id, Contact.attempts).in_([(c.contact_id, c.attempt) for c in claims]),
        Contact.status == ContactStatus.RUNNING,
    )


async def claimed(session: AsyncSession, claim: Claim) -> tuple[Enrichment, Contact]:
    """A claimed contact and its enrichment, in one query."""
    row = (
        await session.execute(
            select(Enrichment, Contact)
            .join(Contact, Contact.enrichment_id == Enrichment.id)
            .where(Contact.id == claim.contact_id)
        )
    ).one()
    return row[0], row[1]


async def finish_contact(
    session: AsyncSession,
    claim: Claim,
    result: dict[str, Any] | None = None,
    cost: int = 0,
) -> bool:
    """Mark a leased contact done, with its result and cost when given (else written later
    in the same transaction), and clear its hold (the caller returns it to the balance in
    the same transaction). False when the lease was lost: someone else finished it."""
    values: dict[str, Any] = {
        "status": ContactStatus.DONE,
        "finished_at": utcnow(),
        "lease_expires_at": None,
        "held_credits": 0,
    }
    if result is not None:
        values.update(result=result, cost_credits=cost)
    done = await session.execute(
        update(Contact)
        .where(
            Contact.id == claim.contact_id,
            Contact.status == ContactStatus.RUNNING,
            Contact.attempts == claim.attempt,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(done))


async def finish_contacts(
    session: AsyncSession, done: Sequence[tuple[Claim, dict[str, Any], int]]
) -> int:
    """`finish_contact` of several leased contacts (claim, result, cost) in one
    executemany; how many still held their leases."""
    common = {
        "status": ContactStatus.DONE,
        "finished_at": utcnow(),
        "lease_expires_at": None,
        "held_credits": 0,
    }
    return await _update_leased(
        session,
        common,
        [(claim, {"result": record, "cost_credits": cost}) for claim, record, cost in done],
    )


async def set_result(
    session: AsyncSession, contact_id: str, result: dict[str, Any], cost: int
) -> None:
    """The result and cost of a contact `finish_contact` just marked done."""
    await session.execute(
        update(Contact)
        .where(Contact.id == contact_id)
        .values(result=result, cost_credits=cost)
        .execution_options(synchronize_session=False)
    )


async def add_costs(
    session: AsyncSession, enrichment_id: str, cost: int, exhausted: bool
) -> int | None:
    """Add finished contacts' cost to their open enrichment (and mark it out of credits
    when `exhausted`), taking the enrichment's row lock until the transaction ends, so
    the finishes of one enrichment serialise from here on and exactly one of them sees
    the last contact done. Returns how many of its contacts are left to run; None, with
    nothing changed, when it ended meanwhile (canceled)."""
    values: dict[str, Any] = {
        "updated_at": utcnow(),
        "cost_credits": Enrichment.cost_credits + cost,
    }
    if exhausted:
        values["credits_exhausted"] = True
    left = (
        select(func.count())
        .select_from(Contact)
        .where(
            Contact.enrichment_id == Enrichment.id,
            Contact.status.in_((ContactStatus.QUEUED, ContactStatus.RUNNING)),
        )
        .correlate(Enrichment)
        .scalar_subquery()
    )
    count = await session.scalar(
        update(Enrichment)
        .where(Enrichment.id == enrichment_id, Enrichment.status.in_(_OPEN))
        .values(**values)
        .returning(left)
        .execution_options(synchronize_session=False)
    )
    return None if count is None else int(count)


async def skip_queued(session: AsyncSession, enrichment_id: str) -> None:
    await session.execute(
        update(Contact)
        .where(Contact.enrichment_id == enrichment_id, Contact.status == ContactStatus.QUEUED)
        .values(status=ContactStatus.SKIPPED, finished_at=utcnow())
    )


async def release(session: AsyncSession, claim: Claim, status: ContactStatus) -> int:
    """Give a leased contact back (queued) or end it without a result (skipped, failed).
    Returns the credits it held, which the caller returns to the balance; 0 when the lease
    was lost (whoever took the contact over handles its hold)."""
    fence = (
        Contact.id == claim.contact_id,
        Contact.status == ContactStatus.RUNNING,
        Contact.attempts == claim.attempt,
    )
    held = await session.scalar(select(Contact.held_credits).where(*fence))
    await session.execute(
        update(Contact)
        .where(*fence)
        .values(status=status, lease_expires_at=None, queued_at=utcnow(), held_credits=0)
    )
    return int(held or 0)


async def hold(session: AsyncSession, claim: Claim, credits: int) -> bool:
    """Record on a leased contact what it holds of its workspace's balance (the caller
    reserved it in the same transaction). False when the lease was lost."""
    result = await session.execute(
        update(Contact)
        .where(
            Contact.id == claim.contact_id,
            Contact.status == ContactStatus.RUNNING,
            Contact.attempts == claim.attempt,
        )
        .values(held_credits=credits)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def renew_leases(session: AsyncSession, claims: Sequence[Claim], lease: timedelta) -> int:
    """Extend the leases of these contacts that are still held; how many were."""
    if not claims:
        return 0
    result = await session.execute(
        update(Contact)
        .where(_leased(claims))
        .values(lease_expires_at=utcnow() + lease)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)


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


_FINDING_COLUMNS = ("kind", "value", "status", "data", "source")


async def insert_findings(
    session: AsyncSession, found: Sequence[tuple[str, Sequence[FindingRow]]]
) -> None:
    """The finding rows of contacts (id, rows), as one multi-row INSERT."""
    values = [
        {"contact_id": contact_id, **{name: getattr(row, name) for name in _FINDING_COLUMNS}}
        for contact_id, rows in found
        for row in rows
    ]
    if values:
        await session.execute(insert(FindingRow), values)


@dataclass(frozen=True, slots=True)
class Expired:
    """A contact whose lease ran out, and the credits it held (now to be given back)."""

    contact_id: str
    enrichment_id: str
    held: int


async def requeue_expired(session: AsyncSession, now: datetime) -> list[Expired]:
    """Contacts whose lease ran out (a killed worker) go back to the queue, unless they
    have used up their attempts (a contact that kills its worker each time): FAILED.
    Their holds are cleared here; the caller returns them to the balances."""
    status = case(
        (Contact.attempts >= MAX_ATTEMPTS, ContactStatus.FAILED.value),
        else_=ContactStatus.QUEUED.value,
    )
    rows = (
        await session.execute(
            update(Contact)
            .where(Contact.status == ContactStatus.RUNNING, Contact.lease_expires_at < now)
            .values(status=status, lease_expires_at=None)
            .returning(Contact.id, Contact.enrichment_id, Contact.held_credits)
        )
    ).all()
    expired = [Expired(r[0], r[1], int(r[2] or 0)) for r in rows]
    holding = [e.contact_id for e in expired if e.held]
    if holding:
        await session.execute(update(Contact).where(Contact.id.in_(holding)).values(held_credits=0))
    return expired


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
