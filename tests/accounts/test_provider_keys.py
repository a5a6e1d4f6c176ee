"""Bring Your Own Key through FullEnrich's `/providers` shapes: add (checked with the
vendor first), list (masked), update, delete, status; keys sealed at rest; a workspace's
own key is tried before the server's key for that vendor, costs it no credits, marks its
values with `byok_provider`, and is never used for another workspace."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from tests.harness import Api, make_settings, running_api

from openenrich.accounts import repository
from openenrich.accounts.models import LedgerEntry
from openenrich.accounts.team_models import ProviderKey
from openenrich.waterfall.config import ProviderConfig, WaterfallConfig

pytestmark = pytest.mark.anyio
PROVIDERS = "/api/v2/providers"
BULK = "/api/v2/contact/enrich/bulk"
SERVER_KEY = "server-hunter-key-0000"


@dataclass
class FakeHunter:
    """Hunter's `/account` check and `/email-finder`, answering only accepted keys."""

    accepted: set[str] = field(default_factory=lambda: {"ws-a-key-1111", "ws-b-key-2222"})
    finds: list[tuple[str, str]] = field(default_factory=list)  # (key, first name)
    down: bool = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("unreachable", request=request)
        key = request.headers.get("X-API-KEY", "")
        if key not in self.accepted | {SERVER_KEY}:
            return httpx.Response(401, json={"errors": [{"id": "authentication_failed"}]})
        if request.url.path.endswith("/account"):
            return httpx.Response(200, json={"data": {"plan_name": "Free"}})
        first = request.url.params["first_name"]
        self.finds.append((key, first))
        email = f"{first.lower()}@{request.url.params['domain']}"
        return httpx.Response(
            200, json={"data": {"email": email, "verification": {"status": "valid"}}}
        )


@pytest.fixture
def hunter() -> FakeHunter:
    return FakeHunter()


def server_config(with_hunter: bool) -> WaterfallConfig:
    if not with_hunter:
        return WaterfallConfig(order={}, verifiers=[])
    return WaterfallConfig(
        order={"work_email": ["hunter"]},
        verifiers=[],
        providers={"hunter": ProviderConfig(api_key_env="TEST_SERVER_HUNTER_KEY")},
    )


