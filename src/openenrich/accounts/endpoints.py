"""`/account/*`: key check and balance."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from openenrich import errors
from openenrich.accounts import repository
from openenrich.accounts.repository import Caller
from openenrich.api.http import caller, json_response, services

router = APIRouter()


@router.get("/account/keys/verify")
async def verify_key(request: Request, who: Caller = Depends(caller)) -> Response:
    async with services(request).db.read() as session:
        if not await repository.workspace_exists(session, who.workspace_id):
            raise errors.AppError("error.workspace.not_found", "Workspace ID not found", 404)
    return json_response({"workspace_id": who.workspace_id})


@router.get("/account/credits")
async def credits(request: Request, who: Caller = Depends(caller)) -> Response:
    async with services(request).db.read() as session:
        balance = await repository.balance(session, who.workspace_id, who.sandbox)
    return json_response({"balance": float(balance)})
