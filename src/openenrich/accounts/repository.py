"""SQL of the accounts domain. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts.keys import generate_key, hash_key
from openenrich.accounts.models import ApiKey, Balance, LedgerEntry, Workspace
from openenrich.db import rows_affected, utcnow


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: resolved from an API key."""

    workspace_id: str
    api_key_id: str
    sandbox: bool
    # Set from the `Sub-Account-ID` header: the scope the request acts in.
    sub_account_id: str | None = None
    sub_account_archived: bool = False

    @property
    def scope(self) -> str:
        """live|sandbox, then the sub-account: what keys per scope are unique within."""
        mode = "sandbox" if self.sandbox else "live"
        return f"{mode}:{self.sub_account_id}" if self.sub_account_id else mode


@dataclass(frozen=True, slots=True)
class NewWorkspace:
    workspace_id: str
    api_key: str
    sandbox_api_key: str


async def create_workspace(
    session: AsyncSession, name: str, secret: bytes, credits: int = 0, sandbox_credits: int = 0
) -> NewWorkspace:
    workspace = Workspace(name=name)
    session.add(workspace)
    await session.flush()
    keys = {}
    for sandbox in (False, True):
        keys[sandbox] = (await create_key(session, workspace.id, sandbox, secret)).key
        session.add(Balance(workspace_id=workspace.id, sandbox=sandbox, balance=0))
    await session.flush()
    if credits:
        await grant(session, workspace.id, False, credits)
    if sandbox_credits:
        await grant(session, workspace.id, True, sandbox_credits)
    return NewWorkspace(workspace.id, keys[False], keys[True])


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """An API key as an operator sees it: never the key itself, which is not stored."""

    id: str
    sandbox: bool
    last4: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewKey:
    info: KeyInfo
    key: str  # shown once


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(row.id, row.sandbox, row.last4, row.created_at, row.revoked_at)


async def create_key(
    session: AsyncSession, workspace_id: str, sandbox: bool, secret: bytes, name: str = ""
) -> NewKey:
    key = generate_key(sandbox)
    row = ApiKey(
        workspace_id=workspace_id,
        key_hash=hash_key(key, secret),
        last4=key[-4:],
        sandbox=sandbox,
        created_at=utcnow(),
        name=name[:100] or None,
    )
    session.add(row)
    await session.flush()
    return NewKey(_info(row), key)


async def keys_of(session: AsyncSession, workspace_id: str) -> list[KeyInfo]:
    rows = await session.execute(
        select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.created_at)
    )
    return [_info(row) for row in rows.scalars()]


async def revoke_key(session: AsyncSession, workspace_id: str, key_id: str) -> bool:
    """Revoke one key of the workspace; False if it has no such key or it was revoked."""
    done = await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id, ApiKey.workspace_id == workspace_id, ApiKey.revoked_at.is_(None)
        )
        .values(revoked_at=utcnow())
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


async def count_workspaces(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Workspace)) or 0)


async def workspace_exists(session: AsyncSession, workspace_id: str) -> bool:
    return await session.get(Workspace, workspace_id) is not None


async def caller_for_hash(session: AsyncSession, key_hash: str) -> Caller | None:
    row = (
        await session.execute(
            select(ApiKey.workspace_id, ApiKey.id, ApiKey.sandbox).where(
                ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)
            )
        )
    ).first()
    return Caller(row[0], row[1], row[2]) if row else None


async def touch_key(session: AsyncSession, key_id: str, now: datetime) -> None:
    """Record that a key was used; at most once a minute, so a busy key costs few writes."""
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - timedelta(minutes=1)),
        )
        .values(last_used_at=now)
    )


async def balance(session: AsyncSession, workspace_id: str, sandbox: bool) -> int:
    value = await session.scalar(
        select(Balance.balance).where(
            Balance.workspace_id == workspace_id, Balance.sandbox == sandbox
        )
    )
    return int(value or 0)


async def grant(session: AsyncSession, workspace_id: str, sandbox: bool, amount: int) -> None:
    """Add credits; the ledger row and the balance move together."""
    if amount <= 0:
        raise ValueError("a grant adds a positive number of credits")
    await session.execute(
        update(Balance)
        .where(Balance.workspace_id == workspace_id, Balance.sandbox == sandbox)
        .values(balance=Balance.balance + amount)
    )
    session.add(
        LedgerEntry(workspace_id=workspace_id, sandbox=sandbox, amount=amount, reason="grant")
    )


