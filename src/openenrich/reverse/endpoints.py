"""v2 `/contact/reverse/email/bulk`: start a lookup, read its result."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from openenrich.accounts.repository import Caller
from openenrich.api.http import caller, json_body, json_response, services
from openenrich.enrichment import service
from openenrich.enrichment.models import Enrichment, JobKind
from openenrich.enrichment.validation import BulkRequest
from openenrich.errors import AppError
from openenrich.reverse.validation import bulk_reverse

router = APIRouter()


def not_found() -> AppError:
    return AppError("error.reverse.email.not_found", "Reverse email ID not found", 404)


async def start(
    request: Request, who: Caller, bulk: BulkRequest, api_version: str = "v2"
) -> Enrichment:
    """Create the lookup (and its webhook credentials) in one transaction, then wake the
    workers. Shared by v1 and v2."""
    found = services(request)
    async with found.db.transaction() as session:
        enrichment = await service.create(
            session, who, bulk, kind=JobKind.REVERSE_EMAIL, api_version=api_version
        )
        if found.webhooks is not None:
            await found.webhooks.attach(session, enrichment, request.headers.get("authorization"))
    await found.wakeup.notify()
    return enrichment


@router.post("/contact/reverse/email/bulk")
async def start_reverse(request: Request, who: Caller = Depends(caller)) -> Response:
    enrichment = await start(request, who, bulk_reverse(await json_body(request)))
    return json_response({"enrichment_id": enrichment.id})


@router.get("/contact/reverse/email/bulk/{enrichment_id}")
async def get_reverse(
    request: Request, enrichment_id: str, who: Caller = Depends(caller)
) -> Response:
    status, body = await services(request).reader.read(
        who, enrichment_id, JobKind.REVERSE_EMAIL, False, not_found()
    )
    return json_response(body, status)
