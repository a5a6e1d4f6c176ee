"""Webhook delivery: a transactional outbox, signed at-least-once POSTs, an SSRF guard.

Public pieces: `WebhookHub` (what the process holds), `WebhookSettings`, `Outbox` (the
`JobEvents` implementation), `Deliverer` (the sending loop), `Resolver` (injectable DNS).
"""

from openenrich.webhooks.delivery import Deliverer
from openenrich.webhooks.hub import WebhookHub
from openenrich.webhooks.outbox import Outbox
from openenrich.webhooks.settings import WebhookSettings
from openenrich.webhooks.ssrf import BlockedDestination, Resolver, SystemResolver

__all__ = [
    "BlockedDestination",
    "Deliverer",
    "Outbox",
    "Resolver",
    "SystemResolver",
    "WebhookHub",
    "WebhookSettings",
]
