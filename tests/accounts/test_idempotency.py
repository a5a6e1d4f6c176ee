"""`Idempotency-Key`: the same key and body answer the first response again (same id,
same status); another body is a 422; concurrent requests with one key make one job."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.harness import Api

from openenrich.accounts.team_models import IdempotencyRecord
from openenrich.enrichment.models import Enrichment

pytestmark = pytest.mark.anyio
BULK = "/api/v2/contact/enrich/bulk"


def job(name: str = "once") -> dict[str, Any]:
    return {
        "name": name,
        "data": [
            {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "domain": "analytical.example",
                "enrich_fields": ["contact.work_emails"],
            }
        ],
    }


def keyed(api: Api, key: str) -> dict[str, str]:
    return {**api.auth(), "Idempotency-Key": key}


async def jobs(api: Api) -> int:
    async with api.services.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Enrichment)) or 0)


async def test_same_key_same_body_replays_the_first_response(api: Api) -> None:
    first = await api.client.post(BULK, json=job(), headers=keyed(api, "k-1"))
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    # Same JSON, other key order and spacing: the same request.
    raw = b'{ "data": [{"enrich_fields": ["contact.work_emails"], "domain": "analytical.example",'
    raw += b' "last_name": "Lovelace", "first_name": "Ada"}], "name": "once"}'
    again = await api.client.post(
        BULK, content=raw, headers={**keyed(api, "k-1"), "Content-Type": "application/json"}
    )
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await jobs(api) == 1
    other = await api.client.post(BULK, json=job(), headers=keyed(api, "k-2"))
    assert other.json() != first.json() and await jobs(api) == 2
    plain = await api.client.post(BULK, json=job(), headers=api.auth())
    assert plain.status_code == 200 and await jobs(api) == 3


async def test_same_key_other_body_is_a_422(api: Api) -> None:
    await api.client.post(BULK, json=job(), headers=keyed(api, "k"))
    response = await api.client.post(BULK, json=job("else"), headers=keyed(api, "k"))
    assert response.status_code == 422
    assert response.json() == {
        "code": "error.idempotency.key_reused",
        "message": "Idempotency-Key was already used with a different request",
    }
    # Another path (or query) with the key is another request too.
    response = await api.client.post(
        BULK, json=job(), headers=keyed(api, "k"), params={"silentFail": "true"}
    )
    assert response.status_code == 422


async def test_errors_replay_too(api: Api) -> None:
    bad = {"name": "", "data": []}
    first = await api.client.post(BULK, json=bad, headers=keyed(api, "bad"))
    again = await api.client.post(BULK, json=bad, headers=keyed(api, "bad"))
    assert first.status_code == again.status_code == 400
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"


async def test_invalid_keys(api: Api) -> None:
    for key in ("x" * 256, " "):
        response = await api.client.post(BULK, json=job(), headers=keyed(api, key))
        assert response.status_code == 400
        assert response.json()["code"] == "error.idempotency.key_invalid"


async def test_keys_are_per_scope(api: Api) -> None:
    live = await api.client.post(
        BULK, json=job(), headers={**api.auth(api.key), "Idempotency-Key": "s"}
    )
    sandbox = await api.client.post(BULK, json=job(), headers=keyed(api, "s"))
    assert live.json() != sandbox.json()
    sub = (
        await api.client.post("/api/v2/sub-accounts", json={"name": "A"}, headers=api.auth())
    ).json()
    scoped = await api.client.post(
        BULK, json=job(), headers={**keyed(api, "s"), "Sub-Account-ID": sub["id"]}
    )
    assert scoped.json() != sandbox.json()


async def test_expired_keys_run_again(api: Api) -> None:
    first = await api.client.post(BULK, json=job(), headers=keyed(api, "old"))
    async with api.services.db.transaction() as session:
        row = (await session.execute(select(IdempotencyRecord))).scalar_one()
        row.created_at = row.created_at.replace(year=row.created_at.year - 1)
    second = await api.client.post(
        BULK, json=job("new body is fine now"), headers=keyed(api, "old")
    )
    assert second.status_code == 200 and second.json() != first.json()


async def test_concurrent_requests_with_one_key_make_one_job(api: Api) -> None:
    responses = await asyncio.gather(
        *(api.client.post(BULK, json=job(), headers=keyed(api, "burst")) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["enrichment_id"] for r in responses}) == 1
    assert await jobs(api) == 1


async def test_every_creating_post_takes_a_key(api: Api) -> None:
    reverse = {"name": "r", "data": [{"email": "ada@analytical.example"}]}
    for path, body in (
        ("/api/v2/contact/reverse/email/bulk", reverse),
        (
            "/api/v1/contact/enrich/bulk",
            {
                "name": "v1",
                "datas": [
                    {
                        "firstname": "Ada",
                        "lastname": "L",
                        "domain": "a.example",
                        "enrich_fields": ["contact.emails"],
                    }
                ],
            },
        ),
        ("/api/v2/sub-accounts", {"name": "Once"}),
    ):
        first = await api.client.post(path, json=body, headers=keyed(api, f"key:{path}"))
        again = await api.client.post(path, json=body, headers=keyed(api, f"key:{path}"))
        assert first.status_code in (200, 201), first.text
        assert (again.status_code, again.json()) == (first.status_code, first.json())
