"""What a process holds for webhooks, built once from settings and the server secret."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import Database
from openenrich.enrichment.models import Enrichment
from openenrich.errors import AppError, invalid
from openenrich.webhooks.delivery import Deliverer
from openenrich.webhooks.models import SigningState
from openenrich.webhooks.outbox import Outbox
from openenrich.webhooks.sealing import Sealer
from openenrich.webhooks.settings import WebhookSettings
from openenrich.webhooks.signing import signing_states
from openenrich.webhooks.ssrf import AllowList, Guard, Resolver, SystemResolver, url_host
from openenrich.webhooks.workspace_secrets import workspace_secret


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class WebhookHub:
    """The outbox (`JobEvents`), the request-time checks, and a factory for the sender.

    `settings` and `resolver` are plain attributes: tests and the operator can swap them
    before the sender is built."""

    def __init__(
        self,
        settings: WebhookSettings,
        db: Database,
        server_secret: bytes,
        resolver: Resolver | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.sealer = Sealer(server_secret)
        self.resolver: Resolver = resolver or SystemResolver()
        self.outbox = Outbox()

    def guard(self) -> Guard:
        return Guard(self.resolver, AllowList.parse(self.settings.webhook_allow_hosts))

    def refusal(self, *urls: str | None) -> AppError | None:
        """A 400 for a webhook URL that can never be delivered to (an internal address
        literal, `localhost`); names are resolved and checked at delivery time."""
        guard = self.guard()
        for url in urls:
            if url and url_host(url) is None:
                return invalid(
                    "error.enrichment.webhook_url", "Webhook URL must be start with http or https"
                )
            if url and guard.refuse_literal(url):
                return invalid(
                    "error.enrichment.webhook_url.forbidden", "Webhook URL host is not allowed"
                )
        return None

    async def attach(
        self, session: AsyncSession, enrichment: Enrichment, authorization: str | None
    ) -> None:
        """At POST time, in the creating transaction: refuse internal destinations, and
        keep what the `X-Signature-SHA1` of this job's webhooks needs of the API key: its
        HMAC-SHA1 midstates (sealed), never the key."""
        if not (enrichment.webhook_url or enrichment.contact_webhook_url):
            return
        refused = self.refusal(enrichment.webhook_url, enrichment.contact_webhook_url)
        if refused is not None:
            raise refused
        token = bearer_token(authorization)
        if token:
            states = self.sealer.seal(signing_states(token).hex())
            session.add(SigningState(enrichment_id=enrichment.id, sealed_states=states))
            await session.flush()

    async def workspace_secret(self, workspace_id: str) -> str:
        return await workspace_secret(self.db, self.sealer, workspace_id)

    def deliverer(
        self,
        *,
        settings: WebhookSettings | None = None,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> Deliverer:
        if settings is not None:
            self.settings = settings
        return Deliverer(self.db, self.sealer, self.settings, self.guard(), inner)
