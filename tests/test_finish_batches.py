"""Contacts that end together are finished in one transaction, writing exactly what
finishing them one at a time writes; a batch that meets a lost lease or a canceled job
falls back to one at a time without losing or double-charging anything."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from tests.harness import Api, make_settings, running_api
from tests.webhooks.receiver import fast_settings

from openenrich.accounts import repository as accounts
from openenrich.accounts.models import Balance, LedgerEntry
from openenrich.enrichment import repository as enrichments
from openenrich.enrichment.finishing import Finish
from openenrich.enrichment.models import Contact, ContactStatus, Enrichment, FindingRow
from openenrich.webhooks.models import WebhookEvent

pytestmark = pytest.mark.anyio
FIELDS = ["contact.work_emails", "contact.personal_emails", "contact.phones"]
LEASE = timedelta(minutes=5)


def people() -> list[dict[str, Any]]:
    """Found and not found, and the same person twice (charged once)."""
    names = [("Ada", "Lovelace"), ("Alan", "Turing"), ("Ada", "Lovelace"), ("Grace", "Hopper")]
    rows = [
        {"first_name": first, "last_name": last, "domain": "acme.example", "enrich_fields": FIELDS}
        for first, last in names
    ]
    rows.append(
        {
            "first_name": "No",
            "last_name": "Body",
            "company_name": "Known",
            "enrich_fields": FIELDS[:1],
        }
    )
    return rows


async def workspace(api: Api, name: str) -> str:
    async with api.services.db.transaction() as session:
        created = await accounts.create_workspace(
            session, name, api.services.secret, credits=0, sandbox_credits=500
        )
    return created.sandbox_api_key


async def executed(api: Api, key: str) -> tuple[str, list[Finish]]:
    """A job started with `key`, every contact claimed and run, none finished yet."""
    job = await api.enrich(
        {
            "name": "batch",
            "data": people(),
            "webhook_events": {"contact_finished": "http://127.0.0.1:9/contact"},
            "webhook_url": "http://127.0.0.1:9/job",
        },
        key=key,
    )
    async with api.services.db.transaction() as session:
        claims = await enrichments.claim(session, LEASE, 100)
        reserved = await api.services.jobs.take_up(session, claims)
    assert {c.enrichment_id for c in claims} == {job}
    finishes = []
    for claim in claims:
        finish = await api.services.jobs.execute(claim, reserved.get(claim.contact_id))
        assert finish is not None
        finishes.append(finish)
    return job, sorted(finishes, key=lambda f: f.contact.idx)


async def written(api: Api, job: str) -> dict[str, Any]:
    """What a job left in the database, with its own ids replaced by positions."""
    async with api.services.db.read() as session:
        enrichment = await session.get(Enrichment, job)
        assert enrichment is not None
        contacts = list(
            (
                await session.execute(
                    select(Contact).where(Contact.enrichment_id == job).order_by(Contact.idx)
                )
            ).scalars()
        )
        at = {c.id: c.idx for c in contacts}
        ledger = (
            await session.execute(
                select(LedgerEntry).where(LedgerEntry.enrichment_id == job).order_by(LedgerEntry.id)
            )
        ).scalars()
        findings = (
            await session.execute(
                select(FindingRow)
                .where(FindingRow.contact_id.in_(list(at)))
                .order_by(FindingRow.id)
            )
        ).scalars()
        events = (
            await session.execute(
                select(WebhookEvent)
                .where(WebhookEvent.enrichment_id == job)
                .order_by(WebhookEvent.created_at, WebhookEvent.id)
            )
        ).scalars()
        balance = (
            await session.execute(
                select(Balance.balance, Balance.reserved).where(
                    Balance.workspace_id == enrichment.workspace_id, Balance.sandbox.is_(True)
                )
            )
        ).one()
        body = orjson.loads(enrichment.result_body or b"{}")
        body.pop("id", None)
        return {
            "job": (enrichment.status, enrichment.cost_credits, enrichment.credits_exhausted),
            "body": body,
            "contacts": [
                (c.idx, c.status, c.result, c.cost_credits, c.held_credits) for c in contacts
            ],
            "ledger": sorted(
                (at[str(e.contact_id)], e.item, e.amount, e.reason, e.dedup_key) for e in ledger
            ),
            "findings": sorted(
                (at[f.contact_id], f.kind, f.value, f.status, f.source, orjson.dumps(f.data))
                for f in findings
            ),
            "events": sorted((e.kind, _without_id(e.body)) for e in events),
            "balance": tuple(balance),
        }


def _without_id(body: bytes) -> bytes:
    payload = orjson.loads(body)
    payload.pop("id", None)
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)


async def test_finishing_together_writes_what_finishing_alone_writes(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        api.services.webhooks.settings = fast_settings()
        together, alone = await workspace(api, "together"), await workspace(api, "alone")
        jobs = api.services.jobs

        job_a, finishes = await executed(api, together)
        async with api.services.db.transaction() as session:
            await jobs.finish_together(session, finishes)  # raises if it would not do
        job_b, finishes = await executed(api, alone)
        for finish in finishes:
            await jobs.finish_alone(finish)

        a, b = await written(api, job_a), await written(api, job_b)
        assert a == b
        assert a["job"][0] == "FINISHED" and a["job"][1] > 0
        # The same person twice: charged once, the second free.
        charged = {(row[0], row[1]) for row in a["ledger"] if row[3] == "charge"}
        free = {(row[0], row[1]) for row in a["ledger"] if row[3] == "free"}
        assert {item for idx, item in charged if idx == 0} == {item for _, item in free} != set()
        assert a["balance"] == (500 - a["job"][1], 0)
        # One event per contact, each with the job's cost as of its finish, then the job's.
        costs = sorted(
            orjson.loads(body)["cost"]["credits"]
            for kind, body in a["events"]
            if kind == "contact_finished"
        )
        assert len(costs) == 5 and costs[-1] == a["job"][1] and len(set(costs)) > 1
        assert [kind for kind, _ in a["events"]].count("enrichment_finished") == 1


async def test_a_lost_lease_in_a_batch_drops_only_that_contact(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        api.services.webhooks.settings = fast_settings()
        key = await workspace(api, "lease")
        job, finishes = await executed(api, key)
        lost = finishes[0]
        async with api.services.db.transaction() as session:
            # Its lease ran out and another worker took it over.
            await api.services.jobs.give_back(session, lost.claim, ContactStatus.QUEUED)
            (again,) = await enrichments.claim(session, LEASE, 1)
        assert again.contact_id == lost.claim.contact_id

        errors = await api.services.jobs.finish(finishes)
        assert errors == [None] * len(finishes)

        state = await written(api, job)
        statuses = {c[0]: c[1] for c in state["contacts"]}
        lost_idx = lost.contact.idx
        assert statuses.pop(lost_idx) == "running"  # the new holder's, untouched
        assert set(statuses.values()) == {"done"}
        assert lost_idx not in {row[0] for row in state["ledger"]}
        assert state["job"][0] == "IN_PROGRESS"
        # What it held went back; what the others cost was taken once.
        charged = sum(-row[2] for row in state["ledger"])
        assert state["job"][1] == charged
        assert state["balance"] == (500 - charged, 0)


async def test_a_batch_of_a_canceled_job_keeps_nothing(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    async with running_api(settings) as api:
        api.services.webhooks.settings = fast_settings()
        key = await workspace(api, "cancel")
        job, finishes = await executed(api, key)
        async with api.services.db.transaction() as session:
            assert await api.services.jobs.cancel(session, job) is not None

        assert await api.services.jobs.finish(finishes) == [None] * len(finishes)

        state = await written(api, job)
        assert state["job"] == ("CANCELED", 0, False)
        assert {c[1] for c in state["contacts"]} == {"skipped"}
        assert state["ledger"] == [] and state["findings"] == []
        assert state["balance"] == (500, 0)
