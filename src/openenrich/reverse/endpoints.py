"""v2 `/contact/reverse/email/bulk`: start a lookup, read its result."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from openenrich.api.deps import ApiKey, CurrentKey, Jobs, Once, Reader
from openenrich.api.http import json_body, json_response
from openenrich.enrichment.models import JobKind
from openenrich.reverse.validation import bulk_reverse

router = APIRouter()


@router.post("/contact/reverse/email/bulk")
async def start_reverse(
    request: Request, who: CurrentKey, key: ApiKey, jobs: Jobs, once: Once
) -> Response:
    async def start() -> Response:
        bulk = bulk_reverse(await json_body(request))
        enrichment = await jobs.start(who, key, bulk, kind=JobKind.REVERSE_EMAIL)
        return json_response({"enrichment_id": enrichment.id})

    return await once.run(request, who, start)


@router.get("/contact/reverse/email/bulk/{enrichment_id}")
async def get_reverse(enrichment_id: str, who: CurrentKey, reader: Reader) -> Response:
    status, body = await reader.read(who, enrichment_id, JobKind.REVERSE_EMAIL, False)
    return json_response(body, status)
