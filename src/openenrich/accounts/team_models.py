"""Tables of teams and spend: sub-accounts, workspace spending settings, idempotency
records and the provider keys a workspace brings (sealed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openenrich.db import Base, UtcDateTime, new_id, utcnow


class SubAccount(Base):
    """An isolated API scope inside a workspace; it draws on the workspace's balance.
    `name_key` (the name case-folded) is unique per workspace, archived ones included."""

    __tablename__ = "sub_accounts"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Credits this scope may spend per calendar month (UTC); None: no limit of its own.
    monthly_credit_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WorkspaceSettings(Base):
    """Per-workspace knobs kept beside the workspace row: the monthly budget and whether
    results carry the provenance extension by default."""

    __tablename__ = "workspace_settings"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    monthly_budget: Mapped[int | None] = mapped_column(Integer, nullable=True)
    provenance: Mapped[bool] = mapped_column(Boolean, default=False)


class IdempotencyRecord(Base):
    """One `Idempotency-Key` of one caller scope: claimed (unique row, its own
    transaction) before the work, completed with the response it produced."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("workspace_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # live|sandbox, and the sub-account when the request carried one.
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ProviderKey(Base):
    """A vendor key a workspace (or one of its sub-accounts) brings: one per vendor and
    scope. Credentials are sealed under the server secret and never leave the server."""

    __tablename__ = "provider_keys"
    __table_args__ = (UniqueConstraint("workspace_id", "scope", "provider"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    # The sub-account id, or "" for the workspace itself (NULLs are never equal in UNIQUE).
    scope: Mapped[str] = mapped_column(String(36), default="")
    provider: Mapped[str] = mapped_column(String(32))
    sealed_credentials: Mapped[str] = mapped_column(Text)
    credential_fields: Mapped[list[str]] = mapped_column(JSON)
    priority: Mapped[int] = mapped_column(Integer)
    zone: Mapped[str | None] = mapped_column(String(8), nullable=True)
    data_types: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    verify: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    enabled: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    def settings(self) -> dict[str, Any]:
        return {
            "priority": self.priority,
            "zone": self.zone,
            "data_types": self.data_types,
            "verify": self.verify,
            "enabled": self.enabled,
        }
