"""The two signatures every delivery carries."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook

from openenrich.webhooks.hmac_state import hmac_sha1_hex, midstates


def signing_states(api_key: str) -> bytes:
    """What is kept of the API key that created an enrichment (its HMAC-SHA1 midstates)."""
    return midstates(api_key.encode())


def fullenrich_signature(body: bytes, states: bytes) -> str:
    """FullEnrich's `X-Signature-SHA1`: lowercase hex HMAC-SHA1 of the raw body, keyed with
    the API key that created the enrichment, computed from `signing_states(key)`."""
    return hmac_sha1_hex(states, body)


def new_workspace_secret() -> str:
    """A Standard Webhooks symmetric secret: 32 random bytes, `whsec_`-prefixed base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def standard_headers(secret: str, msg_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp`, `webhook-signature` for one attempt. `at` must be
    UTC: the library relabels, not converts, the timezone."""
    signature = Webhook(secret).sign(msg_id, at, body.decode("utf-8"))
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
