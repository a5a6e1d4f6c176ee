"""`/api/v2/webhooks/...`: the delivery log, manual redelivery, the signing secret.
Not part of FullEnrich's API; every route is scoped to the caller's workspace."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from openenrich.accounts.repository import Caller
from openenrich.api.http import caller, json_response, services
from openenrich.errors import AppError
from openenrich.webhooks import repository
from openenrich.webhooks.hub import WebhookHub
from openenrich.webhooks.views import group

router = APIRouter()


def not_found() -> AppError:
    return AppError("error.webhook.not_found", "Webhook delivery not found", 404)


def hub(request: Request) -> WebhookHub:
    found = services(request).webhooks
    if found is None:
        raise AppError("error.webhook.disabled", "Webhooks are not configured", 404)
    return found


@router.get("/webhooks/deliveries")
async def list_deliveries(
    request: Request,
    who: Caller = Depends(caller),
    enrichment_id: str | None = Query(None),
    status: str | None = Query(None),
    limit: int = Query(100, ge=1, le=500),
) -> Response:
    async with hub(request).db.read() as session:
        events = await repository.events_of(session, who.workspace_id, enrichment_id, status, limit)
        attempts = await repository.attempts_of(session, [e.id for e in events])
    return json_response({"deliveries": group(events, attempts)})


@router.get("/webhooks/deliveries/{event_id}")
async def show_delivery(request: Request, event_id: str, who: Caller = Depends(caller)) -> Response:
    async with hub(request).db.read() as session:
        event = await repository.get_event(session, event_id, who.workspace_id)
        if event is None:
            raise not_found()
        attempts = await repository.attempts_of(session, [event.id])
    return json_response(group([event], attempts)[0])


@router.post("/webhooks/deliveries/{event_id}/redeliver")
async def redeliver(request: Request, event_id: str, who: Caller = Depends(caller)) -> Response:
    async with hub(request).db.transaction() as session:
        if await repository.get_event(session, event_id, who.workspace_id) is None:
            raise not_found()
        await repository.reschedule(session, event_id)
    return json_response({"id": event_id, "status": "pending"})


@router.get("/webhooks/secret")
async def signing_secret(request: Request, who: Caller = Depends(caller)) -> Response:
    """The workspace's Standard Webhooks secret, to verify `webhook-signature` with."""
    found = hub(request)
    return json_response({"secret": await found.workspace_secret(who.workspace_id)})
