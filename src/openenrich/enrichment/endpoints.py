"""v2 `/contact/enrich/bulk`: start a job, read its result."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from openenrich.api.deps import ApiKey, CurrentKey, Jobs, Reader
from openenrich.api.http import json_body, json_response
from openenrich.enrichment import validation
from openenrich.enrichment.models import JobKind

router = APIRouter()


@router.post("/contact/enrich/bulk")
async def start_enrichment(
    request: Request,
    who: CurrentKey,
    key: ApiKey,
    jobs: Jobs,
    silent_fail: bool = Query(False, alias="silentFail"),
) -> Response:
    bulk = validation.bulk_enrich(await json_body(request), silent_fail)
    enrichment = await jobs.start(who, key, bulk)
    return json_response({"enrichment_id": enrichment.id})


@router.get("/contact/enrich/bulk/{enrichment_id}")
async def get_enrichment(
    enrichment_id: str,
    who: CurrentKey,
    reader: Reader,
    force_results: bool = Query(False, alias="forceResults"),
) -> Response:
    status, body = await reader.read(who, enrichment_id, JobKind.ENRICH, force_results)
    return json_response(body, status)
