"""The worker pool: leases expire and are swept back, live leases are renewed, and the
sweeper's housekeeping removes expired cached answers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.harness import make_settings, running_api

from openenrich.db import utcnow
from openenrich.domain import ContactQuery, Field
from openenrich.enrichment import repository as jobs
from openenrich.enrichment.models import Contact
from openenrich.providers.base import ProviderResult
from openenrich.queue.slots import idle
from openenrich.waterfall import Waterfall
from openenrich.waterfall.models import ProviderCacheEntry

pytestmark = pytest.mark.anyio
PERSON = {
    "first_name": "Lea",
    "last_name": "Se",
    "domain": "lease.example",
    "enrich_fields": ["contact.work_emails"],
}


async def test_expired_lease_is_swept_back_and_fenced(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        enrichment_id = await api.enrich({"name": "l", "data": [PERSON]})
        async with api.services.db.transaction() as session:
            (stale,) = await jobs.claim(session, timedelta(seconds=-1), 10)
        pool = api.services.worker_pool()
        await pool.sweep()
        async with api.services.db.transaction() as session:
            (fresh,) = await jobs.claim(session, timedelta(minutes=1), 10)
        assert fresh.contact_id == stale.contact_id and fresh.attempt == stale.attempt + 1
        # The first holder comes back late: its lease is fenced off, the second finishes.
        async with api.services.db.transaction() as session:
            assert await jobs.renew_leases(session, [stale, fresh], timedelta(minutes=1)) == 1
            assert not await jobs.finish_contact(session, stale)
            assert await jobs.finish_contact(session, fresh)
        await pool.sweep()  # closes the enrichment: no contact left to run
        body = (await api.wait(enrichment_id)).json()
        assert body["status"] == "FINISHED"


async def test_running_contact_keeps_its_lease(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        sqlite_url, tmp_path, lease_seconds=0.3, sandbox_latency_ms=1200, sweep_interval_seconds=0.1
    )
    async with running_api(settings) as api:
        enrichment_id = await api.enrich({"name": "slow", "data": [PERSON]})
        body = (await api.wait(enrichment_id)).json()
        assert body["status"] == "FINISHED"
        async with api.services.db.read() as session:
            attempts = await session.scalar(
                select(Contact.attempts).where(Contact.enrichment_id == enrichment_id)
            )
        assert attempts == 1  # never swept back while it ran, though it outlived its lease


async def test_housekeeping_purges_expired_cache(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        now = utcnow()
        async with api.services.db.transaction() as session:
            for key, expires in (
                ("old", now - timedelta(seconds=1)),
                ("new", now + timedelta(days=1)),
            ):
                session.add(
                    ProviderCacheEntry(
                        key=key,
                        provider="p",
                        kind="find",
                        found=False,
                        payload="[]",
                        expires_at=expires,
                    )
                )
        await api.services.worker_pool().sweep()
        async with api.services.db.read() as session:
            keys = (await session.execute(select(ProviderCacheEntry.key))).scalars().all()
            count = await session.scalar(select(func.count()).select_from(ProviderCacheEntry))
        assert list(keys) == ["new"] and count == 1


class WaitingProvider:
    """Waits (as an asynchronous vendor between polls does) for people named Slow."""

    name = "waiting"
    fields = frozenset(Field)

    def __init__(self) -> None:
        self.finished: list[str] = []

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult:
        if query.first_name == "Slow":
            await idle(0.5)
        self.finished.append(query.first_name)
        return ProviderResult()


async def test_waiting_contacts_do_not_hold_worker_slots(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, worker_concurrency=1)
    async with running_api(settings) as api:
        provider = WaitingProvider()
        live = Waterfall({f: [provider] for f in Field})
        api.services.processors["enrich"].waterfall_for = lambda sandbox: live  # type: ignore[attr-defined]
        data = [{**PERSON, "first_name": name} for name in ("Slow", "Fast1", "Fast2")]
        enrichment_id = await api.enrich({"name": "w", "data": data}, key=api.key)
        body = (await api.wait(enrichment_id, key=api.key)).json()
        assert body["status"] == "FINISHED"
    # One slot: the fast ones ran while the slow one waited.
    assert provider.finished == ["Fast1", "Fast2", "Slow"]


async def test_a_contact_that_keeps_killing_its_worker_ends_failed(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        enrichment_id = await api.enrich({"name": "poison", "data": [PERSON]})
        pool = api.services.worker_pool()
        for _ in range(jobs.MAX_ATTEMPTS):  # each worker dies holding it: the lease runs out
            async with api.services.db.transaction() as session:
                (claim,) = await jobs.claim(session, timedelta(seconds=-1), 10)
            await pool.sweep()
        body = (await api.wait(enrichment_id)).json()
        async with api.services.db.read() as session:
            status = await session.scalar(
                select(Contact.status).where(Contact.enrichment_id == enrichment_id)
            )
    assert claim.attempt == jobs.MAX_ATTEMPTS and status == "failed"
    assert body["status"] == "FINISHED" and len(body["data"]) == 1
