"""Tables of the accounts domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openenrich.db import Base, UtcDateTime, new_id, utcnow


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ApiKey(Base):
    """Only an HMAC of the key is kept; `last4` helps a person tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last4: Mapped[str] = mapped_column(String(4))
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Balance(Base):
    """The running sum of a ledger, kept beside it so a debit is one conditional UPDATE
    (`balance - reserved >= amount`) that cannot go negative under concurrency on either
    engine. `reserved` is what running contacts hold of it (the sum of their
    `Contact.held_credits`): a contact reserves what it could be charged before it asks any
    provider, so spend never runs ahead of what the workspace can pay."""

    __tablename__ = "balances"
    __table_args__ = (CheckConstraint("balance >= 0", name="not_negative"),)

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    sandbox: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    # Hundredths of a credit paid ahead: charges below one credit (a search result costs
    # 0.25) take whole credits from `balance` and keep the change here for the next ones.
    prepaid: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LedgerEntry(Base):
    """Append-only. A charge is unique per (contact, item), so a rerun cannot charge twice."""

    __tablename__ = "ledger"
    __table_args__ = (
        UniqueConstraint("contact_id", "item"),
        Index("ix_ledger_dedup", "workspace_id", "sandbox", "dedup_key", "item"),
        Index("ix_ledger_workspace", "workspace_id", "sandbox", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    sandbox: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[int] = mapped_column(Integer)  # positive = grant, negative = charge
    reason: Mapped[str] = mapped_column(String(32))
    item: Mapped[str | None] = mapped_column(String(32), nullable=True)
    enrichment_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    contact_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    dedup_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
