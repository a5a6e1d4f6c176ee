"""FullEnrich's beta `/sub-accounts` and `/providers` (BYOK) endpoints. Every POST takes
an `Idempotency-Key`."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from openenrich.accounts.subaccounts import view
from openenrich.api.deps import CurrentKey, Once, ProviderKeysDep, SubAccountsDep, WorkspaceKey
from openenrich.api.http import json_body, json_response

router = APIRouter()


@router.post("/sub-accounts")
async def create_sub_account(
    request: Request, who: WorkspaceKey, subs: SubAccountsDep, once: Once
) -> Response:
    async def create() -> Response:
        return json_response(view(await subs.create(who, await json_body(request))), 201)

    return await once.run(request, who, create)


@router.get("/sub-accounts")
async def list_sub_accounts(
    who: WorkspaceKey, subs: SubAccountsDep, archived: bool = Query(False)
) -> Response:
    return json_response([view(sub) for sub in await subs.list(who, archived)])


@router.get("/sub-accounts/{sub_account_id}")
async def get_sub_account(sub_account_id: str, who: WorkspaceKey, subs: SubAccountsDep) -> Response:
    return json_response(view(await subs.get(who, sub_account_id)))


@router.post("/sub-accounts/{sub_account_id}")
async def update_sub_account(
    sub_account_id: str, request: Request, who: WorkspaceKey, subs: SubAccountsDep, once: Once
) -> Response:
    async def update() -> Response:
        body = await json_body(request)
        return json_response(view(await subs.update(who, sub_account_id, body)))

    return await once.run(request, who, update)


@router.post("/providers")
async def create_provider_key(
    request: Request, who: CurrentKey, keys: ProviderKeysDep, once: Once
) -> Response:
    async def create() -> Response:
        return json_response(await keys.create(who, await json_body(request)), 201)

    return await once.run(request, who, create)


@router.get("/providers")
async def list_provider_keys(who: CurrentKey, keys: ProviderKeysDep) -> Response:
    return json_response(await keys.list(who))


@router.post("/providers/{provider}")
async def update_provider_key(
    provider: str, request: Request, who: CurrentKey, keys: ProviderKeysDep, once: Once
) -> Response:
    async def update() -> Response:
        return json_response(await keys.update(who, provider, await json_body(request)))

    return await once.run(request, who, update)


@router.delete("/providers/{provider}")
async def delete_provider_key(provider: str, who: CurrentKey, keys: ProviderKeysDep) -> Response:
    await keys.delete(who, provider)
    return Response(status_code=204)


@router.get("/providers/{provider}/status")
async def provider_key_status(provider: str, who: CurrentKey, keys: ProviderKeysDep) -> Response:
    return json_response(await keys.status(who, provider))
