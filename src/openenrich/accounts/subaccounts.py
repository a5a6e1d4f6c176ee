"""Sub-accounts: isolated API scopes inside a workspace, FullEnrich's beta shapes.

A request carrying `Sub-Account-ID` acts inside that scope (its jobs, results, webhooks,
provider keys) and draws on the workspace's balance, within the scope's optional monthly
credit limit. Management is workspace-level: the header is refused on `/sub-accounts`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich import errors
from openenrich.accounts.repository import Caller
from openenrich.accounts.team_models import SubAccount
from openenrich.db import Database, is_uuid, utcnow
from openenrich.errors import AppError

HEADER = "sub-account-id"
MAX_NAME = 255
_UNSET: Any = object()


def request_invalid(message: str) -> AppError:
    return AppError("error.sub_account.request_invalid", message)


def view(sub: SubAccount) -> dict[str, Any]:
    """The sub-account object: FullEnrich's documented fields, plus the monthly limit."""
    return {
        "id": sub.id,
        "name": sub.name,
        "archived": sub.archived,
        "monthly_credit_limit": sub.monthly_credit_limit,
        "created_at": sub.created_at.isoformat().replace("+00:00", "Z"),
    }


def _name(value: Any) -> str:
    if not isinstance(value, str):
        raise errors.SubAccountNameInvalid()
    name = value.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise errors.SubAccountNameInvalid()
    return name


def _limit(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise request_invalid("'monthly_credit_limit' must be a non-negative integer or null")
    return value


async def find(session: AsyncSession, workspace_id: str, sub_account_id: str) -> SubAccount | None:
    if not is_uuid(sub_account_id):
        return None
    found = await session.get(SubAccount, sub_account_id)
    return found if found is not None and found.workspace_id == workspace_id else None


class SubAccounts:
    """The sub-account use cases; each owns its transaction (endpoints only translate)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def scoped(self, caller: Caller, header: str | None) -> Caller:
        """The caller acting in the scope its `Sub-Account-ID` names (checked on every
        endpoint, even workspace-level ones); unchanged without the header."""
        if header is None:
            return caller
        async with self.db.read() as session:
            sub = await find(session, caller.workspace_id, header.strip())
        if sub is None:
            raise errors.SubAccountNotFound()
        return replace(caller, sub_account_id=sub.id, sub_account_archived=sub.archived)

    async def create(self, caller: Caller, body: Any) -> SubAccount:
        if not isinstance(body, dict):
            raise request_invalid("Body must be a JSON object")
        name = _name(body.get("name"))
        limit = _limit(body.get("monthly_credit_limit"))
        sub = SubAccount(
            workspace_id=caller.workspace_id,
            name=name,
            name_key=name.casefold(),
            archived=False,
            monthly_credit_limit=limit,
        )
        try:
            async with self.db.transaction() as session:
                session.add(sub)
                await session.flush()
        except IntegrityError:
            raise errors.SubAccountNameTaken() from None
        return sub

    async def list(self, caller: Caller, archived: bool) -> list[SubAccount]:
        query = select(SubAccount).where(SubAccount.workspace_id == caller.workspace_id)
        if not archived:
            query = query.where(SubAccount.archived.is_(False))
        async with self.db.read() as session:
            rows = await session.execute(query.order_by(SubAccount.created_at, SubAccount.id))
            return list(rows.scalars())

    async def get(self, caller: Caller, sub_account_id: str) -> SubAccount:
        async with self.db.read() as session:
            sub = await find(session, caller.workspace_id, sub_account_id)
        if sub is None:
            raise errors.SubAccountNotFound()
        return sub

    async def update(self, caller: Caller, sub_account_id: str, body: Any) -> SubAccount:
        """Rename, archive, restore, or set the monthly limit: at least one field."""
        if not isinstance(body, dict):
            raise request_invalid("Body must be a JSON object")
        known = {"name", "archived", "monthly_credit_limit"}
        if not known & body.keys():
            raise request_invalid("Send at least one of 'name', 'archived'")
        name = _name(body["name"]) if "name" in body else None
        archived = body.get("archived", _UNSET)
        if archived is not _UNSET and not isinstance(archived, bool):
            raise request_invalid("'archived' must be a boolean")
        limit = _limit(body["monthly_credit_limit"]) if "monthly_credit_limit" in body else _UNSET
        try:
            async with self.db.transaction() as session:
                sub = await find(session, caller.workspace_id, sub_account_id)
                if sub is None:
                    raise errors.SubAccountNotFound()
                if name is not None:
                    sub.name, sub.name_key = name, name.casefold()
                if archived is not _UNSET:
                    sub.archived = archived
                if limit is not _UNSET:
                    sub.monthly_credit_limit = limit
                sub.updated_at = utcnow()
                await session.flush()
        except IntegrityError:
            raise errors.SubAccountNameTaken() from None
        return sub
