"""Tables of the dashboard: members who sign in, their sessions, and uploaded files.

An uploaded file is kept as rows (`upload_rows`), not as a file on one machine's disk, so
any replica can preview, start or export it, and the export keeps every input column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from openenrich.db import Base, UtcDateTime, new_id, utcnow


class Member(Base):
    """A person who signs in to one workspace. Operators also see server-wide pages."""

    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored casefolded
    password_hash: Mapped[str] = mapped_column(String(200))
    operator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(String(36))
    csrf_token: Mapped[str] = mapped_column(String(64))
    # The credits mode the pages act in; sandbox until the member switches on purpose.
    sandbox: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class UploadStatus:
    READING = "reading"  # rows are being written; a crash leaves it here, never shown
    READY = "ready"  # read, waiting for its mapping
    STARTED = "started"
    CANCELED = "canceled"


class Upload(Base):
    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_workspace_created", "workspace_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    sandbox: Mapped[bool] = mapped_column(Boolean)
    filename: Mapped[str] = mapped_column(String(255))
    encoding: Mapped[str] = mapped_column(String(32))
    delimiter: Mapped[str] = mapped_column(String(4))
    header: Mapped[list[str]] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    # {"first_name": "<column index>" ...} and the enrich fields chosen.
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=UploadStatus.READY)
    # The check of the current mapping: rows that can be sent, rows that cannot, and the
    # first few reasons as [line, reason].
    valid_count: Mapped[int] = mapped_column(Integer, default=0)
    invalid_count: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class UploadRow(Base):
    """One data line of an uploaded file, and, once started, the contact it became."""

    __tablename__ = "upload_rows"

    upload_id: Mapped[str] = mapped_column(
        ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1-based, in the file
    cells: Mapped[list[str]] = mapped_column(JSON)
    enrichment_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    contact_idx: Mapped[int | None] = mapped_column(Integer, nullable=True)
    problem: Mapped[str | None] = mapped_column(String(200), nullable=True)
