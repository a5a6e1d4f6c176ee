"""Erasure: one person planted through every path that keeps contact data (an enrichment
with provider hits, a reverse lookup, webhooks not yet delivered, the provider cache and
the call log) is erased, and no trace of them is left in any table of the database, while
the others' data is intact. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select
from tests.harness import Api
from tests.privacy.rig import BARNABY, OTTOLINE, Vendors, live_api
from tests.privacy.scan import find_traces, table_names

from openenrich.privacy import registry
from openenrich.waterfall.models import ProviderCacheEntry, ProviderCall
from openenrich.webhooks.models import EventStatus, WebhookEvent

pytestmark = pytest.mark.anyio

ALL_FIELDS = ["contact.work_emails", "contact.personal_emails", "contact.phones"]


async def plant(api: Api) -> tuple[str, str]:
    """An enrichment of Ottoline and Barnaby with both webhooks, then a reverse lookup of
    each of their addresses; both webhooks stay undelivered (no deliverer runs)."""
    enrichment_id = await api.enrich(
        {
            "name": "Q3 prospects",
            "webhook_url": "https://hooks.receiver.example/done",
            "webhook_events": {"contact_finished": "https://hooks.receiver.example/each"},
            "data": [OTTOLINE.contact(*ALL_FIELDS), BARNABY.contact(*ALL_FIELDS)],
        },
        key=api.key,
    )
    body = (await api.wait(enrichment_id, key=api.key)).json()
    emails = [r["contact_info"]["most_probable_work_email"]["email"] for r in body["data"]]
    assert emails == [OTTOLINE.work_email, BARNABY.work_email]
    reverse = await api.client.post(
        "/api/v2/contact/reverse/email/bulk",
        json={
            "name": "lookups",
            "data": [{"email": OTTOLINE.personal_email}, {"email": BARNABY.personal_email}],
        },
        headers=api.auth(api.key),
    )
    assert reverse.status_code == 200, reverse.text
    reverse_id = reverse.json()["enrichment_id"]
    looked = (await api.wait(reverse_id, key=api.key, path="reverse/email")).json()
    names = [r["profile"]["full_name"].lower() for r in looked["data"]]
    assert names == ["ottoline quennell", "barnaby rudge"]
    await api.services.live.flush()
    return enrichment_id, reverse_id


async def test_erased_person_leaves_no_trace_in_any_table(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendors = Vendors([OTTOLINE, BARNABY])
    async with live_api(database_url, tmp_path, monkeypatch, vendors) as api:
        enrichment_id, reverse_id = await plant(api)
        async with api.services.db.read() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(WebhookEvent)
                .where(WebhookEvent.status == EventStatus.PENDING)
            )
            assert pending == 3  # two contacts finished, one job finished
            assert await session.scalar(select(func.count()).select_from(ProviderCacheEntry))
            assert await session.scalar(select(func.count()).select_from(ProviderCall))
        # Everything about Ottoline is somewhere before the erasure.
        before = {n for _, _, n in find_traces(database_url, OTTOLINE.traces())}
        assert before == set(OTTOLINE.traces())

        response = await api.client.post(
            "/api/v2/privacy/erasures",
            json={"email": OTTOLINE.personal_email},
            headers=api.auth(api.key),
        )
        assert response.status_code == 200, response.text
        receipt = response.json()
        by_store = {s["store"]: s for s in receipt["stores"]}
        planted = {"results", "provider_cache", "provider_calls", "webhooks"}
        assert set(by_store) >= planted
        assert all(by_store[name]["removed"] > 0 for name in planted)
        assert receipt["opted_out"] is True

        assert find_traces(database_url, OTTOLINE.traces()) == []
        # Barnaby, in the same jobs, webhooks and cache, is intact.
        assert {n for _, _, n in find_traces(database_url, BARNABY.traces())} == set(
            BARNABY.traces()
        )
        # Results keep their shape, without her values; his record is unchanged.
        body = (await api.wait(enrichment_id, key=api.key)).json()
        hers, his = body["data"]
        assert hers["input"]["first_name"] == "" and set(hers["input"].values()) == {""}
        assert hers["contact_info"] == {"work_emails": [], "personal_emails": [], "phones": []}
        assert his["contact_info"]["most_probable_work_email"]["email"] == BARNABY.work_email
        looked = (await api.wait(reverse_id, key=api.key, path="reverse/email")).json()
        assert "profile" not in looked["data"][0]
        assert looked["data"][1]["profile"]["full_name"].lower() == "barnaby rudge"
        # Webhooks not yet delivered still go out, without her.
        async with api.services.db.read() as session:
            bodies = (await session.execute(select(WebhookEvent.body))).scalars().all()
        assert len(bodies) == 3
        assert any(BARNABY.work_email in orjson.loads(b).__repr__() for b in bodies)

        # Idempotent: nothing more to find.
        again = await api.client.post(
            "/api/v2/privacy/erasures",
            json={"email": OTTOLINE.personal_email},
            headers=api.auth(api.key),
        )
        assert again.json()["removed"] == 0

        # And on the list: enriching her again asks no source.
        asked = len(vendors.pdl_asked)
        again_id = await api.enrich(
            {"name": "again", "data": [OTTOLINE.contact(*ALL_FIELDS)]}, key=api.key
        )
        record = (await api.wait(again_id, key=api.key)).json()["data"][0]
        assert record["contact_info"]["work_emails"] == []
        assert len(vendors.pdl_asked) == asked
    # The scan covered every table, and every table is registered or declared exempt.
    assert registry.unregistered(table_names(database_url)) == []


def test_every_table_is_registered_or_exempt(sqlite_url: str) -> None:
    """A table added later without registering with `openenrich.privacy` fails here (and
    the erasure scan above reads it anyway)."""
    tables = table_names(sqlite_url)
    assert "contacts" in tables and "provider_cache" in tables
    assert registry.unregistered(tables) == []
    assert registry.unregistered([*tables, "contact_notes"]) == ["contact_notes"]
