"""`/api/v1`: the legacy paths, served by the v2 services and translated both ways."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from openenrich import errors
from openenrich.accounts.endpoints import router as accounts_router
from openenrich.accounts.repository import Caller
from openenrich.api.http import caller, json_body, json_response, services
from openenrich.enrichment.endpoints import start_job
from openenrich.enrichment.models import JobKind
from openenrich.reverse import endpoints as reverse
from openenrich.v1 import requests
from openenrich.v1.shape import translate_body

router = APIRouter()
router.include_router(accounts_router)


def _v1(kind: JobKind, status: int, body: bytes) -> Response:
    return json_response(translate_body(kind.value, body), status)


@router.post("/contact/enrich/bulk")
async def start_enrichment(
    request: Request,
    who: Caller = Depends(caller),
    silent_fail: bool = Query(False, alias="silentFail"),
) -> Response:
    bulk = requests.bulk_enrich(await json_body(request), silent_fail)
    enrichment = await start_job(request, who, bulk, api_version="v1")
    return json_response({"enrichment_id": enrichment.id})


@router.get("/contact/enrich/bulk/{enrichment_id}")
async def get_enrichment(
    request: Request,
    enrichment_id: str,
    who: Caller = Depends(caller),
    force_results: bool = Query(False, alias="forceResults"),
) -> Response:
    """v1 clients poll on `status`: a running job answers 200 with what is done so far."""
    reader = services(request).reader
    kind = JobKind.ENRICH
    not_found = errors.enrichment_not_found()
    try:
        status, body = await reader.read(who, enrichment_id, kind, force_results, not_found)
    except errors.AppError as error:
        if error.code != "error.enrichment.in_progress":
            raise
        status, body = await reader.read(who, enrichment_id, kind, True, not_found)
    return _v1(kind, status, body)


@router.post("/contact/reverse/email/bulk")
async def start_reverse(request: Request, who: Caller = Depends(caller)) -> Response:
    bulk = requests.bulk_reverse_v1(await json_body(request))
    enrichment = await start_job(request, who, bulk, kind=JobKind.REVERSE_EMAIL, api_version="v1")
    return json_response({"enrichment_id": enrichment.id})


@router.get("/contact/reverse/email/bulk/{enrichment_id}")
async def get_reverse(
    request: Request, enrichment_id: str, who: Caller = Depends(caller)
) -> Response:
    kind = JobKind.REVERSE_EMAIL
    status, body = await services(request).reader.read(
        who, enrichment_id, kind, False, reverse.not_found()
    )
    return _v1(kind, status, body)
