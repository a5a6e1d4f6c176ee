"""Credits charged once per found item, dedup, running out, sandbox isolation, progress."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.harness import Api, make_settings, running_api
from tests.spec import assert_schema

from openenrich.accounts.models import LedgerEntry
from openenrich.accounts.repository import balance, ledger_sum
from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field, LineType, PhoneFinding
from openenrich.enrichment.models import Contact
from openenrich.providers.base import ProviderResult
from openenrich.waterfall import Waterfall

pytestmark = pytest.mark.anyio
ALL_FIELDS = ["contact.work_emails", "contact.personal_emails", "contact.phones"]


class FixedProvider:
    """Finds the same work email (DELIVERABLE), personal email and mobile for everyone."""

    name = "fixed"
    fields = frozenset(Field)

    def __init__(self) -> None:
        self.calls = 0

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult:
        self.calls += 1
        found: list[Any] = []
        if Field.WORK_EMAIL in fields:
            found.append(
                EmailFinding(
                    f"{query.first_name.lower()}@acme.example",
                    Field.WORK_EMAIL,
                    EmailStatus.DELIVERABLE,
                )
            )
        if Field.PERSONAL_EMAIL in fields:
            found.append(
                EmailFinding(
                    f"{query.first_name.lower()}@mail.example",
                    Field.PERSONAL_EMAIL,
                    EmailStatus.DELIVERABLE,
                )
            )
        if Field.PHONE in fields:
            found.append(PhoneFinding("+33 6 12 34 56 78", LineType.MOBILE))
            found.append(PhoneFinding("+33 1 42 68 53 00", LineType.LANDLINE))
        return ProviderResult(found)


def person(first: str, fields: list[str] | None = None) -> dict[str, Any]:
    return {
        "first_name": first,
        "last_name": "Doe",
        "domain": "acme.example",
        "enrich_fields": fields or ALL_FIELDS,
    }


async def _with_provider(api: Api, provider: FixedProvider) -> None:
    live = Waterfall({f: [provider] for f in Field})
    api.services.processors["enrich"].waterfall_for = (  # type: ignore[attr-defined]
        lambda sandbox: live
    )


async def ledger(api: Api, sandbox: bool) -> list[LedgerEntry]:
    async with api.services.db.read() as session:
        rows = await session.execute(
            select(LedgerEntry).where(LedgerEntry.sandbox == sandbox).order_by(LedgerEntry.id)
        )
        return list(rows.scalars())


async def test_prices_and_ledger(database_url: str, tmp_path: Path) -> None:
    async with running_api(make_settings(database_url, tmp_path), credits=100) as api:
        provider = FixedProvider()
        await _with_provider(api, provider)
        enrichment_id = await api.enrich(
            {"name": "p", "data": [person("ann"), person("bob", ["contact.work_emails"])]},
            key=api.key,
        )
        body = (await api.wait(enrichment_id, key=api.key)).json()
        assert body["status"] == "FINISHED"
        assert body["cost"] == {"credits": 14 + 1}
        ann = body["data"][0]["contact_info"]
        assert ann["most_probable_phone"] == {"number": "+33 6 12 34 56 78", "region": "FR"}
        assert len(ann["phones"]) == 1  # the landline is neither shown nor charged
        assert body["data"][1]["contact_info"]["personal_emails"] == []
        rows = await ledger(api, sandbox=False)
        charges = sorted((r.item, r.amount) for r in rows if r.reason == "charge")
        assert charges == [
            ("personal_email", -3),
            ("phone", -10),
            ("work_email", -1),
            ("work_email", -1),
        ]
        async with api.services.db.read() as session:
            assert await balance(session, api.workspace_id, False) == 100 - 15
            assert await ledger_sum(session, api.workspace_id, False) == 100 - 15
            assert await balance(session, api.workspace_id, True) == 1000  # sandbox untouched


async def test_identical_input_within_window_is_free(database_url: str, tmp_path: Path) -> None:
    async with running_api(make_settings(database_url, tmp_path), credits=100) as api:
        await _with_provider(api, FixedProvider())
        first = await api.enrich({"name": "a", "data": [person("ann")]}, key=api.key)
        assert (await api.wait(first, key=api.key)).json()["cost"]["credits"] == 14
        again = await api.enrich(
            {"name": "b", "data": [{**person("ANN"), "domain": "https://www.Acme.example/"}]},
            key=api.key,
        )
        second = (await api.wait(again, key=api.key)).json()
        assert second["cost"]["credits"] == 0
        assert second["data"][0]["contact_info"]["most_probable_work_email"]["email"] == (
            "ann@acme.example"
        )
        async with api.services.db.read() as session:
            assert await balance(session, api.workspace_id, False) == 86


async def test_running_out_ends_credits_insufficient_with_402(
    database_url: str, tmp_path: Path
) -> None:
    async with running_api(
        make_settings(database_url, tmp_path, worker_concurrency=1), credits=12
    ) as api:
        await _with_provider(api, FixedProvider())
        data = [person(f"p{i}") for i in range(4)]
        enrichment_id = await api.enrich({"name": "poor", "data": data}, key=api.key)
        response = await api.wait(enrichment_id, key=api.key)
        final = await api.client.get(
            f"/api/v2/contact/enrich/bulk/{enrichment_id}", headers=api.auth(api.key)
        )
        assert final.status_code == 402
        body = final.json()
        assert_schema(body, "ResponseGetContactBulkEnrich")
        assert response.json()["status"] == body["status"] == "CREDITS_INSUFFICIENT"
        assert len(body["data"]) == 4
        async with api.services.db.read() as session:
            left = await balance(session, api.workspace_id, False)
            spent = -sum(r.amount for r in await ledger(api, False) if r.reason == "charge")
        assert left >= 0 and spent == 12 - left == body["cost"]["credits"]
        # Whatever could not be paid is withheld, never shown for free.
        shown = sum(bool(r["contact_info"]["phones"]) for r in body["data"])
        assert shown * 10 <= spent


async def test_sandbox_keys_use_their_own_balance(api: Api) -> None:
    enrichment_id = await api.enrich({"name": "s", "data": [person("x") for _ in range(5)]})
    body = (await api.wait(enrichment_id)).json()
    async with api.services.db.read() as session:
        assert await balance(session, api.workspace_id, False) == 1000
        assert await balance(session, api.workspace_id, True) == 1000 - body["cost"]["credits"]
    credits = await api.client.get("/api/v2/account/credits", headers=api.auth())
    assert credits.json()["balance"] == 1000 - body["cost"]["credits"]


async def test_live_key_without_providers_finds_nothing_and_costs_nothing(api: Api) -> None:
    enrichment_id = await api.enrich({"name": "l", "data": [person("x")]}, key=api.key)
    body = (await api.wait(enrichment_id, key=api.key)).json()
    assert body["status"] == "FINISHED" and body["cost"] == {"credits": 0}
    assert body["data"][0]["contact_info"] == {
        "work_emails": [],
        "personal_emails": [],
        "phones": [],
    }


async def test_sandbox_is_deterministic(api: Api) -> None:
    data = [person(f"n{i}") for i in range(10)]
    first = (await api.wait(await api.enrich({"name": "a", "data": data}))).json()
    second = (await api.wait(await api.enrich({"name": "b", "data": data}))).json()
    assert first["data"] == second["data"]


@pytest.mark.parametrize("as_status", [False, True])
async def test_in_progress_and_force_results(
    sqlite_url: str, tmp_path: Path, as_status: bool
) -> None:
    settings = make_settings(
        sqlite_url,
        tmp_path,
        sandbox_latency_ms=300,
        worker_concurrency=2,
        in_progress_as_status=as_status,
    )
    async with running_api(settings) as api:
        enrichment_id = await api.enrich(
            {"name": "slow", "data": [person(f"s{i}") for i in range(6)]}
        )
        url = f"/api/v2/contact/enrich/bulk/{enrichment_id}"
        early = await api.client.get(url, headers=api.auth())
        if as_status:
            assert early.status_code == 200
            assert early.json()["status"] in ("CREATED", "IN_PROGRESS")
            assert "data" not in early.json()
            assert_schema(early.json(), "ResponseGetContactBulkEnrich")
        else:
            assert early.status_code == 400
            assert early.json() == {
                "code": "error.enrichment.in_progress",
                "message": "Enrichment not ready, try again in 30 seconds",
            }
        seen: set[int] = set()
        for _ in range(100):
            forced = await api.client.get(url, headers=api.auth(), params={"forceResults": "true"})
            assert forced.status_code == 200
            assert_schema(forced.json(), "ResponseGetContactBulkEnrich")
            seen.add(len(forced.json()["data"]))
            if forced.json()["status"] == "FINISHED":
                break
            await asyncio.sleep(0.05)
        assert max(seen) == 6 and min(seen) < 6  # partial results were visible on the way


async def test_rate_limit_per_workspace(sqlite_url: str, tmp_path: Path) -> None:
    async with running_api(make_settings(sqlite_url, tmp_path, rate_limit_per_minute=5)) as api:
        codes = [
            (await api.client.get("/api/v2/account/credits", headers=api.auth())).status_code
            for _ in range(7)
        ]
        live = [
            (await api.client.get("/api/v2/account/credits", headers=api.auth(api.key)))
            for _ in range(7)
        ]
    # Each mode of the workspace has its own budget (unless the minute rolled over):
    # sandbox calls never use up the live allowance (issue 15 item 2).
    assert codes[:5] == [200] * 5 or codes.count(429) >= 1
    assert live[0].status_code == 200
    limited = next(r for r in live if r.status_code == 429)
    assert limited.json() == {
        "code": "error.rate.limit",
        "message": "Too many requests. Try again in 1m",
    }
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


async def test_every_contact_row_finishes_once(api: Api) -> None:
    enrichment_id = await api.enrich({"name": "c", "data": [person(f"c{i}") for i in range(20)]})
    await api.wait(enrichment_id)
    async with api.services.db.read() as session:
        statuses = (
            await session.execute(
                select(Contact.status, func.count())
                .where(Contact.enrichment_id == enrichment_id)
                .group_by(Contact.status)
            )
        ).all()
        charged = await session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.enrichment_id == enrichment_id)
        )
        distinct = await session.scalar(
            select(func.count(func.distinct(LedgerEntry.contact_id + LedgerEntry.item))).where(
                LedgerEntry.enrichment_id == enrichment_id
            )
        )
    assert dict(statuses) == {"done": 20}
    assert charged == distinct


async def test_identical_input_in_concurrent_jobs_is_charged_once(
    database_url: str, tmp_path: Path
) -> None:
    async with running_api(make_settings(database_url, tmp_path), credits=1000) as api:
        await _with_provider(api, FixedProvider())
        ids = await asyncio.gather(
            *(api.enrich({"name": f"c{i}", "data": [person("zed")]}, key=api.key) for i in range(4))
        )
        bodies = [(await api.wait(i, key=api.key)).json() for i in ids]
        assert sorted(b["cost"]["credits"] for b in bodies) == [0, 0, 0, 14]
        async with api.services.db.read() as session:
            assert await balance(session, api.workspace_id, False) == 1000 - 14


async def test_cancel_keeps_what_was_done_and_charges_nothing_more(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, sandbox_latency_ms=200, worker_concurrency=2)
    async with running_api(settings) as api:
        data = [person(f"k{i}") for i in range(12)]
        enrichment_id = await api.enrich({"name": "stop", "data": data})
        url = f"/api/v2/contact/enrich/bulk/{enrichment_id}"
        while True:  # some contacts done, others running (contacts end in batches)
            partial = await api.client.get(url, headers=api.auth(), params={"forceResults": "1"})
            async with api.services.db.read() as session:
                running = await session.scalar(
                    select(func.count()).where(
                        Contact.enrichment_id == enrichment_id, Contact.status == "running"
                    )
                )
            if len(partial.json()["data"]) >= 2 and running:
                break
            await asyncio.sleep(0.01)
        async with api.services.db.transaction() as session:
            assert await api.services.jobs.cancel(session, enrichment_id) is not None
        async with api.services.db.transaction() as session:
            assert await api.services.jobs.cancel(session, enrichment_id) is None
        final = await api.client.get(url, headers=api.auth())
        assert final.status_code == 200
        body = final.json()
        assert_schema(body, "ResponseGetContactBulkEnrich")
        assert body["status"] == "CANCELED" and 2 <= len(body["data"]) < 12
        await asyncio.sleep(0.6)  # contacts that were running finish, and keep nothing
        assert (await api.client.get(url, headers=api.auth())).json() == body
        async with api.services.db.read() as session:
            spent = -sum(r.amount for r in await ledger(api, True) if r.reason == "charge")
            statuses = (
                await session.execute(
                    select(Contact.status, func.count())
                    .where(Contact.enrichment_id == enrichment_id)
                    .group_by(Contact.status)
                )
            ).all()
        assert spent == body["cost"]["credits"]
        assert dict(statuses).get("queued", 0) == 0 and dict(statuses).get("running", 0) == 0
