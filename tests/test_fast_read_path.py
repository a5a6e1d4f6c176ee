"""Polls of a finished job are answered before FastAPI's routing (`api/fastpath.py`): the
same bytes, the same authentication, limit and isolation as the endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.harness import Api, make_settings, running_api

from openenrich.enrichment.service import ResultReader

CONTACT = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "domain": "analytical.example",
    "enrich_fields": ["contact.work_emails"],
}


async def finished(api: Api) -> tuple[str, bytes]:
    """A finished job's id, and its body as the endpoint answered it."""
    enrichment_id = await api.enrich({"name": "fast", "data": [CONTACT]})
    body = (await api.wait(enrichment_id)).content
    return enrichment_id, body


def no_more_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the endpoint's reader fails: what still answers is the fast path."""

    async def refuse(*args: object, **kwargs: object) -> tuple[int, bytes]:
        raise AssertionError("read through the endpoint")

    monkeypatch.setattr(ResultReader, "read", refuse)


@pytest.mark.anyio
async def test_a_held_result_is_served_with_the_same_bytes_and_headers(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrichment_id, body = await finished(api)
    path = f"/api/v2/contact/enrich/bulk/{enrichment_id}"
    through_app = await api.client.get(path, headers=api.auth())
    no_more_reads(monkeypatch)
    fast = await api.client.get(path, headers=api.auth())
    assert fast.status_code == through_app.status_code == 200
    assert fast.content == through_app.content == body
    assert fast.headers["content-type"] == through_app.headers["content-type"]
    assert fast.headers["content-length"] == through_app.headers["content-length"]


@pytest.mark.anyio
async def test_other_workspaces_and_modes_and_kinds_see_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrichment_id, _ = await finished(api)
    path = f"/api/v2/contact/enrich/bulk/{enrichment_id}"
    assert (await api.client.get(path, headers=api.auth())).status_code == 200
    live = await api.client.get(path, headers=api.auth(api.key))
    assert live.status_code == 404
    assert live.json()["code"] == "error.enrichment.not_found"
    reverse = await api.client.get(
        f"/api/v2/contact/reverse/email/bulk/{enrichment_id}", headers=api.auth()
    )
    assert reverse.status_code == 404
    unknown = await api.client.get(path, headers={"Authorization": "Bearer oe_test_nope"})
    missing = await api.client.get(path)
    assert unknown.status_code == missing.status_code == 401
    assert missing.json()["code"] == "error.authorization.not_set"


@pytest.mark.anyio
async def test_held_results_still_count_against_the_rate_limit(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(sqlite_url, tmp_path, rate_limit_per_minute=4)
    async with running_api(settings) as api:
        enrichment_id, _ = await finished(api)
        path = f"/api/v2/contact/enrich/bulk/{enrichment_id}"
        codes = [(await api.client.get(path, headers=api.auth())).status_code for _ in range(6)]
    assert 429 in codes
    assert codes[codes.index(429) :] == [429] * (len(codes) - codes.index(429))
