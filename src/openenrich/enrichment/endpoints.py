"""v2 `/contact/enrich/bulk`: start a job, read its result."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from openenrich import errors
from openenrich.accounts.repository import Caller
from openenrich.api.http import caller, json_body, json_response, services
from openenrich.enrichment import service, validation
from openenrich.enrichment.models import Enrichment, JobKind
from openenrich.enrichment.validation import BulkRequest

router = APIRouter()


async def start_job(
    request: Request,
    who: Caller,
    bulk: BulkRequest,
    *,
    kind: JobKind = JobKind.ENRICH,
    api_version: str = "v2",
) -> Enrichment:
    """Write the job, its contacts and its webhook credentials in one transaction, then wake
    the workers (never before). Every start endpoint, v1 and v2, goes through here."""
    found = services(request)
    async with found.db.transaction() as session:
        enrichment = await service.create(session, who, bulk, kind=kind, api_version=api_version)
        if found.webhooks is not None:
            await found.webhooks.attach(session, enrichment, request.headers.get("authorization"))
        if not bulk.contacts:
            await found.jobs.close_if_done(session, enrichment)
    await found.wakeup.notify()
    return enrichment


@router.post("/contact/enrich/bulk")
async def start_enrichment(
    request: Request,
    who: Caller = Depends(caller),
    silent_fail: bool = Query(False, alias="silentFail"),
) -> Response:
    bulk = validation.bulk_enrich(await json_body(request), silent_fail)
    enrichment = await start_job(request, who, bulk)
    return json_response({"enrichment_id": enrichment.id})


@router.get("/contact/enrich/bulk/{enrichment_id}")
async def get_enrichment(
    request: Request,
    enrichment_id: str,
    who: Caller = Depends(caller),
    force_results: bool = Query(False, alias="forceResults"),
) -> Response:
    status, body = await services(request).reader.read(
        who, enrichment_id, JobKind.ENRICH, force_results, errors.enrichment_not_found()
    )
    return json_response(body, status)
