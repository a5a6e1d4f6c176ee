"""The audit trail: who did what, when, on what. Append-only from the application's point
of view: this module inserts and reads, and nothing in the application updates or deletes
an audit row.

Other packages call `record(session, actor, action, subject)` inside the transaction of
the action itself, so an action is recorded if and only if it happened:

    await audit.record(session, Actor.operator(), "key.revoke", key_id)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import utcnow
from openenrich.privacy.models import AuditEvent


class Action:
    """The actions recorded (other packages may add their own spellings)."""

    ERASE = "erasure"
    OPTOUT_ADD = "optout.add"
    OPTOUT_REMOVE = "optout.remove"
    KEY_CREATE = "key.create"
    KEY_REVOKE = "key.revoke"
    EXPORT = "export"
    SETTINGS = "privacy.settings"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: an API key (by id), a dashboard member, or the operator's CLI."""

    kind: str
    id: str
    workspace_id: str | None = None

    @classmethod
    def api_key(cls, api_key_id: str, workspace_id: str | None = None) -> Actor:
        return cls("api_key", api_key_id, workspace_id)

    @classmethod
    def member(cls, member_id: str, workspace_id: str | None = None) -> Actor:
        return cls("member", member_id, workspace_id)

    @classmethod
    def operator(cls, workspace_id: str | None = None) -> Actor:
        return cls("operator", "cli", workspace_id)


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    subject: str,
    detail: Mapping[str, Any] | None = None,
    *,
    workspace_id: str | None = None,
    at: datetime | None = None,
) -> None:
    """Append one event. `subject` must already be a digest when it is a person
    (`Subject.digest`); `workspace_id` defaults to the actor's."""
    session.add(
        AuditEvent(
            at=at or utcnow(),
            actor_kind=actor.kind,
            actor_id=actor.id,
            workspace_id=workspace_id or actor.workspace_id,
            action=action,
            subject=subject[:200],
            detail=dict(detail) if detail is not None else None,
        )
    )


async def events(
    session: AsyncSession,
    *,
    workspace_id: str | None = None,
    since: datetime | None = None,
    actions: Sequence[str] | None = None,
    after_id: int = 0,
    limit: int = 1000,
) -> list[AuditEvent]:
    """Events oldest first, from `after_id` on (pages: pass the last id seen)."""
    query = select(AuditEvent).where(AuditEvent.id > after_id)
    if workspace_id is not None:
        query = query.where(AuditEvent.workspace_id == workspace_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if actions:
        query = query.where(AuditEvent.action.in_(actions))
    rows = await session.execute(query.order_by(AuditEvent.id).limit(limit))
    return list(rows.scalars())


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": {"kind": event.actor_kind, "id": event.actor_id},
        "workspace_id": event.workspace_id,
        "action": event.action,
        "subject": event.subject,
        "detail": event.detail,
    }
