"""Item 3 (claims): one tenant's backlog of slow contacts cannot hold every worker slot
while another tenant waits. Observed: 100 contacts holding all 20 slots delayed another
workspace's one-contact job from 0.5 s to 839 s, and 1,000 sandbox contacts delayed
another workspace from 1 s to 27 s (first in, first out)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.harness import Api, make_settings, running_api
from tests.security.jobs import CountingProvider, other_workspace, person, use_provider

from openenrich.enrichment import repository as jobs
from openenrich.enrichment.models import Contact
from openenrich.enrichment.repository import Tenant, fair_shares

pytestmark = pytest.mark.anyio
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def test_free_slots_go_to_the_tenant_with_fewest_running() -> None:
    flood = Tenant("a", False, running=20, queued=80, oldest=T0)
    newcomer = Tenant("b", False, running=0, queued=1, oldest=T0 + timedelta(minutes=5))
    assert fair_shares([flood, newcomer], 1) == {("b", False): 1}
    # Two backlogs take turns from equal footing; the longest waiting goes first on a tie.
    a = Tenant("a", False, running=0, queued=50, oldest=T0)
    a_sandbox = Tenant("a", True, running=0, queued=50, oldest=T0 + timedelta(seconds=1))
    assert fair_shares([a, a_sandbox], 5) == {("a", False): 3, ("a", True): 2}
    # A lone tenant gets every slot; nobody gets more than it has queued.
    assert fair_shares([a], 20) == {("a", False): 20}
    assert fair_shares([newcomer, a], 20) == {("b", False): 1, ("a", False): 19}


async def _flood_then_one(api: Api, flood_key: str, one_key: str, slots: int) -> float:
    """Flood with 40 slow contacts, wait until they hold every slot, then time another
    tenant's one-contact job."""
    provider = CountingProvider(delay=1.0)
    use_provider(api, provider)
    flood = [person(f"Flood{i}", ["contact.work_emails"]) for i in range(40)]
    await api.enrich({"name": "flood", "data": flood}, key=flood_key)
    while provider.running < slots:  # every slot held by the flood
        await asyncio.sleep(0.01)
    started = time.monotonic()
    single = await api.enrich(
        {"name": "one", "data": [person("Quick", ["contact.work_emails"])]}, key=one_key
    )
    body = (await api.wait(single, key=one_key)).json()
    elapsed = time.monotonic() - started
    assert body["status"] == "FINISHED"
    assert body["data"][0]["contact_info"]["most_probable_work_email"]["email"] == (
        "quick@acme.example"
    )
    assert provider.peak <= slots
    # First in, first out would have made it wait for the whole flood (10 s here).
    assert provider.finished.index("Quick") < 12
    return elapsed


async def test_a_flooding_workspace_does_not_delay_another(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, worker_concurrency=4)
    async with running_api(settings) as api:
        other = await other_workspace(api)
        elapsed = await _flood_then_one(api, api.key, other.key, slots=4)
    # One flood contact's time (1 s) to free a slot, plus polling.
    assert elapsed < 3.0


async def test_a_sandbox_flood_does_not_delay_live_jobs(database_url: str, tmp_path: Path) -> None:
    """Modes are tenants too: a sandbox backlog (sandbox latency holding every slot) of one
    workspace delays neither another workspace nor the same workspace's live key."""
    settings = make_settings(database_url, tmp_path, worker_concurrency=4, sandbox_latency_ms=1000)
    async with running_api(settings) as api:
        use_provider(api, CountingProvider())
        flood = [person(f"Sand{i}", ["contact.work_emails"]) for i in range(40)]
        flood_id = await api.enrich({"name": "flood", "data": flood})  # sandbox key
        while await _running(api) < 4:
            await asyncio.sleep(0.01)
        other = await other_workspace(api)
        started = time.monotonic()
        live_id = await api.enrich({"name": "live", "data": [person("Live")]}, key=api.key)
        other_id = await api.enrich({"name": "other", "data": [person("Other")]}, key=other.key)
        for enrichment_id, key in ((live_id, api.key), (other_id, other.key)):
            assert (await api.wait(enrichment_id, key=key)).json()["status"] == "FINISHED"
        elapsed = time.monotonic() - started
        async with api.services.db.read() as session:
            left = await session.scalar(
                select(func.count())
                .select_from(Contact)
                .where(Contact.enrichment_id == flood_id, Contact.status == "queued")
            )
    assert elapsed < 3.0
    assert left is not None and left > 20  # the flood was still mostly waiting


async def _running(api: Api) -> int:
    async with api.services.db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(Contact).where(Contact.status == "running")
        )
    return int(count or 0)


async def test_a_lone_tenant_uses_every_slot(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, worker_concurrency=4)
    async with running_api(settings) as api:
        provider = CountingProvider(delay=0.3)
        use_provider(api, provider)
        data = [person(f"Flood{i}", ["contact.work_emails"]) for i in range(12)]
        enrichment_id = await api.enrich({"name": "alone", "data": data}, key=api.key)
        assert (await api.wait(enrichment_id, key=api.key)).json()["status"] == "FINISHED"
    assert provider.peak == 4


async def test_claims_stay_leased_and_fenced(database_url: str, tmp_path: Path) -> None:
    """The fair claim keeps the lease semantics: each contact leased once, attempts
    counted, an expired lease swept back and claimed again with a new attempt."""
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        other = await other_workspace(api)
        await api.enrich({"name": "a", "data": [person(f"A{i}") for i in range(3)]})
        await api.enrich({"name": "b", "data": [person(f"B{i}") for i in range(3)]}, key=other.key)
        async with api.services.db.transaction() as session:
            first = await jobs.claim(session, timedelta(seconds=-1), 2)
        async with api.services.db.transaction() as session:
            rest = await jobs.claim(session, timedelta(minutes=1), 10)
        assert len(first) == 2 and len(rest) == 4
        assert len({c.contact_id for c in first + rest}) == 6
        # One of each workspace first.
        async with api.services.db.read() as session:
            owners = {
                (await session.get(Contact, c.contact_id)).enrichment_id  # type: ignore[union-attr]
                for c in first
            }
        assert len(owners) == 2
        await api.services.worker_pool().sweep()
        async with api.services.db.transaction() as session:
            again = await jobs.claim(session, timedelta(minutes=1), 10)
        assert {c.contact_id for c in again} == {c.contact_id for c in first}
        assert all(c.attempt == 2 for c in again)
