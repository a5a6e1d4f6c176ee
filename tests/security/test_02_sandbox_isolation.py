"""Issue 15 item 2: sandbox keys stay in the sandbox.

Observed: a sandbox key listed live webhook deliveries (URLs with their tokens, receiver
bodies), redelivered a live event, and read the workspace's Standard Webhooks secret, which
also signed live events; 60 sandbox calls made the live key get 429."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.harness import Api, make_settings, running_api
from tests.security.contacts import CONTACT
from tests.webhooks.receiver import Receiver, delivering, eventually, verify_standard

pytestmark = pytest.mark.anyio


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(
        make_settings(database_url, tmp_path, rate_limit_per_minute=5)
    ) as running:
        yield running


async def _deliveries(api: Api, key: str) -> list[dict[str, object]]:
    response = await api.client.get("/api/v2/webhooks/deliveries", headers=api.auth(key))
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["deliveries"]
    return found


async def _secret(api: Api, key: str) -> str:
    response = await api.client.get("/api/v2/webhooks/secret", headers=api.auth(key))
    assert response.status_code == 200, response.text
    value: str = response.json()["secret"]
    return value


async def test_a_sandbox_key_cannot_see_redeliver_or_sign_live_webhooks(
    api: Api, receiver: Receiver
) -> None:
    api.services.limiter.per_minute = 0  # this test is about webhooks, not the limit
    async with delivering(api.services):
        live_job = await api.enrich(
            {"name": "live", "webhook_url": receiver.url("/live?token=s3cr3t"), "data": [CONTACT]},
            key=api.key,
        )
        sandbox_job = await api.enrich(
            {"name": "sb", "webhook_url": receiver.url("/sandbox"), "data": [CONTACT]}
        )
        await api.wait(live_job, key=api.key)
        await api.wait(sandbox_job)
        await eventually(lambda: len(receiver.received) == 2)

    sandbox_view = await _deliveries(api, api.sandbox_key)
    live_view = await _deliveries(api, api.key)
    assert [d["enrichment_id"] for d in sandbox_view] == [sandbox_job]
    assert [d["enrichment_id"] for d in live_view] == [live_job]
    assert "s3cr3t" not in str(sandbox_view)
    live_event = str(live_view[0]["id"])

    shown = await api.client.get(
        f"/api/v2/webhooks/deliveries/{live_event}", headers=api.auth(api.sandbox_key)
    )
    assert shown.status_code == 404
    redelivered = await api.client.post(
        f"/api/v2/webhooks/deliveries/{live_event}/redeliver", headers=api.auth(api.sandbox_key)
    )
    assert redelivered.status_code == 404
    assert redelivered.json()["code"] == "error.webhook.not_found"

    sandbox_secret = await _secret(api, api.sandbox_key)
    live_secret = await _secret(api, api.key)
    assert sandbox_secret != live_secret
    [live_hit] = receiver.at("/live?token=s3cr3t")
    [sandbox_hit] = receiver.at("/sandbox")
    assert verify_standard(live_secret, live_hit.headers, live_hit.body)
    assert not verify_standard(sandbox_secret, live_hit.headers, live_hit.body)
    assert verify_standard(sandbox_secret, sandbox_hit.headers, sandbox_hit.body)


async def test_sandbox_calls_do_not_use_up_the_live_rate_limit(api: Api) -> None:
    for _ in range(5):
        assert (
            await api.client.get("/api/v2/account/credits", headers=api.auth())
        ).status_code == 200
    refused = await api.client.get("/api/v2/account/credits", headers=api.auth())
    assert refused.status_code == 429
    live = await api.client.get("/api/v2/account/credits", headers=api.auth(api.key))
    assert live.status_code == 200
