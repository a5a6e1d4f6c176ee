"""What this server adds to `POST /contact/enrich/bulk`, ignored by FullEnrich clients
that do not send it: `max_credits` and `provenance` in the body, `?provenance=true`, and
`?dry_run=true`, which prices a request without creating a job."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, select

from openenrich.accounts import limits
from openenrich.accounts.models import LedgerEntry
from openenrich.accounts.repository import Caller
from openenrich.db import Database, utcnow
from openenrich.domain import Field
from openenrich.enrichment.jobs import Pricing
from openenrich.enrichment.models import Contact, ContactStatus, Enrichment, JobKind
from openenrich.enrichment.validation import ENRICH_FIELDS, BulkRequest
from openenrich.errors import invalid

# Hit rates are measured over this many recently finished contacts of the same mode.
SAMPLE = 2000


def read(bulk: BulkRequest, body: Any, query: Mapping[str, str]) -> BulkRequest:
    """Fill the extension fields of a validated request."""
    if isinstance(body, dict):
        cap = body.get("max_credits")
        if cap is not None:
            if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
                raise invalid(
                    "error.enrichment.max_credits.invalid",
                    "max_credits must be a non-negative integer",
                )
            bulk.max_credits = cap
        provenance = body.get("provenance")
        if provenance is not None:
            if not isinstance(provenance, bool):
                raise invalid("error.request.invalid", "Field 'provenance' must be a boolean")
            bulk.provenance = provenance
    if query.get("provenance", "").lower() in ("1", "true"):
        bulk.provenance = True
    return bulk


def submitted(body: Any) -> int:
    data = body.get("data") if isinstance(body, dict) else None
    return len(data) if isinstance(data, list) else 0


@dataclass(frozen=True, slots=True)
class HitRate:
    rate: float
    sample: int


class CostEstimator:
    """The dry run: how many contacts are valid, the most the job can cost, and what it
    is expected to cost from the measured hit rate of each field."""

    def __init__(self, db: Database, pricing: Pricing) -> None:
        self.db = db
        self.pricing = pricing

    async def hit_rates(self, sandbox: bool) -> dict[Field, HitRate]:
        """Per field: of the recently finished contacts that asked for it, the share that
        found it (a ledger row exists for every found item, charged or free). With no
        history, a neutral 0.5 (Laplace's rule: (hits + 1) / (asked + 2))."""
        async with self.db.read() as session:
            rows = (
                await session.execute(
                    select(Contact.id, Contact.fields)
                    .join(Enrichment, Enrichment.id == Contact.enrichment_id)
                    .where(
                        Enrichment.sandbox == sandbox,
                        Enrichment.kind == JobKind.ENRICH,
                        Contact.status == ContactStatus.DONE,
                    )
                    .order_by(Contact.finished_at.desc())
                    .limit(SAMPLE)
                )
            ).all()
            ids = [row[0] for row in rows]
            found: dict[str, int] = {}
            if ids:
                counted = await session.execute(
                    select(LedgerEntry.item, func.count(distinct(LedgerEntry.contact_id)))
                    .where(LedgerEntry.contact_id.in_(ids), LedgerEntry.amount <= 0)
                    .group_by(LedgerEntry.item)
                )
                found = {str(item): int(n) for item, n in counted.all()}
        rates = {}
        for value in ENRICH_FIELDS:
            kind = Field(value)
            asked = sum(1 for row in rows if value in (row[1] or []))
            hits = min(found.get(kind.key, 0), asked)
            rates[kind] = HitRate((hits + 1) / (asked + 2), asked)
        return rates

    async def estimate(self, caller: Caller, bulk: BulkRequest, sent: int) -> dict[str, Any]:
        rates = await self.hit_rates(caller.sandbox)
        since = utcnow() - self.pricing.dedup_window
        maximum, expected = 0, 0.0
        async with self.db.read() as session:
            for item in bulk.contacts:
                charged = await self._already_charged(session, caller, item.dedup_key(), since)
                for value in item.fields:
                    kind = Field(value)
                    price = self.pricing.prices.get(kind, 0)
                    maximum += price
                    if kind.key not in charged:
                        expected += price * rates[kind].rate
            probe = Enrichment(
                workspace_id=caller.workspace_id,
                sandbox=caller.sandbox,
                sub_account_id=caller.sub_account_id,
                max_credits=None,
                cost_credits=0,
            )
            available = (await limits.allowance(session, probe)).remaining
        if bulk.max_credits is not None:
            maximum = min(maximum, bulk.max_credits)
        return {
            "dry_run": True,
            "contacts": {"submitted": sent, "valid": len(bulk.contacts)},
            "credits": {
                "maximum": maximum,
                "expected": round(min(expected, maximum), 2),
                "available": available,
            },
            "hit_rates": {
                kind.value: {"rate": round(rate.rate, 4), "sample": rate.sample}
                for kind, rate in rates.items()
            },
        }

    @staticmethod
    async def _already_charged(
        session: Any, caller: Caller, dedup_key: str, since: Any
    ) -> set[str]:
        rows = await session.execute(
            select(LedgerEntry.item).where(
                LedgerEntry.workspace_id == caller.workspace_id,
                LedgerEntry.sandbox == caller.sandbox,
                LedgerEntry.dedup_key == dedup_key,
                LedgerEntry.amount < 0,
                LedgerEntry.created_at >= since,
            )
        )
        return {str(r[0]) for r in rows.all()}


__all__ = ["CostEstimator", "HitRate", "read", "submitted"]
