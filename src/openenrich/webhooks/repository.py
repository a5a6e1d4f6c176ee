"""SQL of webhook delivery. Callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import rows_affected, utcnow
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


async def claim_due(session: AsyncSession, lease: timedelta, limit: int) -> list[Lease]:
    """Lease due events, oldest first; the lease is pushing `next_attempt_at` forward."""
    now = utcnow()
    pick = (
        select(WebhookEvent.id)
        .where(WebhookEvent.status == EventStatus.PENDING, WebhookEvent.next_attempt_at <= now)
        .order_by(WebhookEvent.next_attempt_at, WebhookEvent.created_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    rows = (
        await session.execute(
            update(WebhookEvent)
            .where(
                WebhookEvent.id.in_(pick.scalar_subquery()),
                WebhookEvent.status == EventStatus.PENDING,
                WebhookEvent.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + lease, claims=WebhookEvent.claims + 1)
            .returning(WebhookEvent.id, WebhookEvent.claims)
        )
    ).all()
    return [Lease(r[0], r[1]) for r in rows]


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
) -> list[WebhookEvent]:
    query = select(WebhookEvent)
    if workspace_id is not None:
        query = query.where(WebhookEvent.workspace_id == workspace_id)
    if enrichment_id is not None:
        query = query.where(WebhookEvent.enrichment_id == enrichment_id)
    if status is not None:
        query = query.where(WebhookEvent.status == status)
    query = query.order_by(WebhookEvent.created_at.desc(), WebhookEvent.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def get_event(
    session: AsyncSession, event_id: str, workspace_id: str | None
) -> WebhookEvent | None:
    event = await session.get(WebhookEvent, event_id)
    if event is None or (workspace_id is not None and event.workspace_id != workspace_id):
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


async def sealed_secret(session: AsyncSession, workspace_id: str) -> str | None:
    row = await session.get(WorkspaceSecret, workspace_id)
    return row.sealed_secret if row else None


async def insert_secret(session: AsyncSession, workspace_id: str, sealed: str) -> str:
    """Store a workspace secret unless one exists; return whichever is stored."""
    try:
        async with session.begin_nested():
            session.add(WorkspaceSecret(workspace_id=workspace_id, sealed_secret=sealed))
    except IntegrityError:
        pass
    stored = await sealed_secret(session, workspace_id)
    assert stored is not None
    return stored
