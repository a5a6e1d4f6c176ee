"""Tables of webhook delivery: events (the outbox), attempts (the log), and what each
delivery is signed with: HMAC-SHA1 midstates of the creating API key (never the key), and
the workspace's Standard Webhooks secret, sealed (encrypted under the server secret)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openenrich.db import Base, UtcDateTime, utcnow


def new_event_id() -> str:
    """A Standard Webhooks message id: stable across retries, no '.' in it."""
    return "msg_" + uuid.uuid4().hex


class EventStatus:
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # gave up, or the destination is refused


class EventKind:
    ENRICHMENT_FINISHED = "enrichment_finished"
    CONTACT_FINISHED = "contact_finished"


class WebhookEvent(Base):
    """One payload to one URL. `claims` fences a lease: only the holder records its
    attempt. While leased, `next_attempt_at` is the lease's end, so a crashed sender's
    event comes back on its own (at-least-once)."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        Index("ix_webhook_events_due", "status", "next_attempt_at"),
        Index("ix_webhook_events_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=new_event_id)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    enrichment_id: Mapped[str] = mapped_column(
        ForeignKey("enrichments.id", ondelete="CASCADE"), index=True
    )
    # The enrichment's mode: a sandbox key sees, redelivers and signs sandbox events only.
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(24))
    url: Mapped[str] = mapped_column(String(2048))
    # `host:port` of the URL: attempts in flight are capped per receiver.
    receiver: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Attempts since the event was last (re)scheduled; the backoff and budget count these.
    round_attempts: Mapped[int] = mapped_column(Integer, default=0)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebhookAttempt(Base):
    """One POST (or one refusal to send): the delivery log."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SigningState(Base):
    """What `X-Signature-SHA1` needs of the API key that created an enrichment: its two
    HMAC-SHA1 midstates (`hmac_state.midstates`), which cannot be turned back into the
    key nor authenticate with it. Sealed too, so a database dump alone cannot sign."""

    __tablename__ = "webhook_signing_states"

    enrichment_id: Mapped[str] = mapped_column(
        ForeignKey("enrichments.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_states: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WorkspaceSecret(Base):
    """A workspace's Standard Webhooks secret (`whsec_...`) for one mode, sealed: a sandbox
    key can read only the sandbox secret, which signs only sandbox events."""

    __tablename__ = "webhook_signing_secrets"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    sandbox: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    sealed_secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
