"""The transactional outbox: `JobEvents` writes one event row per webhook inside the
transaction that finishes the contact or the job, so an event exists if and only if the
state change committed. The `Deliverer` sends them afterwards."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.enrichment.models import Enrichment
from openenrich.v1.shape import translate_body
from openenrich.webhooks.models import EventKind, WebhookEvent
from openenrich.webhooks.ssrf import receiver_of


def _payload(enrichment: Enrichment, body: bytes) -> bytes:
    """What the receiver gets: the v2 body, or its v1 twin for jobs started through v1."""
    if enrichment.api_version == "v1":
        return translate_body(enrichment.kind, body)
    return body


class Outbox:
    async def contact_finished(
        self, session: AsyncSession, enrichment: Enrichment, body: bytes
    ) -> None:
        if enrichment.contact_webhook_url:
            self._add(
                session,
                enrichment,
                EventKind.CONTACT_FINISHED,
                enrichment.contact_webhook_url,
                body,
            )

    async def enrichment_finished(
        self, session: AsyncSession, enrichment: Enrichment, body: bytes
    ) -> None:
        if enrichment.webhook_url:
            self._add(
                session, enrichment, EventKind.ENRICHMENT_FINISHED, enrichment.webhook_url, body
            )

    def _add(
        self, session: AsyncSession, enrichment: Enrichment, kind: str, url: str, body: bytes
    ) -> None:
        session.add(
            WebhookEvent(
                workspace_id=enrichment.workspace_id,
                enrichment_id=enrichment.id,
                sandbox=enrichment.sandbox,
                kind=kind,
                url=url,
                receiver=receiver_of(url),
                body=_payload(enrichment, body),
            )
        )
