"""`/api/v2/webhooks/...`: the delivery log, manual redelivery, the signing secret.
Not part of FullEnrich's API; every route is scoped to the caller's workspace and mode: a
sandbox key sees and redelivers sandbox events only, and reads the sandbox secret."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from openenrich.api.deps import CurrentKey, Db, Webhooks
from openenrich.api.http import json_response
from openenrich.errors import WebhookDeliveryNotFound
from openenrich.webhooks import repository
from openenrich.webhooks.views import group

router = APIRouter()


@router.get("/webhooks/deliveries")
async def list_deliveries(
    who: CurrentKey,
    db: Db,
    enrichment_id: str | None = Query(None),
    status: str | None = Query(None),
    limit: int = Query(100, ge=1, le=500),
) -> Response:
    async with db.read() as session:
        events = await repository.events_of(
            session,
            who.workspace_id,
            enrichment_id,
            status,
            limit,
            sandbox=who.sandbox,
            sub_account_id=who.sub_account_id,
        )
        attempts = await repository.attempts_of(session, [e.id for e in events])
    return json_response({"deliveries": group(events, attempts)})


@router.get("/webhooks/deliveries/{event_id}")
async def show_delivery(event_id: str, who: CurrentKey, db: Db) -> Response:
    async with db.read() as session:
        event = await repository.get_event(
            session, event_id, who.workspace_id, who.sandbox, who.sub_account_id
        )
        if event is None:
            raise WebhookDeliveryNotFound()
        attempts = await repository.attempts_of(session, [event.id])
    return json_response(group([event], attempts)[0])


@router.post("/webhooks/deliveries/{event_id}/redeliver")
async def redeliver(event_id: str, who: CurrentKey, db: Db) -> Response:
    async with db.transaction() as session:
        event = await repository.get_event(
            session, event_id, who.workspace_id, who.sandbox, who.sub_account_id
        )
        if event is None:
            raise WebhookDeliveryNotFound()
        await repository.reschedule(session, event_id)
    return json_response({"id": event_id, "status": "pending"})


@router.get("/webhooks/secret")
async def signing_secret(who: CurrentKey, webhooks: Webhooks) -> Response:
    """The Standard Webhooks secret of the caller's workspace and mode, to verify
    `webhook-signature` with."""
    secret = await webhooks.workspace_secret(who.workspace_id, who.sandbox)
    return json_response({"secret": secret})
