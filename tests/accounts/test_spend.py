"""Know the cost first, cap it: `max_credits` on a job, the dry run, the workspace's
monthly budget and a sub-account's monthly limit, all through one spending-limit function."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests.harness import Api, make_settings, running_api
from tests.test_credits_and_jobs import ALL_FIELDS, FixedProvider, _with_provider, person

from openenrich.accounts import limits
from openenrich.accounts.models import LedgerEntry
from openenrich.enrichment.models import Enrichment

pytestmark = pytest.mark.anyio
BULK = "/api/v2/contact/enrich/bulk"


async def spent(api: Api) -> int:
    async with api.services.db.read() as session:
        total = await session.scalar(
            select(func.coalesce(func.sum(-LedgerEntry.amount), 0)).where(
                LedgerEntry.amount < 0, LedgerEntry.sandbox.is_(False)
            )
        )
    return int(total or 0)


async def dry_run(api: Api, body: dict[str, Any], **params: Any) -> dict[str, Any]:
    response = await api.client.post(
        BULK, json=body, headers=api.auth(api.key), params={"dry_run": "true", **params}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_max_credits_caps_the_job(database_url: str, tmp_path: Path) -> None:
    settings_ = make_settings(database_url, tmp_path, worker_concurrency=1)
    async with running_api(settings_, credits=1000) as api:
        await _with_provider(api, FixedProvider())
        body = {"name": "capped", "max_credits": 20, "data": [person(f"p{i}") for i in range(5)]}
        enrichment_id = await api.enrich(body, key=api.key)
        response = await api.wait(enrichment_id, key=api.key)
        final = response.json()
        assert final["status"] == "CREDITS_INSUFFICIENT"
        assert final["cost"]["credits"] <= 20
        assert await spent(api) == final["cost"]["credits"]
        assert len(final["data"]) == 5  # what was found, plus empty records for the rest
        assert final["data"][0]["contact_info"]["most_probable_work_email"]


async def test_max_credits_is_validated_and_optional(api: Api) -> None:
    for bad in (-1, "10", 1.5, True):
        response = await api.client.post(
            BULK, json={"name": "x", "max_credits": bad, "data": [person("a")]}, headers=api.auth()
        )
        assert response.status_code == 400
        assert response.json()["code"] == "error.enrichment.max_credits.invalid"
    enrichment_id = await api.enrich({"name": "x", "data": [person("a")]})
    async with api.services.db.read() as session:
        job = await session.get(Enrichment, enrichment_id)
        assert job is not None and job.max_credits is None


async def test_dry_run_counts_and_prices_without_a_job(api: Api) -> None:
    body = {
        "name": "dry",
        "data": [person("a"), person("b", ["contact.work_emails"]), {"first_name": "only"}],
    }
    answer = await dry_run(api, body, silentFail="true")
    assert answer["dry_run"] is True
    assert answer["contacts"] == {"submitted": 3, "valid": 2}
    assert answer["credits"]["maximum"] == 14 + 1
    assert 0 <= answer["credits"]["expected"] <= 15
    assert answer["credits"]["available"] == 1000
    assert set(answer["hit_rates"]) == set(ALL_FIELDS)
    async with api.services.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Enrichment)) == 0
    capped = await dry_run(api, {**body, "max_credits": 3}, silentFail="true")
    assert capped["credits"]["maximum"] == 3
    # Without silentFail an invalid contact is the usual 400.
    response = await api.client.post(
        BULK, json=body, headers=api.auth(), params={"dry_run": "true"}
    )
    assert response.status_code == 400


async def test_expected_cost_follows_measured_hit_rates(database_url: str, tmp_path: Path) -> None:
    async with running_api(make_settings(database_url, tmp_path), credits=10_000) as api:
        await _with_provider(api, FixedProvider())  # finds all three items for everyone
        history = {"name": "h", "data": [person(f"h{i}") for i in range(30)]}
        await api.wait(await api.enrich(history, key=api.key), key=api.key)
        answer = await dry_run(api, {"name": "next", "data": [person("new")]})
        rates = answer["hit_rates"]
        assert rates["contact.phones"]["sample"] == 30
        assert rates["contact.phones"]["rate"] == pytest.approx(31 / 32, abs=1e-4)
        assert answer["credits"]["expected"] == pytest.approx(14 * 31 / 32, abs=0.01)
        # Identical input already charged within the dedup window is expected to be free.
        again = await dry_run(api, {"name": "again", "data": [person("h1")]})
        assert again["credits"]["expected"] == 0 and again["credits"]["maximum"] == 14


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sizes=st.lists(st.sampled_from([1, 2, 3]), min_size=1, max_size=6),
    cap=st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
    credits=st.integers(min_value=0, max_value=60),
)
async def test_dry_run_maximum_is_never_below_what_the_job_spends(
    sqlite_url: str, tmp_path: Path, sizes: list[int], cap: int | None, credits: int
) -> None:
    async with running_api(make_settings(sqlite_url, tmp_path), credits=max(credits, 1)) as api:
        await _with_provider(api, FixedProvider())
        data = [person(f"c{i}", ALL_FIELDS[:n]) for i, n in enumerate(sizes)]
        body: dict[str, Any] = {"name": "prop", "data": data}
        if cap is not None:
            body["max_credits"] = cap
        answer = await dry_run(api, body)
        final = (await api.wait(await api.enrich(body, key=api.key), key=api.key)).json()
        assert final["cost"]["credits"] <= answer["credits"]["maximum"]
        if cap is not None:
            assert final["cost"]["credits"] <= cap


async def test_workspace_monthly_budget_ends_the_job(database_url: str, tmp_path: Path) -> None:
    async with running_api(
        make_settings(database_url, tmp_path, worker_concurrency=1), credits=1000
    ) as api:
        await _with_provider(api, FixedProvider())
        async with api.services.db.transaction() as session:
            await limits.set_monthly_budget(session, api.workspace_id, 30)
        first = await api.enrich({"name": "1", "data": [person("a"), person("b")]}, key=api.key)
        assert (await api.wait(first, key=api.key)).json()["cost"]["credits"] == 28
        second = await api.enrich({"name": "2", "data": [person("c")]}, key=api.key)
        final = (await api.wait(second, key=api.key)).json()
        assert final["status"] == "CREDITS_INSUFFICIENT"
        assert final["cost"]["credits"] == 1  # the work email fits, the rest does not
        assert await spent(api) == 29
        answer = await dry_run(api, {"name": "3", "data": [person("d")]})
        assert answer["credits"]["available"] == 1


async def test_sub_account_monthly_limit_ends_its_jobs_only(
    database_url: str, tmp_path: Path
) -> None:
    async with running_api(
        make_settings(database_url, tmp_path, worker_concurrency=1), credits=1000
    ) as api:
        await _with_provider(api, FixedProvider())
        sub = (
            await api.client.post(
                "/api/v2/sub-accounts",
                json={"name": "Client", "monthly_credit_limit": 15},
                headers=api.auth(api.key),
            )
        ).json()
        scoped = {**api.auth(api.key), "Sub-Account-ID": sub["id"]}
        body = {"name": "s", "data": [person("a"), person("b")]}
        started = await api.client.post(BULK, json=body, headers=scoped)
        job = started.json()["enrichment_id"]
        for _ in range(400):
            response = await api.client.get(
                f"{BULK}/{job}", headers=scoped, params={"forceResults": "true"}
            )
            if response.json()["status"] in ("FINISHED", "CREDITS_INSUFFICIENT"):
                break
            await asyncio.sleep(0.05)
        assert response.json()["status"] == "CREDITS_INSUFFICIENT"
        assert response.json()["cost"]["credits"] <= 15
        # The workspace itself (and its other scopes) go on.
        direct = await api.enrich({"name": "d", "data": [person("z")]}, key=api.key)
        assert (await api.wait(direct, key=api.key)).json()["status"] == "FINISHED"


def test_allowance_takes_the_tightest_limit() -> None:
    assert limits.Allowance(balance=100).remaining == 100
    assert limits.Allowance(balance=100, job=5, sub_account=50, workspace=7).remaining == 5
    assert limits.Allowance(balance=3, job=None, sub_account=-4).remaining == 0
