"""SQL of webhook delivery. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import rows_affected, utcnow
from openenrich.enrichment.models import Enrichment
from openenrich.webhooks.models import (
    EventStatus,
    SigningState,
    WebhookAttempt,
    WebhookEvent,
    WorkspaceSecret,
)


@dataclass(frozen=True, slots=True)
class Lease:
    event_id: str
    claim: int
    workspace_id: str = ""
    receiver: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A due event, with what the in-flight caps count it against."""

    event_id: str
    workspace_id: str
    receiver: str


async def due_candidates(
    session: AsyncSession,
    limit: int,
    *,
    per_workspace: int,
    per_receiver: int,
    skip_receivers: Collection[str] = (),
    skip_workspaces: Collection[str] = (),
) -> list[Candidate]:
    """Due events taken fairly: at most `per_workspace` of each workspace and
    `per_receiver` of each receiver, the workspaces in turn (each one's oldest first), so
    a backlog of one tenant never hides another's event behind it. Not locked: `lease`
    takes them conditionally."""
    now = utcnow()
    due_order = (WebhookEvent.next_attempt_at, WebhookEvent.created_at)
    ranked = select(
        WebhookEvent.id,
        WebhookEvent.workspace_id,
        WebhookEvent.receiver,
        WebhookEvent.next_attempt_at,
        func.row_number()
        .over(partition_by=WebhookEvent.workspace_id, order_by=due_order)
        .label("workspace_rank"),
        func.row_number()
        .over(partition_by=WebhookEvent.receiver, order_by=due_order)
        .label("receiver_rank"),
    ).where(WebhookEvent.status == EventStatus.PENDING, WebhookEvent.next_attempt_at <= now)
    if skip_receivers:
        ranked = ranked.where(WebhookEvent.receiver.not_in(list(skip_receivers)))
    if skip_workspaces:
        ranked = ranked.where(WebhookEvent.workspace_id.not_in(list(skip_workspaces)))
    due = ranked.subquery()
    rows = await session.execute(
        select(due.c.id, due.c.workspace_id, due.c.receiver)
        .where(due.c.workspace_rank <= per_workspace, due.c.receiver_rank <= per_receiver)
        .order_by(due.c.workspace_rank, due.c.next_attempt_at, due.c.id)
        .limit(limit)
    )
    return [Candidate(r[0], r[1], r[2]) for r in rows]


async def lease(session: AsyncSession, event_ids: list[str], duration: timedelta) -> list[Lease]:
    """Lease the given events if they are still due (another sender may have taken some);
    while leased, `next_attempt_at` is the lease's end."""
    if not event_ids:
        return []
    now = utcnow()
    rows = (
        await session.execute(
            update(WebhookEvent)
            .where(
                WebhookEvent.id.in_(event_ids),
                WebhookEvent.status == EventStatus.PENDING,
                WebhookEvent.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + duration, claims=WebhookEvent.claims + 1)
            .returning(
                WebhookEvent.id,
                WebhookEvent.claims,
                WebhookEvent.workspace_id,
                WebhookEvent.receiver,
            )
        )
    ).all()
    return [Lease(r[0], r[1], r[2], r[3]) for r in rows]


async def record_attempt(
    session: AsyncSession,
    lease: Lease,
    attempt: WebhookAttempt,
    status: str,
    next_attempt_at: datetime | None,
) -> bool:
    """Log one attempt and move the event on; False if the lease was lost meanwhile."""
    values: dict[str, object] = {
        "status": status,
        "attempts": WebhookEvent.attempts + 1,
        "round_attempts": WebhookEvent.round_attempts + 1,
        "last_status_code": attempt.status_code,
        "last_error": attempt.error,
        "updated_at": utcnow(),
    }
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if attempt.succeeded:
        values["delivered_at"] = utcnow()
    moved = await session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == lease.event_id, WebhookEvent.claims == lease.claim)
        .values(**values)
    )
    if not rows_affected(moved):
        return False
    session.add(attempt)
    return True