@contextlib.asynccontextmanager
async def hunter_api(
    url: str, tmp_path: Path, hunter: FakeHunter, server_key: bool = False
) -> AsyncIterator[Api]:
    """A running app whose vendor calls reach `hunter`; with `server_key`, the server's
    waterfall has its own Hunter source (key in $TEST_SERVER_HUNTER_KEY)."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(hunter))
    async with running_api(
        make_settings(url, tmp_path),
        credits=100,
        http=http,
        waterfall_config=server_config(server_key),
    ) as api:
        yield api


@pytest.fixture
async def byok(database_url: str, tmp_path: Path, hunter: FakeHunter) -> AsyncIterator[Api]:
    async with hunter_api(database_url, tmp_path, hunter) as api:
        yield api


def person(first: str) -> dict[str, Any]:
    return {
        "first_name": first,
        "last_name": "Doe",
        "domain": "acme.com",
        "enrich_fields": ["contact.work_emails"],
    }


async def add_key(api: Api, key: str, token: str | None = None, **extra: Any) -> httpx.Response:
    body = {"provider": "hunter", "credentials": {"api_key": key}, "priority": 1, **extra}
    return await api.client.post(PROVIDERS, json=body, headers=api.auth(token or api.key))


async def test_add_list_update_delete_status(byok: Api, hunter: FakeHunter) -> None:
    api = byok
    created = await add_key(api, "ws-a-key-1111")
    assert created.status_code == 201, created.text
    assert created.json() == {
        "provider": "hunter",
        "credentials": {"api_key": "********"},
        "priority": 1,
        "zone": "auto",
        "data_types": ["contact.work_emails"],
        "verify": True,
        "enabled": True,
    }
    listed = await api.client.get(PROVIDERS, headers=api.auth(api.key))
    assert listed.status_code == 200 and listed.json() == [created.json()]
    updated = await api.client.post(
        f"{PROVIDERS}/hunter",
        json={"priority": 3, "zone": "front", "verify": False},
        headers=api.auth(api.key),
    )
    assert updated.status_code == 200
    assert (updated.json()["priority"], updated.json()["zone"], updated.json()["verify"]) == (
        3,
        "front",
        False,
    )
    reset = await api.client.post(
        f"{PROVIDERS}/hunter", json={"zone": None, "verify": None}, headers=api.auth(api.key)
    )
    assert (reset.json()["zone"], reset.json()["verify"], reset.json()["priority"]) == (
        "auto",
        True,
        3,
    )
    status = await api.client.get(f"{PROVIDERS}/hunter/status", headers=api.auth(api.key))
    assert status.json() == {"status": "valid"}
    hunter.accepted.discard("ws-a-key-1111")
    status = await api.client.get(f"{PROVIDERS}/hunter/status", headers=api.auth(api.key))
    assert status.json() == {"status": "rejected"}
    hunter.down = True
    status = await api.client.get(f"{PROVIDERS}/hunter/status", headers=api.auth(api.key))
    assert status.json() == {"status": "unavailable"}
    hunter.down = False
    deleted = await api.client.delete(f"{PROVIDERS}/hunter", headers=api.auth(api.key))
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await api.client.get(PROVIDERS, headers=api.auth(api.key))).json() == []
    again = await api.client.delete(f"{PROVIDERS}/hunter", headers=api.auth(api.key))
    assert (again.status_code, again.json()["code"]) == (404, "error.provider_config.not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([], "error.provider_config.request_invalid"),
        ({"credentials": {"api_key": "k"}, "priority": 1}, "error.provider_config.request_invalid"),
        (
            {"provider": "zoominfo", "credentials": {"api_key": "k"}, "priority": 1},
            "error.provider_config.provider_unsupported",
        ),
        ({"provider": "hunter", "priority": 1}, "error.provider_config.credentials_required"),
        (
            {"provider": "hunter", "credentials": {}, "priority": 1},
            "error.provider_config.credentials_invalid",
        ),
        (
            {"provider": "hunter", "credentials": {"api_key": "k", "x": "y"}, "priority": 1},
            "error.provider_config.credentials_invalid",
        ),
        (
            {"provider": "hunter", "credentials": {"api_key": ""}, "priority": 1},
            "error.provider_config.credentials_invalid",
        ),
        (
            {"provider": "hunter", "credentials": {"api_key": "ws-a-key-1111"}},
            "error.provider_config.priority_required",
        ),
        (
            {"provider": "hunter", "credentials": {"api_key": "ws-a-key-1111"}, "priority": 0},
            "error.provider_config.priority_invalid",
        ),
        (
            {
                "provider": "hunter",
                "credentials": {"api_key": "ws-a-key-1111"},
                "priority": 1,
                "zone": "middle",
            },
            "error.provider_config.zone_invalid",
        ),
        (
            {
                "provider": "hunter",
                "credentials": {"api_key": "ws-a-key-1111"},
                "priority": 1,
                "data_types": ["contact.phones"],
            },
            "error.provider_config.data_types_invalid",
        ),
        (
            {"provider": "hunter", "credentials": {"api_key": "refused"}, "priority": 1},
            "error.provider_config.credentials_rejected",
        ),
    ],
)
async def test_errors(byok: Api, body: Any, code: str) -> None:
    response = await byok.client.post(PROVIDERS, json=body, headers=byok.auth(byok.key))
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message"}
    assert (await byok.client.get(PROVIDERS, headers=byok.auth(byok.key))).json() == []


async def test_duplicates_unknown_names_and_missing_keys(byok: Api) -> None:
    await add_key(byok, "ws-a-key-1111")
    duplicate = await add_key(byok, "ws-a-key-1111")
    assert (duplicate.status_code, duplicate.json()["code"]) == (
        409,
        "error.provider_config.already_exists",
    )
    unknown = await byok.client.delete(f"{PROVIDERS}/nope", headers=byok.auth(byok.key))
    assert unknown.status_code == 400 and unknown.json()["message"] == "Unknown provider name"
    missing = await byok.client.get(f"{PROVIDERS}/lusha/status", headers=byok.auth(byok.key))
    assert missing.status_code == 404
    rotate_bad = await byok.client.post(
        f"{PROVIDERS}/hunter",
        json={"credentials": {"api_key": "refused"}},
        headers=byok.auth(byok.key),
    )
    assert rotate_bad.json()["code"] == "error.provider_config.credentials_rejected"
    empty = await byok.client.post(f"{PROVIDERS}/hunter", json={}, headers=byok.auth(byok.key))
    assert empty.json()["code"] == "error.provider_config.request_invalid"


async def test_credentials_are_sealed_and_never_shown_or_logged(
    byok: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await add_key(byok, "ws-a-key-1111")
    async with byok.services.db.read() as session:
        row = (await session.execute(select(ProviderKey))).scalar_one()
    assert "ws-a-key-1111" not in row.sealed_credentials
    assert byok.services.provider_keys.open(row) == {"api_key": "ws-a-key-1111"}
    listed = await byok.client.get(PROVIDERS, headers=byok.auth(byok.key))
    await byok.wait(
        await byok.enrich({"name": "x", "data": [person("Ann")]}, key=byok.key), key=byok.key
    )
    for text in (response.text, listed.text, caplog.text):
        assert "ws-a-key-1111" not in text


async def test_own_key_is_free_and_marked(byok: Api, hunter: FakeHunter) -> None:
    await add_key(byok, "ws-a-key-1111")
    job = await byok.enrich({"name": "own", "data": [person("Ann")]}, key=byok.key)
    body = (await byok.wait(job, key=byok.key)).json()
    info = body["data"][0]["contact_info"]
    assert info["most_probable_work_email"] == {
        "email": "ann@acme.com",
        "status": "DELIVERABLE",
        "byok_provider": "hunter",
    }
    assert info["work_emails"][0]["byok_provider"] == "hunter"
    assert body["cost"]["credits"] == 0
    assert hunter.finds == [("ws-a-key-1111", "Ann")]
    async with byok.services.db.read() as session:
        rows = (await session.execute(select(LedgerEntry).where(LedgerEntry.amount <= 0))).scalars()
        assert [(r.item, r.amount, r.reason) for r in rows] == [("work_email", 0, "own_key")]
    # verify=false: the value is shown UNVERIFIED, still free.
    await byok.client.post(
        f"{PROVIDERS}/hunter", json={"verify": False}, headers=byok.auth(byok.key)
    )
    job = await byok.enrich({"name": "raw", "data": [person("Bea")]}, key=byok.key)
    body = (await byok.wait(job, key=byok.key)).json()
    assert body["data"][0]["contact_info"]["most_probable_work_email"] == {
        "email": "bea@acme.com",
        "status": "UNVERIFIED",
        "byok_provider": "hunter",
    }
    assert body["cost"]["credits"] == 0
    # Disabled keys are listed but not used.
    await byok.client.post(
        f"{PROVIDERS}/hunter", json={"enabled": False}, headers=byok.auth(byok.key)
    )
    job = await byok.enrich({"name": "off", "data": [person("Cy")]}, key=byok.key)
    body = (await byok.wait(job, key=byok.key)).json()
    assert body["data"][0]["contact_info"]["work_emails"] == []
    assert len(hunter.finds) == 2


async def test_a_workspaces_key_is_never_used_for_another(byok: Api, hunter: FakeHunter) -> None:
    async with byok.services.db.transaction() as session:
        other = await repository.create_workspace(
            session, "other", byok.services.secret, credits=50
        )
    await add_key(byok, "ws-a-key-1111")
    # The other workspace asks for the very same person: no key of its own, nothing found,
    # and no call (nor cached answer) made with the first workspace's key.
    job = await byok.enrich({"name": "b", "data": [person("Ann")]}, key=other.api_key)
    body = (await byok.wait(job, key=other.api_key)).json()
    assert body["data"][0]["contact_info"]["work_emails"] == []
    job = await byok.enrich({"name": "a", "data": [person("Ann")]}, key=byok.key)
    await byok.wait(job, key=byok.key)
    job = await byok.enrich({"name": "b2", "data": [person("Ann")]}, key=other.api_key)
    body = (await byok.wait(job, key=other.api_key)).json()
    assert body["data"][0]["contact_info"]["work_emails"] == []
    assert hunter.finds == [("ws-a-key-1111", "Ann")]
    # With a key of its own, it uses that one.
    await add_key(byok, "ws-b-key-2222", token=other.api_key)
    job = await byok.enrich({"name": "b3", "data": [person("Ann")]}, key=other.api_key)
    await byok.wait(job, key=other.api_key)
    assert hunter.finds == [("ws-a-key-1111", "Ann"), ("ws-b-key-2222", "Ann")]
    listed = await byok.client.get(PROVIDERS, headers=byok.auth(other.api_key))
    assert len(listed.json()) == 1


async def test_sub_account_keys_are_scoped(byok: Api, hunter: FakeHunter) -> None:
    sub = (
        await byok.client.post(
            "/api/v2/sub-accounts", json={"name": "S"}, headers=byok.auth(byok.key)
        )
    ).json()
    scoped = {**byok.auth(byok.key), "Sub-Account-ID": sub["id"]}
    body = {"provider": "hunter", "credentials": {"api_key": "ws-b-key-2222"}, "priority": 1}
    assert (await byok.client.post(PROVIDERS, json=body, headers=scoped)).status_code == 201
    assert (await byok.client.get(PROVIDERS, headers=byok.auth(byok.key))).json() == []
    assert len((await byok.client.get(PROVIDERS, headers=scoped)).json()) == 1
    job = (
        await byok.client.post(BULK, json={"name": "s", "data": [person("Ann")]}, headers=scoped)
    ).json()
    for _ in range(200):
        result = await byok.client.get(f"{BULK}/{job['enrichment_id']}", headers=scoped)
        if result.status_code == 200 and result.json()["status"] == "FINISHED":
            break
    assert hunter.finds == [("ws-b-key-2222", "Ann")]
    # The workspace's own enrichments do not use the sub-account's key.
    job_id = await byok.enrich({"name": "w", "data": [person("Bob")]}, key=byok.key)
    await byok.wait(job_id, key=byok.key)
    assert len(hunter.finds) == 1


async def test_own_key_before_the_servers_key_with_fallback(
    sqlite_url: str, tmp_path: Path, hunter: FakeHunter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_SERVER_HUNTER_KEY", SERVER_KEY)
    async with hunter_api(sqlite_url, tmp_path, hunter, server_key=True) as api:
        await add_key(api, "ws-a-key-1111")
        job = await api.enrich({"name": "own", "data": [person("Ann")]}, key=api.key)
        body = (await api.wait(job, key=api.key)).json()
        assert hunter.finds == [("ws-a-key-1111", "Ann")]
        assert body["cost"]["credits"] == 0
        # The vendor now refuses the workspace's key: the server's own account answers,
        # charged as usual and unmarked; the key stays enabled.
        hunter.accepted.discard("ws-a-key-1111")
        job = await api.enrich({"name": "fallback", "data": [person("Bob")]}, key=api.key)
        body = (await api.wait(job, key=api.key)).json()
        assert hunter.finds[-1] == (SERVER_KEY, "Bob")
        assert body["data"][0]["contact_info"]["most_probable_work_email"] == {
            "email": "bob@acme.com",
            "status": "DELIVERABLE",
        }
        assert body["cost"]["credits"] == 1
        listed = await api.client.get(PROVIDERS, headers=api.auth(api.key))
        assert listed.json()[0]["enabled"] is True
