"""The `domain_facts` table: what was learned about a mail domain, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from openenrich.db import Base, UtcDateTime


class DomainFactRow(Base):
    __tablename__ = "domain_facts"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    route_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    mx: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    implicit_mx: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    route_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    catch_all: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    catch_all_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    pattern: Mapped[str | None] = mapped_column(String(32), nullable=True)
    pattern_learned_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
