"""`/api/v1`: the legacy paths, served by the v2 services and translated both ways."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from openenrich.accounts.endpoints import router as accounts_router
from openenrich.api.deps import ApiKey, CurrentKey, Jobs, Once, Reader
from openenrich.api.http import json_body, json_response
from openenrich.enrichment.models import JobKind
from openenrich.errors import EnrichmentInProgress
from openenrich.v1 import requests
from openenrich.v1.shape import translate_body

router = APIRouter()
router.include_router(accounts_router)


def _v1(kind: JobKind, status: int, body: bytes) -> Response:
    return json_response(translate_body(kind.value, body), status)


@router.post("/contact/enrich/bulk")
async def start_enrichment(
    request: Request,
    who: CurrentKey,
    key: ApiKey,
    jobs: Jobs,
    once: Once,
    silent_fail: bool = Query(False, alias="silentFail"),
) -> Response:
    async def start() -> Response:
        bulk = requests.bulk_enrich(await json_body(request), silent_fail)
        enrichment = await jobs.start(who, key, bulk, api_version="v1")
        return json_response({"enrichment_id": enrichment.id})

    return await once.run(request, who, start)


@router.get("/contact/enrich/bulk/{enrichment_id}")
async def get_enrichment(
    enrichment_id: str,
    who: CurrentKey,
    reader: Reader,
    force_results: bool = Query(False, alias="forceResults"),
) -> Response:
    """v1 clients poll on `status`: a running job answers 200 with what is done so far."""
    kind = JobKind.ENRICH
    try:
        status, body = await reader.read(who, enrichment_id, kind, force_results)
    except EnrichmentInProgress:
        status, body = await reader.read(who, enrichment_id, kind, True)
    return _v1(kind, status, body)


@router.post("/contact/reverse/email/bulk")
async def start_reverse(
    request: Request, who: CurrentKey, key: ApiKey, jobs: Jobs, once: Once
) -> Response:
    async def start() -> Response:
        bulk = requests.bulk_reverse_v1(await json_body(request))
        enrichment = await jobs.start(who, key, bulk, kind=JobKind.REVERSE_EMAIL, api_version="v1")
        return json_response({"enrichment_id": enrichment.id})

    return await once.run(request, who, start)


@router.get("/contact/reverse/email/bulk/{enrichment_id}")
async def get_reverse(enrichment_id: str, who: CurrentKey, reader: Reader) -> Response:
    kind = JobKind.REVERSE_EMAIL
    status, body = await reader.read(who, enrichment_id, kind, False)
    return _v1(kind, status, body)
