"""Finishing contacts that end together in one transaction.

What `ContactJobs` does for one contact (charges, result, ledger, findings, the job's cost
and close, the balance), done for many with a statement per step instead of per contact.
Only the common case is handled here: every contact still holds its lease, its job is
open, it costs no more than it holds, and the balance settles. Anything else raises
`Doubt`, the transaction rolls back, and each contact is finished on its own, the careful
way. Both ways write the same rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts import repository as accounts
from openenrich.domain import Field
from openenrich.enrichment import repository as enrichments
from openenrich.enrichment.bodies import dumps, envelope
from openenrich.enrichment.events import JobEvents
from openenrich.enrichment.models import Contact, Enrichment, FindingRow
from openenrich.enrichment.processing import Outcome


class Doubt(Exception):
    """A case only the one-at-a-time finish handles: the batch is rolled back."""


@dataclass(frozen=True, slots=True)
class Finish:
    """A contact that ran: its lease, what it found, and the hold it ran under, with the
    rows read when the hold was taken (only their fixed fields are relied on)."""

    claim: enrichments.Claim
    outcome: Outcome
    enrichment: Enrichment
    contact: Contact
    held: int
    short: bool


@dataclass(slots=True)
class _Priced:
    finish: Finish
    prices: dict[Field, int]
    record: dict[str, Any]

    @property
    def cost(self) -> int:
        return sum(self.prices.values())


async def finish_together(
    session: AsyncSession,
    finishes: list[Finish],
    *,
    prices: Mapping[Field, int],
    since: datetime,
    keep_profiles: bool,
    events: JobEvents,
    close: Callable[[AsyncSession, Enrichment], Awaitable[bool]],
) -> None:
    """Finish every contact of `finishes` in `session`, or raise `Doubt`. Rows are locked
    in the order of a single finish (dedup keys, contacts, enrichments, balances), each
    kind sorted, so batches of different workers never wait on each other in a cycle."""
    tenant_of = {id(f): (f.enrichment.workspace_id, f.enrichment.sandbox) for f in finishes}
    await accounts.lock_dedup_keys(
        session, [(*tenant_of[id(f)], f.contact.dedup_key) for f in finishes]
    )
    charged = await _charged(session, finishes, tenant_of, since)
    priced = []
    for finish in finishes:
        ws, sandbox = tenant_of[id(finish)]
        own = finish.outcome.own_key_items()
        item_prices = {}
        for item in finish.outcome.items():
            paid = (ws, sandbox, finish.contact.dedup_key, item.key)
            price = 0 if item in own or paid in charged else prices.get(item, 0)
            if price:
                charged.add(paid)  # a second contact of this batch with the same input
            item_prices[item] = price
        one = _Priced(finish, item_prices, finish.outcome.record())
        if one.cost > finish.held:
            raise Doubt("the dedup window closed while the contact ran")
        priced.append(one)

    done = [(p.finish.claim, p.record, p.cost) for p in priced]
    if await enrichments.finish_contacts(session, done) != len(finishes):
        raise Doubt("a lease was lost")
    await accounts.add_entries(
        session, [entry for p in priced for entry in ledger_entries(p.finish, p.prices)]
    )
    await enrichments.insert_findings(
        session,
        [
            (p.finish.claim.contact_id, kept_findings(p.finish.outcome, keep_profiles))
            for p in priced
        ],
    )

    jobs: dict[str, list[_Priced]] = {}
    for one in priced:
        jobs.setdefault(one.finish.enrichment.id, []).append(one)
    left: dict[str, int] = {}
    for job_id in sorted(jobs):
        group = jobs[job_id]
        exhausted = any(p.finish.short for p in group)
        count = await enrichments.add_costs(session, job_id, sum(p.cost for p in group), exhausted)
        if count is None:
            raise Doubt("the job ended meanwhile")
        if exhausted:
            await enrichments.skip_queued(session, job_id)
            count = await enrichments.unfinished_count(session, job_id)
        left[job_id] = count
    for job_id in sorted(jobs):
        group = jobs[job_id]
        if left[job_id] and not group[0].finish.enrichment.contact_webhook_url:
            continue
        current = await session.get(Enrichment, job_id, populate_existing=True)
        assert current is not None
        if current.contact_webhook_url:
            # Each contact's event shows the job's cost as of its own finish.
            cost = current.cost_credits - sum(p.cost for p in group)
            for one in group:
                cost += one.cost
                body = envelope(current, [one.record])
                body["cost"] = {"credits": cost}
                await events.contact_finished(session, current, dumps(body))
        if not left[job_id]:
            await close(session, current)

    settled: dict[tuple[str, bool], list[int]] = {}
    for one in priced:
        totals = settled.setdefault(tenant_of[id(one.finish)], [0, 0])
        totals[0] += one.finish.held
        totals[1] += one.cost
    for (ws, sandbox), (held, cost) in sorted(settled.items()):
        if not await accounts.settle(session, ws, sandbox, held, cost):
            raise Doubt("the balance did not cover the charges at once")


async def _charged(
    session: AsyncSession,
    finishes: list[Finish],
    tenant_of: Mapping[int, tuple[str, bool]],
    since: datetime,
) -> set[tuple[str, bool, str, str]]:
    """(workspace, mode, dedup key, item) already charged within the dedup window."""
    tenants: dict[tuple[str, bool], list[Finish]] = {}
    for finish in finishes:
        tenants.setdefault(tenant_of[id(finish)], []).append(finish)
    charged = set()
    for (ws, sandbox), group in tenants.items():
        keys = {f.contact.dedup_key for f in group}
        items = {item.key for f in group for item in f.outcome.items()}
        for key, item in await accounts.charged_keys(session, ws, sandbox, keys, items, since):
            charged.add((ws, sandbox, key, item))
    return charged


def ledger_entries(finish: Finish, prices: Mapping[Field, int]) -> list[dict[str, object]]:
    """The ledger rows of a finish: a charge, or why an item found cost nothing."""
    own = finish.outcome.own_key_items()
    return [
        {
            "workspace_id": finish.enrichment.workspace_id,
            "sandbox": finish.enrichment.sandbox,
            "amount": -price,
            "reason": "charge" if price else ("own_key" if item in own else "free"),
            "item": item.key,
            "enrichment_id": finish.enrichment.id,
            "contact_id": finish.claim.contact_id,
            "dedup_key": finish.contact.dedup_key,
        }
        for item, price in prices.items()
    ]


def kept_findings(outcome: Outcome, keep_profiles: bool) -> list[FindingRow]:
    """The finding rows kept of an outcome (profiles only when `keep_profiles`)."""
    rows = outcome.finding_rows()
    return rows if keep_profiles else [r for r in rows if r.kind != Field.PROFILE.key]
