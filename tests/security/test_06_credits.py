"""Item 6: credits cannot be gamed. Observed: two different inputs shared a dedup key (the
second cost nothing); with 37 credits, 20 contacts ran the waterfall and found 30 items of
which 8 were paid, the rest still stored; prices were not checked at start-up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from tests.harness import Api, make_settings, running_api
from tests.security.jobs import PRICES, CountingProvider, person, use_provider

from openenrich.accounts.models import LedgerEntry
from openenrich.accounts.repository import funds, ledger_sum
from openenrich.config import Settings
from openenrich.domain import Field
from openenrich.enrichment import repository as jobs
from openenrich.enrichment.models import Contact, ContactStatus, FindingRow
from openenrich.enrichment.validation import ContactInput

pytestmark = pytest.mark.anyio
WORK_ONLY = ["contact.work_emails"]


def test_dedup_key_has_no_separator_to_forge() -> None:
    first = ContactInput(first_name="ann\x1fx", last_name="doe", domain="acme.example")
    second = ContactInput(first_name="ann", last_name="x\x1fdoe", domain="acme.example")
    assert first.dedup_key() != second.dedup_key()
    # Spelling still does not matter.
    assert ContactInput(first_name="ANN", domain="acme.example").dedup_key() == (
        ContactInput(first_name="ann", domain="acme.example").dedup_key()
    )


async def test_a_forged_repeat_is_charged(database_url: str, tmp_path: Path) -> None:
    async with running_api(make_settings(database_url, tmp_path), credits=100) as api:
        use_provider(api, CountingProvider())
        costs = []
        for first, last in (("ann\x1fx", "doe"), ("ann", "x\x1fdoe")):
            contact = {**person(first), "last_name": last}
            response = await api.client.post(
                "/api/v2/contact/enrich/bulk",
                json={"name": "forge", "data": [contact]},
                headers=api.auth(api.key),
            )
            if response.status_code == 400:  # refused at the edge: no harm either
                return
            enrichment_id = response.json()["enrichment_id"]
            body = (await api.wait(enrichment_id, key=api.key)).json()
            costs.append(body["cost"]["credits"])
    assert costs == [14, 14]


@pytest.mark.parametrize("value", ["-1", "abc", "1.5"])
def test_bad_prices_refused_at_start_up(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("OPENENRICH_PRICE_PHONE", value)
    with pytest.raises(ValidationError):
        Settings()
    with pytest.raises(ValidationError):
        Settings(price_work_email=-3)


async def _state(api: Api) -> tuple[int, int, int]:
    async with api.services.db.read() as session:
        money = await funds(session, api.workspace_id, False)
        total = await ledger_sum(session, api.workspace_id, False)
    return money.balance, money.reserved, total


async def _assert_exact(api: Api) -> None:
    """Every contact's charge is the sum of the prices of what it shows, and nothing
    unpaid is kept in its findings either."""
    async with api.services.db.read() as session:
        contacts = list((await session.execute(select(Contact))).scalars())
        charges = list(
            (await session.execute(select(LedgerEntry).where(LedgerEntry.amount < 0))).scalars()
        )
        rows = list((await session.execute(select(FindingRow))).scalars())
    for contact in contacts:
        assert contact.held_credits == 0
        paid = {e.item for e in charges if e.contact_id == contact.id and e.item}
        assert -sum(e.amount for e in charges if e.contact_id == contact.id) == (
            contact.cost_credits
        )
        info = (contact.result or {}).get("contact_info", {})
        shown = {
            Field.WORK_EMAIL.key: bool(info.get("work_emails")),
            Field.PERSONAL_EMAIL.key: bool(info.get("personal_emails")),
            Field.PHONE.key: bool(info.get("phones")),
        }
        assert {k for k, v in shown.items() if v} == paid
        assert contact.cost_credits == sum(PRICES[Field.from_key(k)] for k in paid)
        kept = {r.kind for r in rows if r.contact_id == contact.id}
        assert kept <= paid


async def test_37_credits_buy_37_credits_of_work(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, worker_concurrency=20)
    async with running_api(settings, credits=37) as api:
        provider = CountingProvider()
        use_provider(api, provider)
        data = [person(f"p{i}") for i in range(20)]
        enrichment_id = await api.enrich({"name": "37", "data": data}, key=api.key)
        body = (await api.wait(enrichment_id, key=api.key)).json()
        assert body["status"] == "CREDITS_INSUFFICIENT"
        balance, reserved, total = await _state(api)
        await _assert_exact(api)
    assert provider.potential_cost <= 37
    assert body["cost"]["credits"] == 37 - balance
    assert reserved == 0 and balance == total >= 0
    assert len(body["data"]) == 20


async def test_a_field_the_balance_cannot_pay_is_not_asked(
    database_url: str, tmp_path: Path
) -> None:
    async with running_api(make_settings(database_url, tmp_path), credits=5) as api:
        provider = CountingProvider()
        use_provider(api, provider)
        enrichment_id = await api.enrich({"name": "5", "data": [person("ann")]}, key=api.key)
        body = (await api.wait(enrichment_id, key=api.key)).json()
        balance, reserved, _ = await _state(api)
        await _assert_exact(api)
    assert provider.asked == {("ann", Field.WORK_EMAIL), ("ann", Field.PERSONAL_EMAIL)}
    assert body["cost"]["credits"] == 4 and balance == 1 and reserved == 0
    assert body["status"] == "CREDITS_INSUFFICIENT"
    assert body["data"][0]["contact_info"]["phones"] == []


async def test_holds_of_other_contacts_make_a_contact_wait_not_shrink(
    database_url: str, tmp_path: Path
) -> None:
    """28 credits, two contacts at 14 each at once: the second waits for the first's hold
    to be settled rather than running without its phone."""
    settings = make_settings(database_url, tmp_path, worker_concurrency=4)
    async with running_api(settings, credits=28) as api:
        provider = CountingProvider(delay=0.3, slow_prefix="p")
        use_provider(api, provider)
        data = [person("p0"), person("p1")]
        enrichment_id = await api.enrich({"name": "28", "data": data}, key=api.key)
        body = (await api.wait(enrichment_id, key=api.key)).json()
        await _assert_exact(api)
    assert body["status"] == "FINISHED" and body["cost"]["credits"] == 28


async def test_a_dead_workers_hold_is_returned_once(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings, credits=20) as api:
        provider = CountingProvider()
        use_provider(api, provider)
        contact_jobs = api.services.jobs
        enrichment_id = await api.enrich({"name": "dead", "data": [person("ann")]}, key=api.key)
        async with api.services.db.transaction() as session:
            (stale,) = await jobs.claim(session, timedelta(seconds=-1), 10)
        fields = [Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PHONE]
        held = await contact_jobs.reserve(stale, fields)
        assert held is not None and held.held == 14
        # The same lease reserving again reuses its hold.
        assert (await contact_jobs.reserve(stale, fields)).held == 14  # type: ignore[union-attr]
        assert (await _state(api))[:2] == (20, 14)
        await api.services.worker_pool().sweep()  # the worker died: its lease ran out
        assert (await _state(api))[:2] == (20, 0)
        await contact_jobs.run(stale)  # it comes back late: fenced, holds and charges nothing
        assert (await _state(api))[:2] == (20, 0)
        await api.services.worker_pool().sweep()
        async with api.services.db.transaction() as session:
            (fresh,) = await jobs.claim(session, timedelta(minutes=1), 10)
        await contact_jobs.run(fresh)
        body = (await api.wait(enrichment_id, key=api.key)).json()
        balance, reserved, total = await _state(api)
        await _assert_exact(api)
    assert body["status"] == "FINISHED" and body["cost"]["credits"] == 14
    assert (balance, reserved, total) == (6, 0, 6)


async def test_a_killed_contact_releases_its_hold_on_failure(
    database_url: str, tmp_path: Path
) -> None:
    """A contact whose run raises goes back to the queue with its hold returned."""
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings, credits=20) as api:
        use_provider(api, CountingProvider())
        await api.enrich({"name": "x", "data": [person("ann")]}, key=api.key)
        async with api.services.db.transaction() as session:
            (claim,) = await jobs.claim(session, timedelta(minutes=1), 10)
        await api.services.jobs.reserve(claim, [Field.PHONE])
        assert (await _state(api))[:2] == (20, 10)
        async with api.services.db.transaction() as session:
            await api.services.jobs.give_back(session, claim, ContactStatus.QUEUED)
        assert (await _state(api))[:2] == (20, 0)
