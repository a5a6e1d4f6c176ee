"""Tables of the waterfall: the provider-call log and the provider result cache."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openenrich.db import Base, UtcDateTime, new_id, utcnow


class ProviderCall(Base):
    """One request sent to a source (each retry and each poll is its own row)."""

    __tablename__ = "provider_calls"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    # A digest of the API key, never the key: tells keys of one vendor apart.
    key_id: Mapped[str] = mapped_column(String(16), default="")
    # find | poll | verify | token | check | company
    operation: Mapped[str] = mapped_column(String(16))
    input_hash: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(24))  # found | miss | pending | <error kind>
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[float] = mapped_column(Float)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    # The workspace whose contact the call was for ("" outside a contact: checks, CLI).
    workspace_id: Mapped[str] = mapped_column(String(36), default="", index=True)


class ProviderCacheEntry(Base):
    """A source's answer for one normalised input (hits and misses), kept for a TTL."""

    __tablename__ = "provider_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # find | verify | company | job
    found: Mapped[bool] = mapped_column(Boolean)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
