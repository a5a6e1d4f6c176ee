"""v2 `/contact/enrich/bulk`: start a job, read its result."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from openenrich.api.deps import ApiKey, CurrentKey, Estimator, Jobs, Once, Reader
from openenrich.api.http import json_body, json_response
from openenrich.enrichment import extensions, validation
from openenrich.enrichment.models import JobKind

router = APIRouter()


@router.post("/contact/enrich/bulk")
async def start_enrichment(
    request: Request,
    who: CurrentKey,
    key: ApiKey,
    jobs: Jobs,
    once: Once,
    estimator: Estimator,
    silent_fail: bool = Query(False, alias="silentFail"),
    dry_run: bool = Query(False, include_in_schema=False),
) -> Response:
    async def start() -> Response:
        body = await json_body(request)
        bulk = validation.bulk_enrich(body, silent_fail)
        bulk = extensions.read(bulk, body, request.query_params)
        if dry_run:
            sent = extensions.submitted(body)
            return json_response(await estimator.estimate(who, bulk, sent))
        enrichment = await jobs.start(who, key, bulk)
        return json_response({"enrichment_id": enrichment.id})

    return await once.run(request, who, start)


@router.get("/contact/enrich/bulk/{enrichment_id}")
async def get_enrichment(
    enrichment_id: str,
    who: CurrentKey,
    reader: Reader,
    force_results: bool = Query(False, alias="forceResults"),
) -> Response:
    status, body = await reader.read(who, enrichment_id, JobKind.ENRICH, force_results)
    return json_response(body, status)
