"""Hooks a job fires inside its own transactions (webhooks subscribe to them)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.enrichment.models import Enrichment


class JobEvents(Protocol):
    async def contact_finished(
        self, session: AsyncSession, enrichment: Enrichment, body: bytes
    ) -> None:
        """A contact is done; `body` is the envelope with that one contact in `data`."""

    async def enrichment_finished(
        self, session: AsyncSession, enrichment: Enrichment, body: bytes
    ) -> None:
        """The job reached a terminal status; `body` is exactly what GET returns now."""
