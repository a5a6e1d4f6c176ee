"""A v1 client's whole flow against the server: account calls, `datas` in, polling,
v1-shaped results, reverse lookup, and a v1 webhook body. One engine: the same job read
through v2 carries the same values."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from tests.harness import Api, make_settings, running_api
from tests.webhooks.receiver import Receiver, delivering, eventually, fast_settings, verify_sha1

pytestmark = pytest.mark.anyio

V1 = "/api/v1"
CONTACT_KEYS = {
    "firstname",
    "lastname",
    "domain",
    "most_probable_email",
    "most_probable_email_status",
    "most_probable_personal_email",
    "most_probable_personal_email_status",
    "most_probable_phone",
    "emails",
    "personal_emails",
    "phones",
    "social_medias",
}
DATAS: list[dict[str, Any]] = [
    {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "domain": "analytical.example",
        "company_name": "Analytical Engines",
        "enrich_fields": ["contact.emails", "contact.personal_emails", "contact.phones"],
        "custom": {"crm_id": "1"},
    },
    {
        "firstname": "Grace",
        "lastname": "Hopper",
        "company_name": "Navy",
        "linkedin_url": "https://www.linkedin.com/in/grace-hopper",
        "enrich_fields": ["contact.emails"],
        "custom": {"crm_id": "2"},
    },
    {"firstname": "Alan", "lastname": "Turing", "domain": "bletchley.example"},
]


@pytest.fixture
async def api(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(make_settings(sqlite_url, tmp_path)) as running:
        assert running.services.webhooks is not None
        running.services.webhooks.settings = fast_settings()
        yield running


async def poll(api: Api, path: str) -> httpx.Response:
    """What a v1 client does: GET until the status is terminal."""
    for _ in range(400):
        response = await api.client.get(path, headers=api.auth())
        assert response.status_code in (200, 402), response.text
        if response.json()["status"] in ("FINISHED", "CREDITS_INSUFFICIENT", "CANCELED"):
            return response
        await asyncio.sleep(0.05)
    raise AssertionError("v1 job did not finish")


async def test_account_endpoints(api: Api) -> None:
    verify = await api.client.get(f"{V1}/account/keys/verify", headers=api.auth())
    assert verify.json() == {"workspace_id": api.workspace_id}
    credits = await api.client.get(f"{V1}/account/credits", headers=api.auth(api.key))
    assert credits.json() == {"balance": 1000.0}
    assert (await api.client.get(f"{V1}/account/credits")).status_code == 401


async def test_v1_enrichment_flow_with_webhook(api: Api, receiver: Receiver) -> None:
    async with delivering(api.services):
        started = await api.client.post(
            f"{V1}/contact/enrich/bulk",
            json={"name": "legacy", "webhook_url": receiver.url(), "datas": DATAS},
            headers=api.auth(),
        )
        assert started.status_code == 200, started.text
        enrichment_id = started.json()["enrichment_id"]
        result = await poll(api, f"{V1}/contact/enrich/bulk/{enrichment_id}")
        await eventually(lambda: len(receiver.received) == 1)

    body = result.json()
    assert set(body) == {"id", "name", "status", "datas", "cost"}
    assert body["id"] == enrichment_id and body["name"] == "legacy"
    assert body["status"] == "FINISHED"
    assert [d["custom"] for d in body["datas"]] == [{"crm_id": "1"}, {"crm_id": "2"}, {}]
    for item in body["datas"]:
        assert set(item["contact"]) >= CONTACT_KEYS
    ada, grace, alan = (d["contact"] for d in body["datas"])
    assert (ada["firstname"], ada["lastname"], ada["domain"]) == (
        "Ada",
        "Lovelace",
        "analytical.example",
    )
    assert "profile" in grace and "profile" not in ada
    assert grace["social_medias"] == [
        {"url": "https://www.linkedin.com/in/grace-hopper", "type": "LINKEDIN"}
    ]
    assert grace["profile"]["linkedin_handle"] == "grace-hopper"
    assert alan["personal_emails"] == [] and alan["phones"] == []  # work emails only by default

    # The same job through v2: one engine, the same values.
    v2 = (
        await api.client.get(f"/api/v2/contact/enrich/bulk/{enrichment_id}", headers=api.auth())
    ).json()
    assert v2["cost"] == body["cost"]
    for record, item in zip(v2["data"], body["datas"], strict=True):
        info: dict[str, Any] = record["contact_info"]
        assert item["contact"]["emails"] == info["work_emails"]
        assert item["contact"]["personal_emails"] == info["personal_emails"]
        assert item["contact"]["phones"] == info["phones"]
        best = info.get("most_probable_work_email", {})
        assert item["contact"]["most_probable_email"] == best.get("email", "")
        assert item["contact"]["most_probable_email_status"] == best.get("status", "")
        phone = info.get("most_probable_phone", {})
        assert item["contact"]["most_probable_phone"] == phone.get("number", "")
    assert v2["data"][2]["input"] == {
        "first_name": "Alan",
        "last_name": "Turing",
        "full_name": "Alan Turing",
        "company_domain": "bletchley.example",
    }

    [hook] = receiver.received
    assert hook.body == result.content
    assert "datas" in orjson.loads(hook.body) and "data" not in orjson.loads(hook.body)
    assert verify_sha1(hook.body, api.sandbox_key, hook.headers["x-signature-sha1"])


async def test_running_v1_job_answers_200_with_its_status(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        started = await api.client.post(
            f"{V1}/contact/enrich/bulk",
            json={"name": "wait", "datas": DATAS[:1]},
            headers=api.auth(),
        )
        enrichment_id = started.json()["enrichment_id"]
        response = await api.client.get(
            f"{V1}/contact/enrich/bulk/{enrichment_id}", headers=api.auth()
        )
    assert response.status_code == 200
    assert response.json()["status"] in ("CREATED", "IN_PROGRESS")
    assert response.json()["datas"] == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "datas": []}, "error.enrichment.data.empty"),
        ({"name": "x"}, "error.enrichment.data.empty"),
        ({"datas": DATAS[:1]}, "error.enrichment.name.empty"),
        (
            {"name": "x", "datas": [{"firstname": "A", "domain": "a.example"}]},
            "error.enrichment.last_name.empty",
        ),
        (
            {"name": "x", "datas": [{**DATAS[0], "enrich_fields": ["contact.fax"]}]},
            "error.enrichment.enrich_field.value",
        ),
        ({"name": "x", "webhook_url": "nope", "datas": DATAS[:1]}, "error.enrichment.webhook_url"),
    ],
)
async def test_v1_validation_errors(api: Api, body: dict[str, Any], code: str) -> None:
    response = await api.client.post(f"{V1}/contact/enrich/bulk", json=body, headers=api.auth())
    assert response.status_code == 400
    assert response.json()["code"] == code


async def test_v1_reverse_lookup_with_webhook(api: Api, receiver: Receiver) -> None:
    async with delivering(api.services):
        started = await api.client.post(
            f"{V1}/contact/reverse/email/bulk",
            json={
                "name": "who",
                "webhook_url": receiver.url(),
                "datas": [{"email": "marie.curie@radium.example", "custom": {"id": "7"}}],
            },
            headers=api.auth(),
        )
        assert started.status_code == 200, started.text
        enrichment_id = started.json()["enrichment_id"]
        result = await poll(api, f"{V1}/contact/reverse/email/bulk/{enrichment_id}")
        await eventually(lambda: len(receiver.received) == 1)
    body = result.json()
    [item] = body["datas"]
    assert item["input"] == {"email": "marie.curie@radium.example"}
    assert item["custom"] == {"id": "7"}
    assert (item["contact"]["firstname"], item["contact"]["lastname"]) == ("Marie", "Curie")
    assert item["contact"]["profile"]["position"]["company"]["domain"] == "radium.example"
    assert body["cost"] == {"credits": 1}
    assert receiver.received[0].body == result.content
    bad = await api.client.post(
        f"{V1}/contact/reverse/email/bulk",
        json={"name": "x", "datas": [{"email": "nope"}]},
        headers=api.auth(),
    )
    assert bad.json() == {"code": "error.reverse.email.invalid", "message": "Email is invalid"}
    missing = await api.client.get(
        f"{V1}/contact/reverse/email/bulk/{uuid.uuid4()}", headers=api.auth()
    )
    assert missing.status_code == 404
