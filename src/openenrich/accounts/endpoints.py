"""`/account/*`: key check and balance."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from openenrich import errors
from openenrich.accounts import repository
from openenrich.api.deps import CurrentKey, Db
from openenrich.api.http import json_response

router = APIRouter()


@router.get("/account/keys/verify")
async def verify_key(who: CurrentKey, db: Db) -> Response:
    async with db.read() as session:
        if not await repository.workspace_exists(session, who.workspace_id):
            raise errors.WorkspaceNotFound()
    return json_response({"workspace_id": who.workspace_id})


@router.get("/account/credits")
async def credits(who: CurrentKey, db: Db) -> Response:
    async with db.read() as session:
        balance = await repository.spendable(session, who.workspace_id, who.sandbox)
    return json_response({"balance": balance})
