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


class JobWebhooks(Protocol):
    """What starting a job needs of webhooks (`WebhookHub`)."""

    def check_destinations(self, *urls: str | None) -> None:
        """Raise a typed 400 for a webhook URL that can never be delivered to."""

    async def attach(
        self, session: AsyncSession, enrichment: Enrichment, api_key: str | None
    ) -> None:
        """Keep, in the creating transaction, what signing this job's webhooks needs."""
