"""Tables of enrichment jobs: one row per enrichment, one per contact, one per finding."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from openenrich.db import Base, UtcDateTime, new_id, utcnow

# The widest finding value kept, in UTF-8 bytes (so a PostgreSQL index entry always fits).
FINDING_VALUE_MAX = 2048


class EnrichmentStatus(StrEnum):
    """The spec's enum. RATE_LIMIT and UNKNOWN are never set by this server: every job ends
    FINISHED, CREDITS_INSUFFICIENT or CANCELED, and provider throttling is absorbed by the
    waterfall (the job waits instead of failing)."""

    CREATED = "CREATED"
    IN_PROGRESS = "IN_PROGRESS"
    CANCELED = "CANCELED"
    CREDITS_INSUFFICIENT = "CREDITS_INSUFFICIENT"
    FINISHED = "FINISHED"
    RATE_LIMIT = "RATE_LIMIT"
    UNKNOWN = "UNKNOWN"

    @property
    def terminal(self) -> bool:
        return self in (
            EnrichmentStatus.FINISHED,
            EnrichmentStatus.CREDITS_INSUFFICIENT,
            EnrichmentStatus.CANCELED,
        )


class ContactStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"  # never processed: credits ran out or the job was canceled
    FAILED = "failed"


class JobKind(StrEnum):
    ENRICH = "enrich"
    REVERSE_EMAIL = "reverse_email"
    VERIFY_EMAIL = "verify_email"


class Enrichment(Base):
    __tablename__ = "enrichments"
    __table_args__ = (
        Index("ix_enrichments_status", "status"),
        Index("ix_enrichments_finished_at", "finished_at"),
        Index("ix_enrichments_workspace_created", "workspace_id", "sandbox", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    api_key_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The sub-account scope the job was created in (None: the workspace itself).
    sub_account_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(16), default=JobKind.ENRICH)
    api_version: Mapped[str] = mapped_column(String(4), default="v2")
    name: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(24), default=EnrichmentStatus.CREATED)
    webhook_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    contact_webhook_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    contact_count: Mapped[int] = mapped_column(Integer, default=0)
    cost_credits: Mapped[int] = mapped_column(Integer, default=0)
    # Set when a charge could not be paid: the job ends CREDITS_INSUFFICIENT.
    credits_exhausted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Extensions: a cap on what this job may spend, and the provenance object on records.
    max_credits: Mapped[int | None] = mapped_column(Integer, nullable=True)
    provenance: Mapped[bool] = mapped_column(Boolean, default=False)
    # The serialized body of a terminal enrichment: it never changes again.
    result_body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_claim", "enrichment_id", "status", "idx"),
        Index("ix_contacts_lease", "status", "lease_expires_at"),
        Index("ix_contacts_queue", "status", "queued_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enrichment_id: Mapped[str] = mapped_column(ForeignKey("enrichments.id", ondelete="CASCADE"))
    idx: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ContactStatus.QUEUED)
    input: Mapped[dict[str, Any]] = mapped_column(JSON)
    fields: Mapped[list[str]] = mapped_column(JSON)
    custom: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    dedup_key: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    cost_credits: Mapped[int] = mapped_column(Integer, default=0)
    # Credits reserved from the balance while it runs (`Balance.reserved`): what it could
    # be charged for the fields it asks for. Returned on finish, release or lease expiry.
    held_credits: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class FindingRow(Base):
    """Every candidate a source returned for a contact, kept for audit and for the
    server's own people database (reverse lookups read profiles from here)."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # work_email | personal_email | phone | profile
    # An email, a phone, or a profile's URL (the API takes LinkedIn URLs up to 2,048).
    value: Mapped[str] = mapped_column(String(FINDING_VALUE_MAX), index=True)
    status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The waterfall source that returned the value (None before it was recorded).
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
