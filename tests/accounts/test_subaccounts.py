"""Sub-accounts in FullEnrich's shapes: create, list, get, rename, archive, restore; the
`Sub-Account-ID` header scopes jobs (siblings 404, the parent sees all), is refused on
`/sub-accounts`, checked everywhere, and an archived scope is read-only."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from tests.harness import Api, make_settings, running_api

pytestmark = pytest.mark.anyio
BASE = "/api/v2/sub-accounts"
JOB = {
    "name": "scoped",
    "data": [
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "domain": "analytical.example",
            "enrich_fields": ["contact.work_emails"],
        }
    ],
}


async def create(api: Api, name: str, **extra: Any) -> dict[str, Any]:
    response = await api.client.post(BASE, json={"name": name, **extra}, headers=api.auth())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def scoped(api: Api, sub_account_id: str) -> dict[str, str]:
    return {**api.auth(), "Sub-Account-ID": sub_account_id}


async def test_create_list_get_rename_archive_restore(api: Api) -> None:
    made = await create(api, "  Acme Europe  ")
    assert set(made) == {"id", "name", "archived", "monthly_credit_limit", "created_at"}
    assert made["name"] == "Acme Europe" and made["archived"] is False
    uuid.UUID(made["id"])
    other = await create(api, "Globex", monthly_credit_limit=500)
    assert other["monthly_credit_limit"] == 500

    listed = (await api.client.get(BASE, headers=api.auth())).json()
    assert [s["name"] for s in listed] == ["Acme Europe", "Globex"]

    url = f"{BASE}/{made['id']}"
    renamed = await api.client.post(url, json={"name": "Acme EMEA"}, headers=api.auth())
    assert renamed.status_code == 200 and renamed.json()["name"] == "Acme EMEA"
    archived = await api.client.post(url, json={"archived": True}, headers=api.auth())
    assert archived.json()["archived"] is True
    listed = (await api.client.get(BASE, headers=api.auth())).json()
    assert [s["name"] for s in listed] == ["Globex"]
    everything = (
        await api.client.get(BASE, params={"archived": "true"}, headers=api.auth())
    ).json()
    assert {s["name"] for s in everything} == {"Acme EMEA", "Globex"}
    got = await api.client.get(url, headers=api.auth())
    assert got.status_code == 200 and got.json()["archived"] is True  # archived: still readable
    restored = await api.client.post(url, json={"archived": False}, headers=api.auth())
    assert restored.json()["archived"] is False


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": ""}, 400, "error.sub_account.name_invalid"),
        ({"name": "   "}, 400, "error.sub_account.name_invalid"),
        ({"name": "x" * 256}, 400, "error.sub_account.name_invalid"),
        ({"name": 12}, 400, "error.sub_account.name_invalid"),
        ({}, 400, "error.sub_account.name_invalid"),
        ([], 400, "error.sub_account.request_invalid"),
        ({"name": "ok", "monthly_credit_limit": -1}, 400, "error.sub_account.request_invalid"),
    ],
)
async def test_create_errors(api: Api, body: Any, status: int, code: str) -> None:
    response = await api.client.post(BASE, json=body, headers=api.auth())
    assert (response.status_code, response.json()["code"]) == (status, code)


async def test_names_are_unique_case_insensitively_archived_included(api: Api) -> None:
    made = await create(api, "Acme")
    await api.client.post(f"{BASE}/{made['id']}", json={"archived": True}, headers=api.auth())
    again = await api.client.post(BASE, json={"name": "ACME "}, headers=api.auth())
    assert again.status_code == 409
    assert again.json() == {
        "code": "error.sub_account.name_taken",
        "message": "A sub-account with this name already exists",
    }
    other = await create(api, "Other")
    rename = await api.client.post(
        f"{BASE}/{other['id']}", json={"name": "acme"}, headers=api.auth()
    )
    assert rename.status_code == 409


async def test_update_errors_and_unknown_ids(api: Api) -> None:
    made = await create(api, "Acme")
    url = f"{BASE}/{made['id']}"
    empty = await api.client.post(url, json={}, headers=api.auth())
    assert empty.json()["code"] == "error.sub_account.request_invalid"
    bad = await api.client.post(url, json={"archived": "yes"}, headers=api.auth())
    assert bad.json()["code"] == "error.sub_account.request_invalid"
    for missing in (str(uuid.uuid4()), "not-a-uuid"):
        for response in (
            await api.client.get(f"{BASE}/{missing}", headers=api.auth()),
            await api.client.post(f"{BASE}/{missing}", json={"name": "x"}, headers=api.auth()),
        ):
            assert response.status_code == 404
            assert response.json()["code"] == "error.sub_account.not_found"


async def test_header_refused_on_management_and_checked_elsewhere(api: Api) -> None:
    made = await create(api, "Acme")
    refused = await api.client.get(BASE, headers=scoped(api, made["id"]))
    assert refused.status_code == 400
    assert refused.json()["code"] == "error.sub_account.header_not_allowed"
    # Workspace-level endpoints answer for the workspace, but check the header.
    credits = await api.client.get("/api/v2/account/credits", headers=scoped(api, made["id"]))
    assert credits.status_code == 200 and credits.json() == {"balance": 1000.0}
    for bad in (str(uuid.uuid4()), "garbage"):
        response = await api.client.get("/api/v2/account/credits", headers=scoped(api, bad))
        assert response.status_code == 404
        assert response.json()["code"] == "error.sub_account.not_found"


async def test_another_workspaces_sub_account_is_unknown(api: Api) -> None:
    from openenrich.accounts import repository

    async with api.services.db.transaction() as session:
        other = await repository.create_workspace(
            session, "other", api.services.secret, sandbox_credits=100
        )
    theirs = (
        await api.client.post(
            BASE,
            json={"name": "Theirs"},
            headers={"Authorization": f"Bearer {other.sandbox_api_key}"},
        )
    ).json()
    assert (await api.client.get(f"{BASE}/{theirs['id']}", headers=api.auth())).status_code == 404
    response = await api.client.post(
        "/api/v2/contact/enrich/bulk", json=JOB, headers=scoped(api, theirs["id"])
    )
    assert response.status_code == 404


async def test_jobs_are_isolated_between_siblings_and_visible_to_the_parent(api: Api) -> None:
    one, two = await create(api, "One"), await create(api, "Two")
    started = await api.client.post(
        "/api/v2/contact/enrich/bulk", json=JOB, headers=scoped(api, one["id"])
    )
    assert started.status_code == 200
    job = started.json()["enrichment_id"]
    url = f"/api/v2/contact/enrich/bulk/{job}"
    for _ in range(200):
        mine = await api.client.get(url, headers=scoped(api, one["id"]))
        if mine.json().get("status") == "FINISHED":
            break
        await asyncio.sleep(0.05)
    assert mine.status_code == 200 and mine.json()["status"] == "FINISHED"
    sibling = await api.client.get(url, headers=scoped(api, two["id"]))
    assert sibling.status_code == 404
    assert sibling.json()["code"] == "error.enrichment.not_found"
    parent = await api.client.get(url, headers=api.auth())
    assert parent.status_code == 200 and parent.json() == mine.json()
    # Held by the reader for the parent now: a sibling still cannot read it.
    assert (await api.client.get(url, headers=scoped(api, two["id"]))).status_code == 404
    # A job of the workspace itself is not the sub-account's.
    direct = await api.enrich(JOB)
    assert (
        await api.client.get(
            f"/api/v2/contact/enrich/bulk/{direct}",
            headers=scoped(api, one["id"]),
            params={"forceResults": "true"},
        )
    ).status_code == 404
    # Credits come out of the workspace's balance.
    credits = (await api.client.get("/api/v2/account/credits", headers=api.auth())).json()
    assert credits["balance"] < 1000


async def test_archived_sub_account_reads_but_does_not_start(api: Api) -> None:
    made = await create(api, "Acme")
    job = (
        await api.client.post(
            "/api/v2/contact/enrich/bulk", json=JOB, headers=scoped(api, made["id"])
        )
    ).json()["enrichment_id"]
    await api.client.post(f"{BASE}/{made['id']}", json={"archived": True}, headers=api.auth())
    refused = await api.client.post(
        "/api/v2/contact/enrich/bulk", json=JOB, headers=scoped(api, made["id"])
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "error.sub_account.archived"
    read = await api.client.get(
        f"/api/v2/contact/enrich/bulk/{job}",
        headers=scoped(api, made["id"]),
        params={"forceResults": "true"},
    )
    assert read.status_code == 200


async def test_reverse_lookups_are_scoped_too(api: Api) -> None:
    one, two = await create(api, "One"), await create(api, "Two")
    started = await api.client.post(
        "/api/v2/contact/reverse/email/bulk",
        json={"name": "r", "data": [{"email": "ada@analytical.example"}]},
        headers=scoped(api, one["id"]),
    )
    assert started.status_code == 200, started.text
    job = started.json()["enrichment_id"]
    url = f"/api/v2/contact/reverse/email/bulk/{job}"
    assert (await api.client.get(url, headers=scoped(api, two["id"]))).status_code == 404
    assert (await api.client.get(url, headers=scoped(api, one["id"]))).status_code == 200


async def test_webhook_deliveries_are_scoped(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENENRICH_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("OPENENRICH_WEBHOOK_ALLOWED_PORTS", "*")
    async with running_api(make_settings(sqlite_url, tmp_path)) as api:
        one, two = await create(api, "One"), await create(api, "Two")
        body = {**JOB, "webhook_url": "http://127.0.0.1:9/hook"}
        started = await api.client.post(
            "/api/v2/contact/enrich/bulk", json=body, headers=scoped(api, one["id"])
        )
        job = started.json()["enrichment_id"]
        await api.wait(job)  # the parent sees the job
        deliveries = "/api/v2/webhooks/deliveries"
        mine = (await api.client.get(deliveries, headers=scoped(api, one["id"]))).json()
        theirs = (await api.client.get(deliveries, headers=scoped(api, two["id"]))).json()
        everyone = (await api.client.get(deliveries, headers=api.auth())).json()
        assert [d["enrichment_id"] for d in mine["deliveries"]] == [job]
        assert theirs["deliveries"] == []
        assert [d["enrichment_id"] for d in everyone["deliveries"]] == [job]
        event = mine["deliveries"][0]["id"]
        hidden = await api.client.get(f"{deliveries}/{event}", headers=scoped(api, two["id"]))
        assert hidden.status_code == 404


async def test_fullenrich_scoping_when_the_parent_does_not_see_all(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = make_settings(sqlite_url, tmp_path, parent_sees_sub_accounts=False)
    async with running_api(settings) as api:
        one = await create(api, "One")
        started = await api.client.post(
            "/api/v2/contact/enrich/bulk", json=JOB, headers=scoped(api, one["id"])
        )
        url = f"/api/v2/contact/enrich/bulk/{started.json()['enrichment_id']}"
        params = {"forceResults": "true"}
        assert (await api.client.get(url, headers=api.auth(), params=params)).status_code == 404
        mine = await api.client.get(url, headers=scoped(api, one["id"]), params=params)
        assert mine.status_code == 200
