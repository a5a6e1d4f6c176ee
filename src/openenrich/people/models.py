"""Tables of the people and company store.

Each row keeps the record in the spec's shape (`data`), where each of its values came
from (`sources`), the keys it is merged by, the numbers and dates range filters compare,
and its search document (`doc`, see `terms`). The full-text index over `doc` lives beside
the table: an FTS5 table on SQLite, a GIN index on PostgreSQL (created by the migration).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openenrich.db import Base, UtcDateTime, utcnow


class PersonRow(Base):
    __tablename__ = "people"
    __table_args__ = (
        Index("ix_people_owner_network_id", "owner", "network_id"),
        Index("ix_people_owner_handle", "owner", "handle"),
        Index("ix_people_owner_name_domain", "owner", "name_key", "company_domain"),
    )

    # The full-text index's row number; `id` is the public one.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    # A workspace id, '' for every workspace, or 'sandbox' (the synthetic population).
    owner: Mapped[str] = mapped_column(String(36))
    network_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    handle: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name_key: Mapped[str] = mapped_column(String(300))
    company_domain: Mapped[str] = mapped_column(String(255), default="")
    # The current company's, for range filters.
    headcount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    founded: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # ISO dates (YYYY-MM-DD): the current position's start, the start at the current
    # company, and the latest job change.
    position_start: Mapped[str | None] = mapped_column(String(10), nullable=True)
    company_start: Mapped[str | None] = mapped_column(String(10), nullable=True)
    last_change: Mapped[str | None] = mapped_column(String(10), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    sources: Mapped[dict[str, Any]] = mapped_column(JSON)
    doc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CompanyRow(Base):
    __tablename__ = "companies"
    __table_args__ = (
        Index("ix_companies_owner_domain", "owner", "domain"),
        Index("ix_companies_owner_network_id", "owner", "network_id"),
        Index("ix_companies_owner_handle", "owner", "handle"),
        Index("ix_companies_owner_name_key", "owner", "name_key"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    owner: Mapped[str] = mapped_column(String(36))
    domain: Mapped[str] = mapped_column(String(255), default="")
    network_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    handle: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name_key: Mapped[str] = mapped_column(String(300))
    headcount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    founded: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    sources: Mapped[dict[str, Any]] = mapped_column(JSON)
    doc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Export(Base):
    """A record returned to a workspace by search or lookup: returning it again is free."""

    __tablename__ = "people_exports"
    __table_args__ = (UniqueConstraint("workspace_id", "sandbox", "kind", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(String(36))
    sandbox: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str] = mapped_column(String(8))  # person | company
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Mark(Base):
    """Progress markers: how far profiles from enrichments were taken in (`ingest`), and
    which synthetic population is loaded (`population`)."""

    __tablename__ = "people_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
