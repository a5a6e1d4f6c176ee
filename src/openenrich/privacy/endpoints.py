"""`/api/v2/privacy/...`: the workspace's opt-out list, erasure on request, its audit
trail, its data-minimisation switch, and what the server keeps for how long.

Not part of FullEnrich's API. Every route acts on the caller's workspace; the actor
recorded in the audit trail is the calling API key."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from openenrich.accounts.repository import Caller
from openenrich.api.deps import CurrentKey, Db, PrivacyService, PrivacySwitches
from openenrich.api.http import json_response
from openenrich.db import utcnow
from openenrich.privacy import audit, optout
from openenrich.privacy.audit import Action, Actor
from openenrich.privacy.models import WorkspacePrivacy
from openenrich.privacy.subjects import Subject

router = APIRouter(prefix="/privacy", tags=["privacy"])


class Identifier(BaseModel):
    """Exactly one of: `email`; `linkedin_url`; `name` with `domain`; or (opt-out list
    only) `domain` alone, for a company that asked to be left out."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    linkedin_url: str | None = None
    name: str | None = None
    domain: str | None = None

    def subject(self) -> Subject:
        return Subject.of(
            email=self.email, linkedin_url=self.linkedin_url, name=self.name, domain=self.domain
        )


class ErasureRequest(Identifier):
    # Add the person to the workspace's opt-out list (the default), so they are not
    # enriched again.
    add_to_optout: bool = True


class PrivacySwitchesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Cache provider answers for this workspace apart: never served to, nor served from,
    # other workspaces.
    private_cache: bool


def _actor(who: Caller) -> Actor:
    return Actor.api_key(who.api_key_id, who.workspace_id)


@router.post("/optouts")
async def add_optout(body: Identifier, who: CurrentKey, privacy: PrivacyService) -> Response:
    """Put a person (or a company domain) on the workspace's opt-out list: contacts that
    match reach no provider or verifier, cost nothing, and values found for other
    contacts that match are not returned. Stored as a keyed digest only."""
    subject = body.subject()
    added = await privacy.opt_out(_actor(who), subject, who.workspace_id)
    return json_response({"kind": subject.kind.value, "added": added})


@router.post("/optouts/remove")
async def remove_optout(body: Identifier, who: CurrentKey, privacy: PrivacyService) -> Response:
    """Take an entry off the workspace's list (404 when it is not on it)."""
    subject = body.subject()
    await privacy.opt_back_in(_actor(who), subject, who.workspace_id)
    return json_response({"kind": subject.kind.value, "removed": True})


@router.get("/optouts")
async def list_optouts(who: CurrentKey, db: Db) -> Response:
    """The workspace's entries (kinds and dates: the values themselves are not kept)."""
    async with db.read() as session:
        entries = await optout.entries(session, who.workspace_id)
    return json_response({"optouts": [optout.as_dict(e) for e in entries]})


@router.post("/erasures")
async def erase(body: ErasureRequest, who: CurrentKey, privacy: PrivacyService) -> Response:
    """Remove or redact a person from the workspace's results, contacts, findings,
    reverse lookups and webhook bodies, and from the server's provider cache; results keep
    their shape with the values removed. Idempotent. Answers a receipt: per store, what was
    found and removed."""
    receipt = await privacy.erase(
        _actor(who), body.subject(), workspace_id=who.workspace_id, add_to_optout=body.add_to_optout
    )
    return json_response(receipt.as_dict())


@router.get("/audit")
async def audit_events(
    who: CurrentKey,
    db: Db,
    since: datetime | None = Query(None),
    after_id: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> Response:
    """The workspace's audit trail, oldest first; page with `after_id`."""
    async with db.read() as session:
        found = await audit.events(
            session, workspace_id=who.workspace_id, since=since, after_id=after_id, limit=limit
        )
    return json_response({"events": [audit.as_dict(e) for e in found]})


@router.get("/settings")
async def get_settings(who: CurrentKey, db: Db) -> Response:
    async with db.read() as session:
        value = await session.scalar(
            select(WorkspacePrivacy.private_cache).where(
                WorkspacePrivacy.workspace_id == who.workspace_id
            )
        )
    return json_response({"private_cache": bool(value)})


@router.put("/settings")
async def put_settings(
    body: PrivacySwitchesBody, who: CurrentKey, db: Db, switches: PrivacySwitches
) -> Response:
    """Turn the workspace's data-minimisation switch on or off."""
    async with db.transaction() as session:
        row = await session.get(WorkspacePrivacy, who.workspace_id)
        if row is None:
            session.add(
                WorkspacePrivacy(workspace_id=who.workspace_id, private_cache=body.private_cache)
            )
        else:
            row.private_cache, row.updated_at = body.private_cache, utcnow()
        await audit.record(
            session,
            _actor(who),
            Action.SETTINGS,
            "private_cache",
            {"private_cache": body.private_cache},
        )
    switches.forget()
    return json_response({"private_cache": body.private_cache})


@router.get("/retention")
async def retention(who: CurrentKey, privacy: PrivacyService) -> Response:
    """What the server keeps, where, and for how long."""
    return json_response({"stores": privacy.retention()})
