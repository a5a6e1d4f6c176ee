"""Reverse email lookup end to end, on SQLite and PostgreSQL: every body checked against
the spec's schemas, every documented error, credits, own data first, webhooks."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.harness import Api, make_settings, running_api
from tests.spec import assert_schema, documented_errors
from tests.webhooks.receiver import (
    Receiver,
    delivering,
    eventually,
    fast_settings,
    verify_sha1,
)

from openenrich.accounts.repository import create_workspace
from openenrich.enrichment.models import Contact, ContactStatus, Enrichment, FindingRow

pytestmark = pytest.mark.anyio

PATH = "/api/v2/contact/reverse/email/bulk"


async def start(api: Api, body: dict[str, Any], key: str | None = None) -> str:
    response = await api.client.post(PATH, json=body, headers=api.auth(key))
    assert response.status_code == 200, response.text
    assert_schema(response.json(), "ResponsePostContactBulkReverseEmail")
    enrichment_id: str = response.json()["enrichment_id"]
    return enrichment_id


async def finish(api: Api, enrichment_id: str, key: str | None = None) -> dict[str, Any]:
    response = await api.wait(enrichment_id, key, path="reverse/email")
    assert response.status_code in (200, 402)
    body: dict[str, Any] = response.json()
    assert_schema(body, "ResponseGetContactBulkReverseEmail")
    return body


async def balance(api: Api, key: str | None = None) -> float:
    response = await api.client.get("/api/v2/account/credits", headers=api.auth(key))
    value: float = response.json()["balance"]
    return value


async def test_sandbox_lookup_returns_profiles_and_charges_one_credit_each(api: Api) -> None:
    before = await balance(api)
    enrichment_id = await start(
        api,
        {
            "name": "Reverse batch",
            "data": [
                {"email": "Jane.Doe@Acme.example", "custom": {"user_id": "12584"}},
                {"email": "john_smith@globex.example"},
            ],
        },
    )
    body = await finish(api, enrichment_id)
    assert body["id"] == enrichment_id
    assert body["name"] == "Reverse batch"
    assert body["status"] == "FINISHED"
    first, second = body["data"]
    assert first["input"] == {"email": "jane.doe@acme.example"}
    assert first["custom"] == {"user_id": "12584"}
    assert second["custom"] == {}
    assert (first["profile"]["first_name"], first["profile"]["last_name"]) == ("Jane", "Doe")
    assert second["profile"]["full_name"] == "John Smith"
    current = first["profile"]["employment"]["current"]["company"]
    assert current["domain"] == "acme.example"
    assert body["cost"] == {"credits": 2}
    assert await balance(api) == before - 2


async def test_running_lookup_answers_200_with_status_and_no_data(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        enrichment_id = await start(api, {"name": "later", "data": [{"email": "a@b.example"}]})
        response = await api.client.get(f"{PATH}/{enrichment_id}", headers=api.auth())
    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "ResponseGetContactBulkReverseEmail")
    assert body["status"] in ("CREATED", "IN_PROGRESS")
    assert "data" not in body


BAD_REQUESTS = [
    ({"name": "x", "data": [{"email": ""}]}, "error.reverse.email.empty", "Email cannot be empty"),
    ({"name": "x", "data": [{}]}, "error.reverse.email.empty", "Email cannot be empty"),
    (
        {"name": "x", "data": [{"email": "  "}]},
        "error.reverse.email.empty",
        "Email cannot be empty",
    ),
    (
        {"name": "x", "data": [{"email": "nobody"}]},
        "error.reverse.email.invalid",
        "Email is invalid",
    ),
    ({"name": "x", "data": [{"email": "a@b"}]}, "error.reverse.email.invalid", "Email is invalid"),
    (
        {"name": "x", "data": [{"email": "a..b@c.example"}]},
        "error.reverse.email.invalid",
        "Email is invalid",
    ),
    (
        {"name": "x", "data": [{"email": "a b@c.example"}]},
        "error.reverse.email.invalid",
        "Email is invalid",
    ),
    (
        {"name": "x", "webhook_url": "ftp://hooks.example", "data": [{"email": "a@b.example"}]},
        "error.enrichment.webhook_url",
        "Webhook URL must be start with http or https",
    ),
    (
        {
            "name": "x",
            "webhook_events": {"contact_finished": "hooks.example/in"},
            "data": [{"email": "a@b.example"}],
        },
        "error.enrichment.webhook_url",
        "Webhook URL must be start with http or https",
    ),
    (
        {"data": [{"email": "a@b.example"}]},
        "error.enrichment.name.empty",
        "Enrichment name not set",
    ),
    ({"name": "x", "data": []}, "error.enrichment.data.empty", "Data is empty"),
    ({"name": "x"}, "error.enrichment.data.empty", "Data is empty"),
    (
        {
            "name": "x",
            "data": [{"email": "a@b.example", "custom": {str(i): "v" for i in range(11)}}],
        },
        "error.enrichment.custom.key.exceeded",
        "Custom field contains too many keys (max: 10 keys)",
    ),
]


@pytest.mark.parametrize(("body", "code", "message"), BAD_REQUESTS)
async def test_invalid_requests_get_the_spec_errors(
    api: Api, body: dict[str, Any], code: str, message: str
) -> None:
    response = await api.client.post(PATH, json=body, headers=api.auth())
    assert response.status_code == 400
    assert response.json() == {"code": code, "message": message}
    assert_schema(response.json(), "Error")
    documented = documented_errors("/contact/reverse/email/bulk", "post", "400")
    if code in documented:
        assert documented[code] == message


async def test_unknown_ids_and_missing_keys(api: Api) -> None:
    enrich_id = await api.enrich(
        {
            "name": "not a lookup",
            "data": [
                {
                    "first_name": "A",
                    "last_name": "B",
                    "domain": "c.example",
                    "enrich_fields": ["contact.work_emails"],
                }
            ],
        }
    )
    expected = {"code": "error.reverse.email.not_found", "message": "Reverse email ID not found"}
    documented = documented_errors("/contact/reverse/email/bulk/{enrichment_id}", "get", "404")
    assert documented[expected["code"]] == expected["message"]
    for missing in (str(uuid.uuid4()), "not-a-uuid", enrich_id):
        response = await api.client.get(f"{PATH}/{missing}", headers=api.auth())
        assert response.status_code == 404
        assert response.json() == expected
    enrichment_id = await start(api, {"name": "mine", "data": [{"email": "a@b.example"}]})
    async with api.services.db.transaction() as session:
        from openenrich.accounts.repository import create_workspace

        stranger = await create_workspace(session, "other", api.services.secret)
    other = await api.client.get(
        f"{PATH}/{enrichment_id}", headers=api.auth(stranger.sandbox_api_key)
    )
    assert other.status_code == 404
    assert other.json() == expected
    unauthenticated = await api.client.get(f"{PATH}/{enrichment_id}")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["code"] == "error.authorization.not_set"
    post = await api.client.post(PATH, json={"name": "x", "data": [{"email": "a@b.example"}]})
    assert post.status_code == 401


async def seed_profile(api: Api, email: str, sandbox: bool = False) -> dict[str, Any]:
    """A contact this server enriched earlier: a work email and the profile built for it."""
    profile = {
        "full_name": "Known Person",
        "first_name": "Known",
        "last_name": "Person",
        "social_profiles": {
            "professional_network": {"url": "https://www.linkedin.com/in/known", "handle": "known"}
        },
    }
    async with api.services.db.transaction() as session:
        enrichment = Enrichment(
            workspace_id=api.workspace_id,
            sandbox=sandbox,
            name="earlier",
            status="FINISHED",
            contact_count=1,
        )
        session.add(enrichment)
        await session.flush()
        contact = Contact(
            enrichment_id=enrichment.id,
            idx=0,
            status=ContactStatus.DONE,
            input={"linkedin_url": "https://www.linkedin.com/in/known"},
            fields=["contact.work_emails"],
            dedup_key="seed",
        )
        session.add(contact)
        await session.flush()
        session.add(
            FindingRow(contact_id=contact.id, kind="work_email", value=email, status="DELIVERABLE")
        )
        session.add(
            FindingRow(
                contact_id=contact.id,
                kind="profile",
                value="https://www.linkedin.com/in/known",
                data=profile,
            )
        )
    return profile


async def test_live_lookup_answers_from_profiles_the_server_built(api: Api) -> None:
    """No live provider is configured here: what is found comes from the server's data."""
    profile = await seed_profile(api, "known.person@corp.example")
    await seed_profile(api, "sandbox.only@corp.example", sandbox=True)
    before = await balance(api, api.key)
    enrichment_id = await start(
        api,
        {
            "name": "live",
            "data": [
                {"email": "Known.Person@corp.example", "custom": {"k": "v"}},
                {"email": "stranger@corp.example"},
                {"email": "sandbox.only@corp.example"},
            ],
        },
        key=api.key,
    )
    body = await finish(api, enrichment_id, api.key)
    known, stranger, sandboxed = body["data"]
    assert known["profile"] == profile
    assert known["custom"] == {"k": "v"}
    assert "profile" not in stranger and "profile" not in sandboxed
    assert stranger["input"] == {"email": "stranger@corp.example"}
    assert body["cost"] == {"credits": 1}
    assert await balance(api, api.key) == before - 1