@dataclass(frozen=True, slots=True)
class Funds:
    balance: int  # the ledger's sum
    reserved: int  # held by running contacts

    @property
    def available(self) -> int:
        return self.balance - self.reserved


async def funds(session: AsyncSession, workspace_id: str, sandbox: bool) -> Funds:
    row = (
        await session.execute(
            select(Balance.balance, Balance.reserved).where(
                Balance.workspace_id == workspace_id, Balance.sandbox == sandbox
            )
        )
    ).first()
    return Funds(int(row[0]), int(row[1])) if row else Funds(0, 0)


def _covering(
    workspace_id: str,
    sandbox: bool,
    amount: int,
    reserved: ColumnElement[int] = Balance.reserved,  # type: ignore[assignment]
) -> tuple[ColumnElement[bool], ...]:
    """The balance row, if what is neither spent nor held (`reserved`) covers `amount`."""
    return (
        Balance.workspace_id == workspace_id,
        Balance.sandbox == sandbox,
        Balance.balance - reserved >= amount,
    )


def _without_hold(amount: int) -> ColumnElement[int]:
    """What stays reserved once a hold of `amount` is given back (never below zero)."""
    return case((Balance.reserved > amount, Balance.reserved - amount), else_=0)


async def reserve(session: AsyncSession, workspace_id: str, sandbox: bool, amount: int) -> bool:
    """Hold `amount` of what is not yet held; one conditional UPDATE, race-free."""
    if amount <= 0:
        return True
    result = await session.execute(
        update(Balance)
        .where(*_covering(workspace_id, sandbox, amount))
        .values(reserved=Balance.reserved + amount)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def unreserve(session: AsyncSession, workspace_id: str, sandbox: bool, amount: int) -> None:
    """Give back a hold (never below zero, whatever happened before)."""
    if amount <= 0:
        return
    await session.execute(
        update(Balance)
        .where(Balance.workspace_id == workspace_id, Balance.sandbox == sandbox)
        .values(reserved=_without_hold(amount))
    )


async def settle(
    session: AsyncSession, workspace_id: str, sandbox: bool, held: int, cost: int
) -> bool:
    """Give back a hold of `held` and take `cost` in one conditional UPDATE: what
    `unreserve(held)` then `try_debit` of each item would do when the balance pays them
    all. False, with nothing changed, when it does not."""
    if held <= 0 and cost <= 0:
        return True
    released = _without_hold(held)
    result = await session.execute(
        update(Balance)
        .where(*_covering(workspace_id, sandbox, cost, reserved=released))
        .values(reserved=released, balance=Balance.balance - cost)
    )
    return bool(rows_affected(result))


async def try_debit(session: AsyncSession, workspace_id: str, sandbox: bool, amount: int) -> bool:
    """Take `amount` from what is neither spent nor held by a running contact; one
    conditional UPDATE, race-free."""
    result = await session.execute(
        update(Balance)
        .where(*_covering(workspace_id, sandbox, amount))
        .values(balance=Balance.balance - amount)
    )
    return bool(rows_affected(result))


async def lock_dedup_key(
    session: AsyncSession, workspace_id: str, sandbox: bool, dedup_key: str
) -> None:
    """Serialise charges for identical input until the transaction ends, so two jobs
    finishing the same person at once cannot both pay. SQLite's write lock already does."""
    await lock_dedup_keys(session, [(workspace_id, sandbox, dedup_key)])


async def lock_dedup_keys(session: AsyncSession, inputs: Collection[tuple[str, bool, str]]) -> None:
    """`lock_dedup_key` of several inputs (workspace, mode, dedup key) in one statement,
    taken in one order so two transactions locking overlapping sets cannot deadlock."""
    if session.get_bind().dialect.name != "postgresql" or not inputs:
        return
    keys = sorted({f"{ws}:{sandbox}:{key}" for ws, sandbox, key in inputs})
    await session.execute(
        text(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))"
            " FROM (SELECT k FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k OFFSET 0) AS s"
        ),
        {"keys": keys},
    )


async def add_entries(session: AsyncSession, entries: Sequence[dict[str, object]]) -> None:
    """Ledger rows (`LedgerEntry`'s columns by name) in one multi-row INSERT."""
    if entries:
        await session.execute(insert(LedgerEntry), list(entries))


