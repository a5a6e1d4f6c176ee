"""How much one job may still spend: the one spending-limit function of the server.

Four limits apply to every charge and to what a contact may reserve before it runs:
the workspace's balance, the job's own `max_credits`, its sub-account's monthly credit
limit and the workspace's monthly budget. Months are calendar months in UTC; each mode
(live, sandbox) counts its own spend against the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts.models import Balance, LedgerEntry
from openenrich.accounts.team_models import SubAccount, WorkspaceSettings
from openenrich.db import utcnow
from openenrich.enrichment.models import Contact, Enrichment


@dataclass(frozen=True, slots=True)
class Allowance:
    """What is left under each limit (None: that limit is not set), and what running
    contacts hold against it (a contact reserves before it runs, see `enrichment.jobs`)."""

    balance: int
    reserved: int = 0  # held of the workspace's balance (and so of its monthly budget)
    job: int | None = None
    job_held: int = 0
    sub_account: int | None = None
    sub_account_held: int = 0
    workspace: int | None = None

    def _left(self, holds: bool) -> int:
        pairs = (
            (self.balance, self.reserved),
            (self.job, self.job_held),
            (self.sub_account, self.sub_account_held),
            (self.workspace, self.reserved),
        )
        left = [value - (held if holds else 0) for value, held in pairs if value is not None]
        return max(0, min(left))

    @property
    def remaining(self) -> int:
        """The most the job may spend or reserve now: the tightest limit once every hold
        is counted, never negative."""
        return self._left(holds=True)

    @property
    def ceiling(self) -> int:
        """The same as if every running contact's hold were returned."""
        return self._left(holds=False)


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def spent_since(
    session: AsyncSession,
    workspace_id: str,
    sandbox: bool,
    since: datetime,
    sub_account_id: str | None = None,
) -> int:
    """Credits charged (ledger debits) since `since`, in the workspace or one sub-account."""
    query = select(func.coalesce(func.sum(-LedgerEntry.amount), 0)).where(
        LedgerEntry.workspace_id == workspace_id,
        LedgerEntry.sandbox == sandbox,
        LedgerEntry.amount < 0,
        LedgerEntry.created_at >= since,
    )
    if sub_account_id is not None:
        query = query.join(Enrichment, Enrichment.id == LedgerEntry.enrichment_id).where(
            Enrichment.sub_account_id == sub_account_id
        )
    return int(await session.scalar(query) or 0)


async def monthly_budget(session: AsyncSession, workspace_id: str) -> int | None:
    return await session.scalar(
        select(WorkspaceSettings.monthly_budget).where(
            WorkspaceSettings.workspace_id == workspace_id
        )
    )


async def allowance(
    session: AsyncSession,
    enrichment: Enrichment,
    *,
    lock: bool = False,
    now: datetime | None = None,
) -> Allowance:
    """What `enrichment` may still spend. With `lock`, the workspace's balance row is
    locked first (PostgreSQL; SQLite's write lock already serialises), so concurrent
    charges of one workspace see each other's spend and no monthly limit is overrun."""
    ws, sandbox = enrichment.workspace_id, enrichment.sandbox
    query = select(Balance.balance, Balance.reserved).where(
        Balance.workspace_id == ws, Balance.sandbox == sandbox
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    balance, reserved = (int(row[0]), int(row[1])) if row else (0, 0)
    since = month_start(now or utcnow())
    job, job_held = None, 0
    if enrichment.max_credits is not None:
        job = enrichment.max_credits - enrichment.cost_credits
        job_held = await held(session, Contact.enrichment_id == enrichment.id)
    sub_left, sub_held = None, 0
    if enrichment.sub_account_id is not None:
        limit = await session.scalar(
            select(SubAccount.monthly_credit_limit).where(
                SubAccount.id == enrichment.sub_account_id
            )
        )
        if limit is not None:
            spent = await spent_since(session, ws, sandbox, since, enrichment.sub_account_id)
            sub_left = limit - spent
            sub_held = await held(
                session,
                Enrichment.sub_account_id == enrichment.sub_account_id,
                Enrichment.sandbox == sandbox,
            )
    ws_left = None
    budget = await monthly_budget(session, ws)
    if budget is not None:
        ws_left = budget - await spent_since(session, ws, sandbox, since)
    return Allowance(
        balance=balance,
        reserved=reserved,
        job=job,
        job_held=job_held,
        sub_account=sub_left,
        sub_account_held=sub_held,
        workspace=ws_left,
    )


async def held(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    """Credits held by the running contacts of the jobs `where` selects."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Contact.held_credits), 0))
        .join(Enrichment, Enrichment.id == Contact.enrichment_id)
        .where(*where)
    )
    return int(total or 0)


async def set_monthly_budget(session: AsyncSession, workspace_id: str, budget: int | None) -> None:
    settings = await session.get(WorkspaceSettings, workspace_id)
    if settings is None:
        session.add(
            WorkspaceSettings(workspace_id=workspace_id, monthly_budget=budget, provenance=False)
        )
    else:
        settings.monthly_budget = budget
