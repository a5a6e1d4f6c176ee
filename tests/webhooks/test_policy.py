"""Retry timing, Retry-After parsing, sealing, and the embedded server's wiring (the
lifespan starts delivery; the allow-list comes from OPENENRICH_WEBHOOK_ALLOW_HOSTS)."""

from __future__ import annotations

import email.utils
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from tests.harness import make_settings
from tests.webhooks.receiver import Receiver, eventually, verify_sha1, verify_standard

from openenrich.accounts.repository import create_workspace
from openenrich.app import create_app
from openenrich.db import utcnow
from openenrich.retrying import retry_after_seconds
from openenrich.webhooks import WebhookSettings
from openenrich.webhooks.delivery import backoff
from openenrich.webhooks.sealing import Sealer
from openenrich.webhooks.signing import (
    fullenrich_signature,
    new_workspace_secret,
    signing_states,
    standard_headers,
)


def test_default_schedule_outlasts_fullenrich_five_tries_a_minute_apart() -> None:
    settings = WebhookSettings()
    retries = range(1, settings.webhook_max_attempts)
    shortest = sum(backoff(settings, n, lambda: 0.0) for n in retries)
    longest = sum(backoff(settings, n, lambda: 1.0) for n in retries)
    assert settings.webhook_max_attempts > 5
    assert shortest > 5 * 60 * 10  # well past FullEnrich's ~5 minutes
    assert (
        shortest < longest <= settings.webhook_max_attempts * settings.webhook_backoff_max_seconds
    )
    delays = [backoff(settings, n, lambda: 0.5) for n in retries]
    assert delays == sorted(delays)
    assert max(delays) <= settings.webhook_backoff_max_seconds


def test_jitter_spreads_retries() -> None:
    settings = WebhookSettings(webhook_jitter=0.5)
    low, high = backoff(settings, 3, lambda: 0.0), backoff(settings, 3, lambda: 1.0)
    assert high == 2 * low == settings.webhook_backoff_base_seconds * 4


def test_retry_after_seconds_and_dates() -> None:
    assert retry_after_seconds("120") == 120.0
    later = email.utils.format_datetime(utcnow().replace(microsecond=0), usegmt=True)
    assert retry_after_seconds(later, now=utcnow().timestamp() - 30) == pytest.approx(30, abs=2)
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_sealed_values_need_the_server_secret() -> None:
    sealed = Sealer(b"one secret").seal("oe_test_abc")
    assert "oe_test_abc" not in sealed
    assert Sealer(b"one secret").open(sealed) == "oe_test_abc"
    assert Sealer(b"another secret").open(sealed) is None


def test_signatures_match_the_reference_algorithms() -> None:
    body = b'{"id":"x","status":"FINISHED"}'
    # RFC 2202, HMAC-SHA1 test case 2: lowercase hex, as FullEnrich sends it.
    vector = fullenrich_signature(b"what do ya want for nothing?", signing_states("Jefe"))
    assert vector == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
    assert verify_sha1(body, "key", fullenrich_signature(body, signing_states("key")))
    assert not verify_sha1(body, "kez", fullenrich_signature(body, signing_states("key")))
    secret = new_workspace_secret()
    headers = standard_headers(secret, "msg_1", utcnow(), body)
    assert verify_standard(secret, headers, body)
    # And the Standard Webhooks library itself accepts them.
    Webhook(secret).verify(body, headers)


@pytest.mark.anyio
async def test_the_server_lifespan_delivers_with_the_env_allow_list(
    sqlite_url: str, tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENENRICH_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("OPENENRICH_WEBHOOK_POLL_SECONDS", "0.05")
    monkeypatch.setenv("OPENENRICH_WEBHOOK_ALLOWED_PORTS", f"80,443,{receiver.port}")
    app = create_app(make_settings(sqlite_url, tmp_path))
    async with app.router.lifespan_context(app):
        services = app.state.services
        async with services.db.transaction() as session:
            created = await create_workspace(session, "w", services.secret, sandbox_credits=10)
        headers = {"Authorization": f"Bearer {created.sandbox_api_key}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            started = await client.post(
                "/api/v2/contact/reverse/email/bulk",
                json={
                    "name": "n",
                    "webhook_url": receiver.url(),
                    "data": [{"email": "a.b@c.example"}],
                },
                headers=headers,
            )
            assert started.status_code == 200, started.text
            await eventually(lambda: len(receiver.received) == 1)
            refused = await client.post(
                "/api/v2/contact/reverse/email/bulk",
                json={
                    "name": "n",
                    "webhook_url": "http://10.0.0.1/",
                    "data": [{"email": "a@c.example"}],
                },
                headers=headers,
            )
    assert refused.status_code == 400
    assert verify_sha1(
        receiver.received[0].body,
        created.sandbox_api_key,
        receiver.received[0].headers["x-signature-sha1"],
    )