async def test_out_of_credits_answers_402_with_the_full_body(
    database_url: str, tmp_path: Path
) -> None:
    async with running_api(make_settings(database_url, tmp_path), sandbox_credits=1) as api:
        enrichment_id = await start(
            api,
            {"name": "poor", "data": [{"email": f"p{i}@corp.example"} for i in range(4)]},
        )
        await api.wait(enrichment_id, path="reverse/email")
        response = await api.client.get(f"{PATH}/{enrichment_id}", headers=api.auth())
    assert response.status_code == 402
    body = response.json()
    assert_schema(body, "ResponseGetContactBulkReverseEmail")
    assert body["status"] == "CREDITS_INSUFFICIENT"
    assert len(body["data"]) == 4
    assert sum("profile" in r for r in body["data"]) == 1
    assert body["cost"] == {"credits": 1}


async def test_lookup_webhooks_carry_the_get_body(
    sqlite_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    async with running_api(make_settings(sqlite_url, tmp_path)) as api:
        assert api.services.webhooks is not None
        api.services.webhooks.settings = fast_settings()
        async with delivering(api.services):
            enrichment_id = await start(
                api,
                {
                    "name": "hooked",
                    "webhook_url": receiver.url("/done"),
                    "webhook_events": {"contact_finished": receiver.url("/one")},
                    "data": [{"email": "x.y@corp.example"}, {"email": "z.w@corp.example"}],
                },
            )
            await finish(api, enrichment_id)
            await eventually(
                lambda: len(receiver.at("/done")) == 1 and len(receiver.at("/one")) == 2
            )
        got = await api.client.get(f"{PATH}/{enrichment_id}", headers=api.auth())
    assert receiver.at("/done")[0].body == got.content
    for hit in receiver.received:
        assert verify_sha1(hit.body, api.sandbox_key, hit.headers["x-signature-sha1"])
        body = orjson.loads(hit.body)
        assert_schema(body, "ResponseGetContactBulkReverseEmail")
    assert sorted(len(orjson.loads(h.body)["data"]) for h in receiver.at("/one")) == [1, 1]


async def test_profiles_stay_in_the_workspace_that_built_them(api: Api) -> None:
    await seed_profile(api, "known.person@corp.example")
    async with api.services.db.transaction() as session:
        other = await create_workspace(session, "other", api.services.secret, credits=10)
    enrichment_id = await start(
        api,
        {"name": "theirs", "data": [{"email": "known.person@corp.example"}]},
        key=other.api_key,
    )
    body = await finish(api, enrichment_id, other.api_key)
    assert "profile" not in body["data"][0] and body["cost"] == {"credits": 0}
    # An operator may share them server-wide.
    api.services.processors["reverse_email"].share_across_workspaces = True  # type: ignore[attr-defined]
    again = await start(
        api,
        {"name": "shared", "data": [{"email": "known.person@corp.example"}]},
        key=other.api_key,
    )
    shared = await finish(api, again, other.api_key)
    assert shared["data"][0]["profile"]["full_name"] == "Known Person"