async def already_charged(
    session: AsyncSession,
    workspace_id: str,
    sandbox: bool,
    dedup_key: str,
    item: str,
    since: datetime,
) -> bool:
    """Whether identical input was charged for `item` in this workspace since `since`."""
    found = await session.scalar(
        select(LedgerEntry.id)
        .where(
            LedgerEntry.workspace_id == workspace_id,
            LedgerEntry.sandbox == sandbox,
            LedgerEntry.dedup_key == dedup_key,
            LedgerEntry.item == item,
            LedgerEntry.amount < 0,
            LedgerEntry.created_at >= since,
        )
        .limit(1)
    )
    return found is not None


async def charged_items(
    session: AsyncSession,
    workspace_id: str,
    sandbox: bool,
    dedup_key: str,
    items: Collection[str],
    since: datetime,
) -> set[str]:
    """Which of `items` identical input was charged for in this workspace since `since`
    (`already_charged` of each, in one query)."""
    if not items:
        return set()
    found = await session.scalars(
        select(LedgerEntry.item)
        .where(
            LedgerEntry.workspace_id == workspace_id,
            LedgerEntry.sandbox == sandbox,
            LedgerEntry.dedup_key == dedup_key,
            LedgerEntry.item.in_(list(items)),
            LedgerEntry.amount < 0,
            LedgerEntry.created_at >= since,
        )
        .distinct()
    )
    return {item for item in found if item is not None}


async def charged_keys(
    session: AsyncSession,
    workspace_id: str,
    sandbox: bool,
    dedup_keys: Collection[str],
    items: Collection[str],
    since: datetime,
) -> set[tuple[str, str]]:
    """`charged_items` for several inputs at once: the (dedup key, item) pairs charged."""
    if not dedup_keys or not items:
        return set()
    rows = await session.execute(
        select(LedgerEntry.dedup_key, LedgerEntry.item)
        .where(
            LedgerEntry.workspace_id == workspace_id,
            LedgerEntry.sandbox == sandbox,
            LedgerEntry.dedup_key.in_(list(dedup_keys)),
            LedgerEntry.item.in_(list(items)),
            LedgerEntry.amount < 0,
            LedgerEntry.created_at >= since,
        )
        .distinct()
    )
    return {(row[0], row[1]) for row in rows if row[0] is not None and row[1] is not None}


async def ledger_sum(session: AsyncSession, workspace_id: str, sandbox: bool) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.workspace_id == workspace_id, LedgerEntry.sandbox == sandbox
        )
    )
    return int(total or 0)


async def charge_hundredths(
    session: AsyncSession,
    workspace_id: str,
    sandbox: bool,
    hundredths: int,
    reason: str,
    item: str,
) -> bool:
    """Charge an amount in hundredths of a credit (a search result costs 25): what the
    prepaid change covers is taken from it, the rest in whole credits from the balance,
    and the change of those kept as prepaid. False, with nothing changed, when the balance
    cannot pay. Retried when another charge moved the prepaid change meanwhile."""
    if hundredths <= 0:
        return True
    while True:
        row = (
            await session.execute(
                select(Balance.prepaid).where(
                    Balance.workspace_id == workspace_id, Balance.sandbox == sandbox
                )
            )
        ).first()
        if row is None:
            return False
        prepaid = int(row[0])
        whole = max(0, -(-(hundredths - prepaid) // 100))
        result = await session.execute(
            update(Balance)
            .where(*_covering(workspace_id, sandbox, whole), Balance.prepaid == prepaid)
            .values(balance=Balance.balance - whole, prepaid=prepaid + whole * 100 - hundredths)
        )
        if rows_affected(result):
            break
        if not await _prepaid_moved(session, workspace_id, sandbox, prepaid):
            return False
    if whole:
        session.add(
            LedgerEntry(
                workspace_id=workspace_id, sandbox=sandbox, amount=-whole, reason=reason, item=item
            )
        )
    return True


async def _prepaid_moved(
    session: AsyncSession, workspace_id: str, sandbox: bool, seen: int
) -> bool:
    now = await session.scalar(
        select(Balance.prepaid).where(
            Balance.workspace_id == workspace_id, Balance.sandbox == sandbox
        )
    )
    return now is not None and int(now) != seen


async def spendable(session: AsyncSession, workspace_id: str, sandbox: bool) -> float:
    """The balance as the API shows it: whole credits plus the prepaid change."""
    row = (
        await session.execute(
            select(Balance.balance, Balance.prepaid).where(
                Balance.workspace_id == workspace_id, Balance.sandbox == sandbox
            )
        )
    ).first()
    return int(row[0]) + int(row[1]) / 100 if row else 0.0
