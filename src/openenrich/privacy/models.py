"""Tables of privacy: the opt-out list, the audit trail, and per-workspace switches.

None of them holds a person's data in the clear: opt-out entries and audit subjects that
name a person are keyed digests (`subjects.digest`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openenrich.db import Base, UtcDateTime, new_id, utcnow

# The scope of a server-wide opt-out entry (a workspace's entries carry its id).
SERVER_WIDE = "*"


class OptOutEntry(Base):
    """One person (or company domain) not to be processed, as a keyed digest of its
    normalised value: the list cannot be read back as a list of the people it protects."""

    __tablename__ = "optout_entries"
    __table_args__ = (UniqueConstraint("scope", "kind", "digest"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # A workspace id, or SERVER_WIDE.
    scope: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))  # email | domain | linkedin | name
    digest: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AuditEvent(Base):
    """Who did what, when, on what. The application only ever inserts and reads these."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_workspace_at", "workspace_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))  # api_key | member | operator
    actor_id: Mapped[str] = mapped_column(String(64))
    workspace_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    action: Mapped[str] = mapped_column(String(48))
    # What the action was on; a digest when that is a person.
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class WorkspacePrivacy(Base):
    """A workspace's data-minimisation switches (absent row: the server's defaults)."""

    __tablename__ = "workspace_privacy"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    # Provider answers for this workspace are cached apart, never shared server-wide.
    private_cache: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
