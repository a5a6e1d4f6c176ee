"""v2 `/contact/reverse/email/bulk`: start a lookup, read its result."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from openenrich.accounts.repository import Caller
from openenrich.api.http import caller, json_body, json_response, services
from openenrich.enrichment.endpoints import start_job
from openenrich.enrichment.models import JobKind
from openenrich.errors import AppError
from openenrich.reverse.validation import bulk_reverse

router = APIRouter()


def not_found() -> AppError:
    return AppError("error.reverse.email.not_found", "Reverse email ID not found", 404)


@router.post("/contact/reverse/email/bulk")
async def start_reverse(request: Request, who: Caller = Depends(caller)) -> Response:
    bulk = bulk_reverse(await json_body(request))
    enrichment = await start_job(request, who, bulk, kind=JobKind.REVERSE_EMAIL)
    return json_response({"enrichment_id": enrichment.id})


@router.get("/contact/reverse/email/bulk/{enrichment_id}")
async def get_reverse(
    request: Request, enrichment_id: str, who: Caller = Depends(caller)
) -> Response:
    status, body = await services(request).reader.read(
        who, enrichment_id, JobKind.REVERSE_EMAIL, False, not_found()
    )
    return json_response(body, status)
