"""What a process holds for webhooks, built once from settings and the server secret."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import Database
from openenrich.enrichment.models import Enrichment
from openenrich.errors import WebhookUrlForbidden, WebhookUrlInvalid
from openenrich.webhooks.delivery import Deliverer
from openenrich.webhooks.models import SigningState
from openenrich.webhooks.outbox import Outbox
from openenrich.webhooks.sealing import Sealer
from openenrich.webhooks.settings import WebhookSettings
from openenrich.webhooks.signing import signing_states
from openenrich.webhooks.ssrf import (
    AllowList,
    Guard,
    PortPolicy,
    Resolver,
    SystemResolver,
    url_host,
)
from openenrich.webhooks.workspace_secrets import workspace_secret


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
        return Guard(
            self.resolver,
            AllowList.parse(self.settings.webhook_allow_hosts),
            PortPolicy.parse(self.settings.webhook_allowed_ports),
        )

    def check_destinations(self, *urls: str | None) -> None:
        """Refuse, with a 400, a webhook URL that can never be delivered to (a port not
        allowed, an internal address literal, `localhost`); names are resolved and checked
        at delivery time."""
        guard = self.guard()
        for url in urls:
            if not url:
                continue
            if url_host(url) is None:
                raise WebhookUrlInvalid()
            if guard.refuse_literal(url):
                raise WebhookUrlForbidden()

    async def attach(
        self, session: AsyncSession, enrichment: Enrichment, api_key: str | None
    ) -> None:
        """At POST time, in the creating transaction: keep what the `X-Signature-SHA1` of
        this job's webhooks needs of the API key: its HMAC-SHA1 midstates (sealed), never
        the key. Destinations are checked first, by `check_destinations`."""
        if not (enrichment.webhook_url or enrichment.contact_webhook_url) or not api_key:
            return
        states = self.sealer.seal(signing_states(api_key).hex())
        session.add(SigningState(enrichment_id=enrichment.id, sealed_states=states))
        await session.flush()

    async def workspace_secret(self, workspace_id: str, sandbox: bool) -> str:
        """The secret that signs the workspace's events of one mode (live or sandbox)."""
        return await workspace_secret(self.db, self.sealer, workspace_id, sandbox)

    def deliverer(self, inner: httpx.AsyncBaseTransport | None = None) -> Deliverer:
        """The sending loop, with the hub's current `settings` and `resolver`."""
        return Deliverer(self.db, self.sealer, self.settings, self.guard(), inner)