async def events_of(
    session: AsyncSession,
    workspace_id: str | None,
    enrichment_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
    sandbox: bool | None = None,
    sub_account_id: str | None = None,
) -> list[WebhookEvent]:
    """Events, newest first; `workspace_id` and `sandbox` (a mode) scope them, None is all;
    those of one sub-account's jobs only when it is given."""
    query = select(WebhookEvent)
    if workspace_id is not None:
        query = query.where(WebhookEvent.workspace_id == workspace_id)
    if sandbox is not None:
        query = query.where(WebhookEvent.sandbox == sandbox)
    if sub_account_id is not None:
        query = query.join(Enrichment, Enrichment.id == WebhookEvent.enrichment_id).where(
            Enrichment.sub_account_id == sub_account_id
        )
    if enrichment_id is not None:
        query = query.where(WebhookEvent.enrichment_id == enrichment_id)
    if status is not None:
        query = query.where(WebhookEvent.status == status)
    query = query.order_by(WebhookEvent.created_at.desc(), WebhookEvent.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def get_event(
    session: AsyncSession,
    event_id: str,
    workspace_id: str | None,
    sandbox: bool | None = None,
    sub_account_id: str | None = None,
) -> WebhookEvent | None:
    """One event, if it belongs to `workspace_id` and mode `sandbox` (None: any)."""
    event = await session.get(WebhookEvent, event_id)
    if event is None or (workspace_id is not None and event.workspace_id != workspace_id):
        return None
    if sandbox is not None and event.sandbox != sandbox:
        return None
    if sub_account_id is not None:
        job = await session.get(Enrichment, event.enrichment_id)
        if job is None or job.sub_account_id != sub_account_id:
            return None
    return event


async def attempts_of(session: AsyncSession, event_ids: list[str]) -> list[WebhookAttempt]:
    if not event_ids:
        return []
    query = (
        select(WebhookAttempt)
        .where(WebhookAttempt.event_id.in_(event_ids))
        .order_by(WebhookAttempt.event_id, WebhookAttempt.number)
    )
    return list((await session.execute(query)).scalars())


async def reschedule(session: AsyncSession, event_id: str) -> bool:
    """Manual redelivery: due now, a fresh retry budget, the same `webhook-id`."""
    done = await session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id)
        .values(
            status=EventStatus.PENDING,
            round_attempts=0,
            next_attempt_at=utcnow(),
            updated_at=utcnow(),
            claims=WebhookEvent.claims + 1,
        )
    )
    return bool(rows_affected(done))


async def sealed_states(session: AsyncSession, enrichment_id: str) -> str | None:
    row = await session.get(SigningState, enrichment_id)
    return row.sealed_states if row else None


async def sealed_secret(session: AsyncSession, workspace_id: str, sandbox: bool) -> str | None:
    row = await session.get(WorkspaceSecret, (workspace_id, sandbox))
    return row.sealed_secret if row else None


async def insert_secret(
    session: AsyncSession, workspace_id: str, sandbox: bool, sealed: str
) -> str:
    """Store a workspace secret of one mode unless one exists; return whichever is stored."""
    try:
        async with session.begin_nested():
            session.add(
                WorkspaceSecret(workspace_id=workspace_id, sandbox=sandbox, sealed_secret=sealed)
            )
    except IntegrityError:
        pass
    stored = await sealed_secret(session, workspace_id, sandbox)
    assert stored is not None
    return stored


async def replace_secret(
    session: AsyncSession, workspace_id: str, sandbox: bool, sealed: str
) -> None:
    """Rotation: the new secret signs every delivery from the next attempt on."""
    await session.execute(
        delete(WorkspaceSecret).where(
            WorkspaceSecret.workspace_id == workspace_id, WorkspaceSecret.sandbox == sandbox
        )
    )
    session.add(WorkspaceSecret(workspace_id=workspace_id, sandbox=sandbox, sealed_secret=sealed))
    await session.flush()
