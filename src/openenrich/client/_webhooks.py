"""Checking that a webhook really comes from the server that holds your key.

OpenEnrich signs every delivery twice: FullEnrich's `X-Signature-SHA1` (HMAC-SHA1 of the raw
body keyed with the API key that started the job) and the Standard Webhooks headers
(`webhook-id`, `webhook-timestamp`, `webhook-signature`, keyed with the workspace secret,
with a timestamp that defeats replays). FullEnrich itself sends only the first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from openenrich.client._errors import WebhookVerificationError


def verify_webhook(
    body: bytes | str,
    headers: Mapping[str, str],
    api_key: str | None = None,
    *,
    secret: str | None = None,
) -> Any:
    """Verify a delivery and return its parsed JSON body; raise `WebhookVerificationError`.

    `api_key` checks `X-Signature-SHA1`; `secret` (a `whsec_...` workspace secret) checks
    the Standard Webhooks headers, timestamp tolerance included. Give one or both: each one
    given must be present in the headers and match. Pass the raw body, before any JSON
    parsing, since re-serialised JSON does not keep the signed bytes."""
    if api_key is None and secret is None:
        raise ValueError("pass api_key (X-Signature-SHA1) and/or secret (Standard Webhooks)")
    raw = body.encode("utf-8") if isinstance(body, str) else body
    lowered = {k.lower(): v for k, v in headers.items()}
    if api_key is not None:
        sent = lowered.get("x-signature-sha1")
        if not sent:
            raise WebhookVerificationError("missing X-Signature-SHA1 header")
        expected = hmac.new(api_key.encode("utf-8"), raw, hashlib.sha1).hexdigest()
        if not hmac.compare_digest(expected, sent.strip().lower()):
            raise WebhookVerificationError("X-Signature-SHA1 does not match the body")
    if secret is not None:
        from standardwebhooks.webhooks import Webhook
        from standardwebhooks.webhooks import WebhookVerificationError as Invalid

        needed = ("webhook-id", "webhook-timestamp", "webhook-signature")
        missing = [name for name in needed if name not in lowered]
        if missing:
            raise WebhookVerificationError(f"missing {', '.join(missing)} header")
        try:
            Webhook(secret).verify(raw, {name: lowered[name] for name in needed})
        except Invalid as error:
            raise WebhookVerificationError(f"webhook-signature: {error}") from None
    try:
        return json.loads(raw)
    except ValueError as error:
        raise WebhookVerificationError("the body is not JSON") from error
