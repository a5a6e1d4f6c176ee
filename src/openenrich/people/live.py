"""Lookups the store missed, answered by the live sources.

A person is asked of the waterfall's profile sources, a company of the sources that enrich
companies; the workspace's own vendor keys are placed among them by zone and priority.
Every call goes through the engine: its guards (keys, breakers, concurrency, rate limits,
timeouts, retries), its result cache (an input a source already answered is not paid for
again, and identical lookups in flight share one call), its cost cap and its call log,
attributed to the workspace. A source that fails is passed over like a miss.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from nameparser import HumanName

from openenrich.accounts.repository import Caller
from openenrich.domain import CompanyQuery, ContactQuery, Field, ProfileFinding
from openenrich.people import identity, requests
from openenrich.privacy.optout import OptOutList
from openenrich.privacy.screen import ScreenedFinder
from openenrich.waterfall.engine import OwnSource, origin_key

OwnKeysFor = Callable[[str, str | None], Awaitable[Sequence[OwnSource]]]

PROFILE = frozenset({Field.PROFILE})
# Longer names are no one's (and would hold the parser up).
MAX_NAME = 256


def split_name(full_name: str) -> tuple[str, str]:
    """(first, last) of a full name, titles, middle names and suffixes left out ('' for a
    part the name lacks)."""
    parsed = HumanName(full_name[:MAX_NAME])
    return str(parsed.first).strip(), str(parsed.last).strip()


def by_profile(url: str) -> ContactQuery | None:
    """What a person lookup by professional-network URL asks the sources."""
    handle = identity.network_handle(url, "in")
    return ContactQuery(linkedin_url=identity.network_url(handle, "in")) if handle else None


def by_name(full_name: str, domain: str) -> ContactQuery | None:
    """What a person lookup by name at a company's domain asks the sources."""
    first, last = split_name(full_name)
    domain = identity.domain(domain)
    if not (first and last and domain):
        return None
    return ContactQuery(first_name=first, last_name=last, domain=domain)


def _serving_profiles(own: OwnSource) -> OwnSource:
    """A key's data types choose among the contact fields an enrichment pays for; a lookup
    asks for the profile, which its vendor gives with any of them when it has one."""
    if Field.PROFILE in own.provider.fields:
        return replace(own, fields=own.fields | PROFILE)
    return own


class LiveLookups:
    """`people.service.LiveLookup` over the live waterfall, behind the opt-out list and
    the workspace's cache switch (`finder`). Sandbox keys never reach a source."""

    def __init__(self, finder: ScreenedFinder, optouts: OptOutList, own_keys: OwnKeysFor) -> None:
        self.finder = finder
        self.optouts = optouts
        self.own_keys = own_keys

    async def person(
        self, who: Caller, query: requests.PersonLookup
    ) -> tuple[dict[str, Any], str] | None:
        if who.sandbox:
            return None
        contact = await self._contact(who, query)
        if contact is None:
            return None
        if await self.optouts.blocks(who.workspace_id, _as_input(contact)):
            return None  # on the opt-out list: no source hears of them
        own = [_serving_profiles(o) for o in await self._own(who)]
        outcome = await self.finder.run(contact, PROFILE, workspace_id=who.workspace_id, own=own)
        for finding in outcome.findings:
            if isinstance(finding, ProfileFinding):
                origin = outcome.origins.get(origin_key(finding))
                source = origin.found_by[0] if origin is not None and origin.found_by else ""
                return dict(finding.person), source or "live"
        return None

    async def company(
        self, who: Caller, query: requests.CompanyLookup
    ) -> tuple[dict[str, Any], str] | None:
        if who.sandbox:
            return None
        handle = identity.network_handle(query.network_url, "company")
        wanted = CompanyQuery(
            domain=identity.domain(query.domain),
            professional_network_url=(
                identity.network_url(handle, "company") if handle else query.network_url
            ),
            professional_network_id=query.network_id,
        )
        if not (wanted.domain or wanted.professional_network_url or wanted.professional_network_id):
            return None
        answer = await self.finder.company(
            wanted, workspace_id=who.workspace_id, own=await self._own(who)
        )
        return (answer.company, answer.source) if answer is not None else None

    async def _own(self, who: Caller) -> Sequence[OwnSource]:
        return await self.own_keys(who.workspace_id, who.sub_account_id)

    async def _contact(self, who: Caller, query: requests.PersonLookup) -> ContactQuery | None:
        """The profile URL alone when there is one (the surest match); else the name at the
        company's domain, a company known only by its network page or ID looked up first.
        A network ID alone names no profile page the sources can be asked for."""
        found = by_profile(query.network_url)
        if found is not None or not query.name:
            return found
        domain = query.company_domain
        if not identity.domain(domain) and (query.company_network_url or query.company_network_id):
            company = await self.company(
                who,
                requests.CompanyLookup(
                    network_url=query.company_network_url, network_id=query.company_network_id
                ),
            )
            domain = str(company[0].get("domain") or "") if company is not None else ""
        return by_name(query.name, domain)


def _as_input(query: ContactQuery) -> dict[str, str]:
    """The lookup as an enrichment's stored input, for the opt-out list."""
    return {
        "first_name": query.first_name,
        "last_name": query.last_name,
        "domain": query.domain,
        "linkedin_url": query.linkedin_url,
    }
