"""The provider-call log: one row per request, mirrored into the Prometheus metrics."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from prometheus_client import Counter, Histogram
from sqlalchemy import case, func, select

from openenrich.db import Database
from openenrich.waterfall import metrics
from openenrich.waterfall.models import ProviderCall
from openenrich.waterfall.store import BatchWriter

FOUND = "found"
MISS = "miss"
PENDING = "pending"

# The workspace whose contact is being enriched: each call is logged against it, so spend
# can be broken down per workspace (`openenrich providers stats --workspace`).
CALL_WORKSPACE: ContextVar[str] = ContextVar("openenrich_call_workspace", default="")


@lru_cache(maxsize=1024)
def _series(provider: str, operation: str, outcome: str) -> tuple[Counter, Histogram, Counter]:
    """The labelled metric children of one (source, operation, outcome), looked up once."""
    return (
        metrics.CALLS.labels(provider, operation, outcome),
        metrics.LATENCY.labels(provider),
        metrics.SPEND.labels(provider),
    )


@dataclass(slots=True)
class CallRecord:
    provider: str
    key_id: str
    operation: str
    input_hash: str
    outcome: str
    latency: float  # seconds
    cost: float = 0.0
    attempt: int = 1
    http_status: int | None = None


class CallLog:
    """Records every request; keeps them in memory too when asked (tests, `bench`)."""

    def __init__(self, writer: BatchWriter | None = None, *, keep: bool = False) -> None:
        self.writer = writer
        self.kept: list[CallRecord] | None = [] if keep else None

    def record(self, rec: CallRecord) -> None:
        calls, latency, spend = _series(rec.provider, rec.operation, rec.outcome)
        calls.inc()
        latency.observe(rec.latency)
        if rec.outcome not in (FOUND, MISS, PENDING):
            metrics.ERRORS.labels(rec.provider, rec.outcome).inc()
        if rec.cost:
            spend.inc(rec.cost)
        if self.kept is not None:
            self.kept.append(rec)
        if self.writer is not None:
            self.writer.add_call(
                ProviderCall(
                    provider=rec.provider,
                    key_id=rec.key_id,
                    operation=rec.operation,
                    input_hash=rec.input_hash,
                    outcome=rec.outcome,
                    http_status=rec.http_status,
                    latency_ms=rec.latency * 1000.0,
                    cost=rec.cost,
                    attempt=rec.attempt,
                    workspace_id=CALL_WORKSPACE.get(),
                )
            )


@dataclass(frozen=True, slots=True)
class ProviderStats:
    provider: str
    calls: int
    found: int
    misses: int
    errors: int
    cost: float
    avg_latency_ms: float

    @property
    def hit_rate(self) -> float:
        answered = self.found + self.misses
        return self.found / answered if answered else 0.0

    @property
    def cost_per_found(self) -> float | None:
        return self.cost / self.found if self.found else None


async def call_stats(
    db: Database, since: datetime | None = None, workspace_id: str | None = None
) -> list[ProviderStats]:
    """The call log summarised per source (for `openenrich providers stats`), for the
    contacts of one workspace when `workspace_id` is given (its own keys appear as
    `own:<provider>`)."""
    found = func.sum(case((ProviderCall.outcome == FOUND, 1), else_=0))
    misses = func.sum(case((ProviderCall.outcome == MISS, 1), else_=0))
    errors = func.sum(case((ProviderCall.outcome.not_in((FOUND, MISS, PENDING)), 1), else_=0))
    stmt = (
        select(
            ProviderCall.provider,
            func.count(),
            found,
            misses,
            errors,
            func.coalesce(func.sum(ProviderCall.cost), 0.0),
            func.coalesce(func.avg(ProviderCall.latency_ms), 0.0),
        )
        .group_by(ProviderCall.provider)
        .order_by(ProviderCall.provider)
    )
    if since is not None:
        stmt = stmt.where(ProviderCall.created_at >= since)
    if workspace_id is not None:
        stmt = stmt.where(ProviderCall.workspace_id == workspace_id)
    async with db.read() as session:
        rows = (await session.execute(stmt)).all()
    return [
        ProviderStats(
            provider=row[0],
            calls=int(row[1]),
            found=int(row[2] or 0),
            misses=int(row[3] or 0),
            errors=int(row[4] or 0),
            cost=float(row[5] or 0.0),
            avg_latency_ms=float(row[6] or 0.0),
        )
        for row in rows
    ]
