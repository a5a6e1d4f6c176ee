"""v2 `/people/search`, `/company/search`, `/people/lookup`, `/company/lookup`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from openenrich.api.deps import CurrentKey, People
from openenrich.api.http import json_body, json_response
from openenrich.people.service import Kind

router = APIRouter()


@router.post("/people/search")
async def search_people(request: Request, who: CurrentKey, people: People) -> Response:
    return json_response(await people.search(who, await json_body(request), Kind.PERSON))


@router.post("/company/search")
async def search_companies(request: Request, who: CurrentKey, people: People) -> Response:
    return json_response(await people.search(who, await json_body(request), Kind.COMPANY))


@router.post("/people/lookup")
async def lookup_person(request: Request, who: CurrentKey, people: People) -> Response:
    return json_response(await people.lookup_person(who, await json_body(request)))


@router.post("/company/lookup")
async def lookup_company(request: Request, who: CurrentKey, people: People) -> Response:
    return json_response(await people.lookup_company(who, await json_body(request)))
