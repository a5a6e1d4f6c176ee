"""What webhook delivery keeps of people, registered with `openenrich.privacy`: each
event's body (a result, byte for byte) in the outbox, and what receivers answered."""

from __future__ import annotations

from datetime import datetime, timedelta

import orjson
from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import rows_affected
from openenrich.privacy.registry import Found, Store
from openenrich.privacy.settings import PrivacySettings
from openenrich.privacy.subjects import Person, erase_from_body
from openenrich.webhooks.models import EventStatus, WebhookAttempt, WebhookEvent


async def erase(session: AsyncSession, person: Person) -> Found:
    """Bodies of the person's jobs rewritten with their records redacted (a pending event
    still goes out, without them); receivers' answers that quote them dropped."""
    found = removed = 0
    if person.enrichment_ids:
        events = await session.execute(
            select(WebhookEvent).where(
                WebhookEvent.enrichment_id.in_(sorted(person.enrichment_ids))
            )
        )
        for event in events.scalars():
            body, hits = erase_from_body(orjson.loads(event.body), person)
            if hits:
                event.body = orjson.dumps(body)
                found += 1
                removed += 1
    needles = person.needles()
    if needles:
        quoted = or_(*(cast(WebhookAttempt.response_body, Text).ilike(f"%{n}%") for n in needles))
        change = update(WebhookAttempt).where(quoted)
        if person.workspace_id is not None:
            theirs = select(WebhookEvent.id).where(WebhookEvent.workspace_id == person.workspace_id)
            change = change.where(WebhookAttempt.event_id.in_(theirs))
        result = await session.execute(change.values(response_body=None))
        found += rows_affected(result)
        removed += rows_affected(result)
    return Found(found, removed)


async def purge(session: AsyncSession, now: datetime, limit: int, settings: PrivacySettings) -> int:
    """Events delivered or given up on, past retention (their attempts go with them)."""
    cutoff = now - timedelta(days=settings.webhook_retention_days)
    old = (
        select(WebhookEvent.id)
        .where(WebhookEvent.status != EventStatus.PENDING, WebhookEvent.created_at < cutoff)
        .limit(limit)
        .scalar_subquery()
    )
    return rows_affected(
        await session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(old)))
    )


STORES = [
    Store(
        name="webhooks",
        tables=("webhook_events", "webhook_attempts"),
        keeps=(
            "each webhook body (the job's result) until delivered or given up on, then as"
            " the delivery log; receivers' answers (first bytes)"
        ),
        retention=lambda s: (
            f"{s.webhook_retention_days:g} days after the event was created"
            " (pending events are kept until delivered or given up on)"
        ),
        erase=erase,
        purge=purge,
    )
]

EXEMPT = {
    "webhook_signing_states": "HMAC-SHA1 midstates of an API key, sealed",
    "webhook_signing_secrets": "a workspace's signing secret per mode, sealed",
}
