"""Webhook delivery against a real receiver on 127.0.0.1: signatures, bodies identical to
GET, retries, Retry-After, redirects, give-up and manual redelivery, at-least-once."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text
from tests.harness import Api, make_settings, running_api
from tests.webhooks.receiver import (
    Receiver,
    Reply,
    delivering,
    eventually,
    fast_settings,
    verify_sha1,
    verify_standard,
)

from openenrich.webhooks import delivery as delivery_module
from openenrich.webhooks import signing
from openenrich.webhooks.hmac_state import midstates
from openenrich.webhooks.models import SigningState

pytestmark = pytest.mark.anyio

CONTACTS = [
    {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "domain": "analytical.example",
        "enrich_fields": ["contact.work_emails", "contact.phones"],
        "custom": {"row": "1"},
    },
    {
        "first_name": "Alan",
        "last_name": "Turing",
        "company_name": "Bletchley",
        "enrich_fields": ["contact.work_emails"],
        "custom": {"row": "2"},
    },
]


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    """SQLite and PostgreSQL: leases and the delivery log are SQL."""
    async with running_api(make_settings(database_url, tmp_path)) as running:
        assert running.services.webhooks is not None
        running.services.webhooks.settings = fast_settings()
        yield running


async def deliveries(api: Api, enrichment_id: str) -> list[dict[str, Any]]:
    response = await api.client.get(
        "/api/v2/webhooks/deliveries",
        params={"enrichment_id": enrichment_id},
        headers=api.auth(),
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["deliveries"]
    return found


async def secret(api: Api) -> str:
    response = await api.client.get("/api/v2/webhooks/secret", headers=api.auth())
    assert response.status_code == 200
    value: str = response.json()["secret"]
    return value


async def test_terminal_and_contact_webhooks_are_signed_and_match_get(
    api: Api, receiver: Receiver
) -> None:
    async with delivering(api.services):
        enrichment_id = await api.enrich(
            {
                "name": "hooks",
                "webhook_url": receiver.url("/done"),
                "webhook_events": {"contact_finished": receiver.url("/contact")},
                "data": CONTACTS,
            }
        )
        final = await api.wait(enrichment_id)
        await eventually(lambda: _status(api, enrichment_id, "succeeded"))

    got = await api.client.get(f"/api/v2/contact/enrich/bulk/{enrichment_id}", headers=api.auth())
    assert len(receiver.at("/contact")) == 2
    [done] = receiver.at("/done")
    assert done.body == got.content == final.content
    assert orjson.loads(done.body)["status"] == "FINISHED"
    workspace_secret = await secret(api)
    for hit in receiver.received:
        assert verify_sha1(hit.body, api.sandbox_key, hit.headers.get("x-signature-sha1"))
        assert not verify_sha1(hit.body, api.key, hit.headers.get("x-signature-sha1"))
        assert verify_standard(workspace_secret, hit.headers, hit.body)
        assert hit.headers["content-type"] == "application/json"
    ids = {hit.headers["webhook-id"] for hit in receiver.received}
    assert len(ids) == 3
    per_contact = [orjson.loads(hit.body) for hit in receiver.at("/contact")]
    assert sorted(len(body["data"]) for body in per_contact) == [1, 1]
    customs = sorted(body["data"][0]["custom"]["row"] for body in per_contact)
    assert customs == ["1", "2"]
    finished = orjson.loads(got.content)["data"]
    for body in per_contact:
        assert body["id"] == enrichment_id
        assert body["data"][0] in finished
    log = await deliveries(api, enrichment_id)
    assert {d["status"] for d in log} == {"succeeded"}
    assert all(d["log"][0]["status_code"] == 200 for d in log)
    await _only_midstates_are_kept(api, enrichment_id)


async def _only_midstates_are_kept(api: Api, enrichment_id: str) -> None:
    """The creating key is nowhere in the database; what is kept (sealed) opens to its
    HMAC-SHA1 midstates."""
    hub = api.services.webhooks
    assert hub is not None
    async with api.services.db.read() as session:
        stored = await session.get(SigningState, enrichment_id)
        dumped = [
            repr(row)
            for table in ("webhook_signing_states", "webhook_events", "enrichments")
            for row in (await session.execute(text(f"SELECT * FROM {table}"))).all()
        ]
    assert stored is not None
    assert hub.sealer.open(stored.sealed_states) == midstates(api.sandbox_key.encode()).hex()
    assert not any(api.sandbox_key in row for row in dumped)


async def test_tampered_body_fails_both_checks(api: Api, receiver: Receiver) -> None:
    async with delivering(api.services):
        enrichment_id = await api.enrich(
            {"name": "t", "webhook_url": receiver.url(), "data": CONTACTS[:1]}
        )
        await api.wait(enrichment_id)
        await eventually(lambda: len(receiver.received) == 1)
    hit = receiver.received[0]
    forged = hit.body.replace(b'"FINISHED"', b'"CANCELED"')
    assert forged != hit.body
    assert not verify_sha1(forged, api.sandbox_key, hit.headers["x-signature-sha1"])
    assert not verify_standard(await secret(api), hit.headers, forged)


async def test_retries_after_failures_with_the_same_webhook_id(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[bytes] = []

    def counting(body: bytes, states: bytes) -> str:
        computed.append(body)
        return signing.fullenrich_signature(body, states)

    monkeypatch.setattr(delivery_module, "fullenrich_signature", counting)
    receiver.script = [
        Reply(500, body=b"x" * 5000),
        Reply(503, body=b"busy"),
        Reply(200, body=b"thanks"),
    ]
    async with delivering(api.services):
        enrichment_id = await api.enrich(
            {"name": "retry", "webhook_url": receiver.url(), "data": CONTACTS[:1]}
        )
        await api.wait(enrichment_id)
        await eventually(lambda: len(receiver.received) == 3)
        await eventually(
            lambda: _status(api, enrichment_id, "succeeded"),
        )
    assert len({hit.headers["webhook-id"] for hit in receiver.received}) == 1
    assert len({hit.body for hit in receiver.received}) == 1
    assert len({hit.headers["x-signature-sha1"] for hit in receiver.received}) == 1
    assert len(computed) == 1  # the pure-Python signature is computed once per event
    [delivery] = await deliveries(api, enrichment_id)
    assert [a["status_code"] for a in delivery["log"]] == [500, 503, 200]
    assert [a["number"] for a in delivery["log"]] == [1, 2, 3]
    assert len(delivery["log"][0]["response_body"]) == 256  # a short excerpt
    assert delivery["log"][1]["response_body"] == "busy"
    assert delivery["log"][0]["next_attempt_at"] is not None
    assert delivery["attempts"] == 3


async def _status(api: Api, enrichment_id: str, status: str) -> bool:
    found = await deliveries(api, enrichment_id)
    return bool(found) and all(d["status"] == status for d in found)


async def test_delivered_once_the_receiver_is_back(api: Api, receiver: Receiver) -> None:
    receiver.stop()
    async with delivering(api.services, fast_settings(webhook_max_attempts=50)):
        enrichment_id = await api.enrich(
            {"name": "down", "webhook_url": receiver.url(), "data": CONTACTS[:1]}
        )
        await api.wait(enrichment_id)

        async def failed_twice() -> bool:
            found = await deliveries(api, enrichment_id)
            return bool(found) and found[0]["attempts"] >= 2

        await eventually(failed_twice)
        receiver.start()
        await eventually(lambda: _status(api, enrichment_id, "succeeded"))
    [delivery] = await deliveries(api, enrichment_id)
    assert all(a["status_code"] is None and a["error"] for a in delivery["log"][:-1])
    assert delivery["log"][-1]["status_code"] == 200
    assert len(receiver.received) == 1


async def test_redirects_are_not_followed(api: Api, receiver: Receiver) -> None:
    receiver.script = [Reply(302, {"Location": receiver.url("/elsewhere")})]
    async with delivering(api.services):
        enrichment_id = await api.enrich(
            {"name": "redirect", "webhook_url": receiver.url("/hook"), "data": CONTACTS[:1]}
        )
        await api.wait(enrichment_id)
        await eventually(lambda: _status(api, enrichment_id, "succeeded"))
    assert receiver.at("/elsewhere") == []
    assert len(receiver.at("/hook")) == 2
    [delivery] = await deliveries(api, enrichment_id)
    assert [a["status_code"] for a in delivery["log"]] == [302, 200]


async def test_retry_after_is_honoured(api: Api, receiver: Receiver) -> None:
    receiver.script = [Reply(429, {"Retry-After": "1"})]
    async with delivering(api.services):
        enrichment_id = await api.enrich(
            {"name": "slow down", "webhook_url": receiver.url(), "data": CONTACTS[:1]}
        )
        await api.wait(enrichment_id)
        await eventually(lambda: len(receiver.received) == 2)
    first, second = receiver.received
    # The backoff alone would retry within 0.05 s.
    assert second.at - first.at >= 0.95


async def test_gives_up_then_manual_redelivery_keeps_the_id(api: Api, receiver: Receiver) -> None:
    receiver.default = Reply(500)
    async with delivering(api.services, fast_settings(webhook_max_attempts=3)):
        enrichment_id = await api.enrich(
            {"name": "give up", "webhook_url": receiver.url(), "data": CONTACTS[:1]}
        )
        await api.wait(enrichment_id)
        await eventually(lambda: _status(api, enrichment_id, "failed"))
        time.sleep(0.2)
        assert len(receiver.received) == 3
        [delivery] = await deliveries(api, enrichment_id)
        receiver.default = Reply(200)
        response = await api.client.post(
            f"/api/v2/webhooks/deliveries/{delivery['id']}/redeliver", headers=api.auth()
        )
        assert response.status_code == 200
        await eventually(lambda: _status(api, enrichment_id, "succeeded"))
    assert len(receiver.received) == 4
    assert {hit.headers["webhook-id"] for hit in receiver.received} == {delivery["id"]}
    shown = await api.client.get(
        f"/api/v2/webhooks/deliveries/{delivery['id']}", headers=api.auth()
    )
    log = shown.json()["log"]
    assert [a["manual"] for a in log] == [False, False, False, True]
    assert [a["status_code"] for a in log] == [500, 500, 500, 200]


async def test_a_timed_out_delivery_is_sent_again_with_the_same_id(
    api: Api, receiver: Receiver
) -> None:
    """At-least-once: the receiver got the first POST but answered too late, so the
    sender cannot know; the duplicate carries the same webhook-id to deduplicate on."""
    receiver.script = [Reply(200, delay=0.8)]
    async with delivering(api.services, fast_settings(webhook_timeout_seconds=0.3)):
        enrichment_id = await api.enrich(
            {"name": "slow", "webhook_url": receiver.url(), "data": CONTACTS[:1]}
        )
        await api.wait(enrichment_id)
        await eventually(lambda: _status(api, enrichment_id, "succeeded"))
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    [delivery] = await deliveries(api, enrichment_id)
    assert delivery["log"][0]["error"] == "timeout"


async def test_credits_insufficient_webhook_matches_the_402_body(
    sqlite_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    async with running_api(make_settings(sqlite_url, tmp_path), sandbox_credits=1) as api:
        assert api.services.webhooks is not None
        api.services.webhooks.settings = fast_settings()
        async with delivering(api.services):
            many = [dict(CONTACTS[0], first_name=f"Ada{i}") for i in range(6)]
            enrichment_id = await api.enrich(
                {"name": "poor", "webhook_url": receiver.url(), "data": many}
            )
            await api.wait(enrichment_id)
            await eventually(lambda: len(receiver.received) == 1)
        got = await api.client.get(
            f"/api/v2/contact/enrich/bulk/{enrichment_id}", headers=api.auth()
        )
    assert got.status_code == 402
    assert orjson.loads(got.content)["status"] == "CREDITS_INSUFFICIENT"
    assert receiver.received[0].body == got.content


async def test_delivery_log_is_scoped_to_the_workspace(api: Api, receiver: Receiver) -> None:
    async with delivering(api.services):
        enrichment_id = await api.enrich(
            {"name": "mine", "webhook_url": receiver.url(), "data": CONTACTS[:1]}
        )
        await api.wait(enrichment_id)
        await eventually(lambda: _status(api, enrichment_id, "succeeded"))
    [delivery] = await deliveries(api, enrichment_id)
    async with api.services.db.transaction() as session:
        from openenrich.accounts.repository import create_workspace

        other = await create_workspace(session, "other", api.services.secret)
    headers = {"Authorization": f"Bearer {other.sandbox_api_key}"}
    shown = await api.client.get(f"/api/v2/webhooks/deliveries/{delivery['id']}", headers=headers)
    assert shown.status_code == 404
    assert shown.json()["code"] == "error.webhook.not_found"
    listed = await api.client.get("/api/v2/webhooks/deliveries", headers=headers)
    assert listed.json() == {"deliveries": []}
    redo = await api.client.post(
        f"/api/v2/webhooks/deliveries/{delivery['id']}/redeliver", headers=headers
    )
    assert redo.status_code == 404
