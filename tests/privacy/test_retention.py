"""Retention on an injected clock: finished results past retention answer 404 at once and
are purged from the database in bounded batches; unexpired ones are untouched."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from tests.harness import Api, make_settings, running_api

from openenrich.db import utcnow
from openenrich.enrichment.models import Contact, Enrichment, FindingRow
from openenrich.privacy import PrivacySettings
from openenrich.webhooks.models import WebhookEvent

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


async def job(api: Api, name: str) -> str:
    data = [
        {
            "first_name": f"{name}{i}",
            "last_name": "Doe",
            "domain": "acme.example",
            "enrich_fields": ["contact.work_emails"],
        }
        for i in range(2)
    ]
    body = {"name": name, "webhook_url": "https://hooks.receiver.example/x", "data": data}
    enrichment_id = await api.enrich(body)
    assert (await api.wait(enrichment_id)).status_code == 200
    return enrichment_id


async def counts(api: Api, ids: list[str]) -> tuple[int, int, int, int]:
    async with api.services.db.read() as session:
        contacts = select(Contact.id).where(Contact.enrichment_id.in_(ids))
        return (
            int(await session.scalar(select(func.count()).where(Enrichment.id.in_(ids))) or 0),
            int(await session.scalar(select(func.count()).select_from(contacts.subquery())) or 0),
            int(
                await session.scalar(
                    select(func.count()).where(FindingRow.contact_id.in_(contacts))
                )
                or 0
            ),
            int(
                await session.scalar(
                    select(func.count()).where(WebhookEvent.enrichment_id.in_(ids))
                )
                or 0
            ),
        )


async def test_expired_results_answer_404_and_are_purged_in_bounded_batches(
    database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    privacy = PrivacySettings(result_retention_days=90, purge_batch_size=2)
    settings = make_settings(database_url, tmp_path)
    async with running_api(settings, privacy=privacy, clock=clock) as api:
        old = [await job(api, "Old"), await job(api, "Older")]
        kept = await job(api, "Recent")
        # The old jobs finished 60 days before the others; 31 days pass.
        async with api.services.db.transaction() as session:
            await session.execute(
                update(Enrichment)
                .where(Enrichment.id.in_(old))
                .values(finished_at=utcnow() - timedelta(days=60))
            )
        clock.now += timedelta(days=31)

        # Expired: 404 like an unknown id, although still in the database (and although
        # this process held its body).
        for enrichment_id in old:
            response = await api.client.get(
                f"/api/v2/contact/enrich/bulk/{enrichment_id}", headers=api.auth()
            )
            assert response.status_code == 404
            assert response.json()["code"] == "error.enrichment.not_found"
        assert (
            await api.client.get(f"/api/v2/contact/enrich/bulk/{kept}", headers=api.auth())
        ).status_code == 200
        jobs, contacts, findings, events = await counts(api, old)
        assert (jobs, contacts, events) == (2, 4, 2) and findings > 0
        before_kept = await counts(api, [kept])

        # One batch removes at most `purge_batch_size` rows of a store.
        first = await api.services.privacy.purge_once()
        assert first["results"] == 2
        assert (await counts(api, old))[:2] == (2, 2)
        total = await api.services.privacy.purge()
        assert total["results"] == 2 + 2  # the last two contacts, then both jobs
        assert await counts(api, old) == (0, 0, 0, 0)
        assert await counts(api, [kept]) == before_kept
        assert (
            await api.client.get(f"/api/v2/contact/enrich/bulk/{kept}", headers=api.auth())
        ).status_code == 200
        # Nothing left to purge.
        assert not any((await api.services.privacy.purge_once()).values())


async def test_retention_is_shown(api: Api) -> None:
    response = await api.client.get("/api/v2/privacy/retention", headers=api.auth())
    stores = {s["store"]: s for s in response.json()["stores"]}
    assert stores["results"]["kept_for"] == "90 days after the job finished"
    assert stores["provider_calls"]["kept_for"] == "90 days"
    assert stores["people"]["kept_for"].startswith("a workspace's records 90 days after")
    assert set(stores) == {
        "results",
        "provider_cache",
        "provider_calls",
        "webhooks",
        "uploads",
        "people",
    }
