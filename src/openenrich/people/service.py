"""Search and lookup: who sees what, what it costs, and where a lookup goes on a miss.

A live key sees its workspace's records and those the operator imported for everyone
(or every workspace's, when profiles are shared); a sandbox key sees the synthetic
population. Each record returned costs its price once per workspace: returning it again
is free. The charge and the record of what was returned commit together, or, when the
balance cannot pay, neither does and the answer is 402.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, case, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich import errors
from openenrich.accounts import repository as accounts
from openenrich.accounts.repository import Caller
from openenrich.db import Database, utcnow
from openenrich.domain import Finding, ProfileFinding
from openenrich.people import identity, ingest, population, requests
from openenrich.people.fields import COMPANIES, PEOPLE, Field
from openenrich.people.models import CompanyRow, Export, PersonRow
from openenrich.people.search import Table, run
from openenrich.people.store import EVERYONE, SANDBOX, upsert_companies, upsert_people

log = logging.getLogger(__name__)


class Kind(StrEnum):
    PERSON = "person"
    COMPANY = "company"

    @property
    def table(self) -> Table:
        return PersonRow if self is Kind.PERSON else CompanyRow

    @property
    def fields(self) -> Mapping[str, Field]:
        return PEOPLE if self is Kind.PERSON else COMPANIES

    @property
    def plural(self) -> str:
        """The response's array: `people` or `companies`."""
        return "people" if self is Kind.PERSON else "companies"


@dataclass(frozen=True, slots=True)
class Prices:
    """Per record returned, in hundredths of a credit."""

    search: int = 25
    lookup: int = 25


class LiveLookup(Protocol):
    """Providers that answer a lookup the store missed, through the waterfall's guard.
    Each answers a spec-shaped record and the source it came from, or None."""

    async def person(
        self, who: Caller, query: requests.PersonLookup
    ) -> tuple[dict[str, Any], str] | None: ...

    async def company(
        self, who: Caller, query: requests.CompanyLookup
    ) -> tuple[dict[str, Any], str] | None: ...


class Screen(Protocol):
    """The opt-out list: which of these findings may be given to the workspace."""

    async def screen(self, workspace_id: str, findings: list[Finding]) -> list[Finding]: ...


@dataclass(frozen=True, slots=True)
class Population:
    people: int
    companies: int


class PeopleService:
    def __init__(
        self,
        db: Database,
        prices: Prices,
        *,
        population: Population,
        share_across_workspaces: bool = False,
        live: LiveLookup | None = None,
        screen: Screen | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.prices = prices
        self.population = population
        self.share = share_across_workspaces
        self.live = live
        self.screen = screen
        self._sandbox_ready = False
        self.clock = clock

    def visible(self, who: Caller, table: Table) -> ColumnElement[bool]:
        if who.sandbox:
            return table.owner == SANDBOX
        if self.share:
            return table.owner != SANDBOX
        return table.owner.in_((who.workspace_id, EVERYONE))

    async def preload(self) -> None:
        """Load the sandbox population now rather than on the first sandbox search."""
        try:
            await population.ensure(self.db, self.population.people, self.population.companies)
        except Exception:  # the first sandbox search tries again, and reports
            log.exception("loading the sandbox population failed")

    async def _ready(self, who: Caller) -> None:
        if not who.sandbox:
            await ingest.catch_up(self.db)
        elif not self._sandbox_ready:
            await population.ensure(self.db, self.population.people, self.population.companies)
            self._sandbox_ready = True

    async def search(self, who: Caller, body: Any, kind: Kind) -> dict[str, Any]:
        query = requests.search(body, kind.fields)
        await self._ready(who)
        async with self.db.read() as session:
            page = await run(
                session,
                kind.table,
                kind.fields,
                query,
                self.visible(who, kind.table),
                self.clock().date(),
            )
            rows = await self._screened(who, kind, page.rows)
            new = await self._new(session, who, kind, _ids(rows))
        credits = await self._charge(who, kind, rows, self.prices.search, "search", new)
        metadata: dict[str, Any] = {"total": page.total, "credits": credits, "offset": query.offset}
        if page.next is not None:
            metadata["search_after"] = page.next.encode()
        return {kind.plural: rows, "metadata": metadata}

    async def lookup_person(self, who: Caller, body: Any) -> dict[str, Any]:
        query = requests.person_lookup(body)
        await self._ready(who)
        async with self.db.read() as session:
            found = await self._stored_person(session, who, query)
        if found is None and self.live is not None and not who.sandbox:
            answer = await self.live.person(who, await self._with_domain(who, query))
            if answer is not None:
                found = await self._keep(who, Kind.PERSON, *answer)
        return await self._answer(who, Kind.PERSON, found)

    async def lookup_company(self, who: Caller, body: Any) -> dict[str, Any]:
        query = requests.company_lookup(body)
        await self._ready(who)
        async with self.db.read() as session:
            found = await self._stored_company(session, who, query)
        if found is None and self.live is not None and not who.sandbox:
            answer = await self.live.company(who, query)
            if answer is not None:
                found = await self._keep(who, Kind.COMPANY, *answer)
        return await self._answer(who, Kind.COMPANY, found)

    async def _answer(
        self, who: Caller, kind: Kind, found: dict[str, Any] | None
    ) -> dict[str, Any]:
        rows = await self._screened(who, kind, [found] if found is not None else [])
        credits = await self._charge(who, kind, rows, self.prices.lookup, "lookup")
        return {kind.plural: rows, "metadata": {"credits": credits}}

    async def _screened(
        self, who: Caller, kind: Kind, rows: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """People on the opt-out list are left out of what is returned (and charged)."""
        if self.screen is None or kind is not Kind.PERSON or not rows:
            return rows
        kept = await self.screen.screen(who.workspace_id, [ProfileFinding(row) for row in rows])
        allowed = {id(f.person) for f in kept if isinstance(f, ProfileFinding)}
        return [row for row in rows if id(row) in allowed]

    async def _best(
        self, session: AsyncSession, who: Caller, table: Table, *conditions: ColumnElement[bool]
    ) -> dict[str, Any] | None:
        """The best match: the workspace's own record first, then the newest."""
        mine = case((table.owner == who.workspace_id, 0), else_=1)
        data = await session.scalar(
            select(table.data)
            .where(self.visible(who, table), *conditions)
            .order_by(mine, table.updated_at.desc(), table.id)
            .limit(1)
        )
        return dict(data) if data is not None else None

    async def _first(
        self, session: AsyncSession, who: Caller, table: Table, *tries: ColumnElement[bool] | None
    ) -> dict[str, Any] | None:
        """The best match of the first of `tries` that matches anything."""
        for condition in tries:
            if condition is not None:
                found = await self._best(session, who, table, condition)
                if found is not None:
                    return found
        return None

    async def _stored_person(
        self, session: AsyncSession, who: Caller, query: requests.PersonLookup
    ) -> dict[str, Any] | None:
        found = await self._first(
            session,
            who,
            PersonRow,
            *_by_network(PersonRow, query.network_id, query.network_url, "in"),
        )
        if found is not None:
            return found
        name = identity.name_key(query.name)
        if not name:
            return None
        domains = await self._company_domains(session, who, query)
        if not domains:
            return None
        return await self._best(
            session,
            who,
            PersonRow,
            PersonRow.name_key == name,
            PersonRow.company_domain.in_(domains),
        )

    async def _company_domains(
        self, session: AsyncSession, who: Caller, query: requests.PersonLookup
    ) -> list[str]:
        """The domains the lookup's company identifiers stand for."""
        domains = [d for d in [identity.domain(query.company_domain)] if d]
        by: list[ColumnElement[bool]] = []
        if query.company_network_id is not None:
            by.append(CompanyRow.network_id == query.company_network_id)
        handle = identity.network_handle(query.company_network_url, "company")
        if handle:
            by.append(CompanyRow.handle == handle)
        if by:
            found = await session.scalars(
                select(CompanyRow.domain).where(self.visible(who, CompanyRow), or_(*by))
            )
            domains.extend(d for d in found if d)
        return domains

    async def _with_domain(
        self, who: Caller, query: requests.PersonLookup
    ) -> requests.PersonLookup:
        """The lookup with its company's domain, when only the company's network page or
        ID was given and the store knows the company: no source is asked for it then."""
        if not query.name or identity.domain(query.company_domain):
            return query
        if not (query.company_network_url or query.company_network_id):
            return query
        async with self.db.read() as session:
            domains = await self._company_domains(session, who, query)
        return replace(query, company_domain=domains[0]) if domains else query

    async def _stored_company(
        self, session: AsyncSession, who: Caller, query: requests.CompanyLookup
    ) -> dict[str, Any] | None:
        domain = identity.domain(query.domain)
        return await self._first(
            session,
            who,
            CompanyRow,
            *_by_network(CompanyRow, query.network_id, query.network_url, "company"),
            CompanyRow.domain == domain if domain else None,
        )

    async def _keep(
        self, who: Caller, kind: Kind, record: dict[str, Any], source: str
    ) -> dict[str, Any]:
        """Store what a provider answered (the workspace's own), and return it as stored."""
        upsert: Callable[..., Awaitable[Any]] = (
            upsert_people if kind is Kind.PERSON else upsert_companies
        )
        async with self.db.transaction() as session:
            await upsert(session, who.workspace_id, [record], source, self.clock())
        async with self.db.read() as session:
            if kind is Kind.PERSON:
                return await self._stored_person(session, who, _person_query(record)) or record
            return await self._stored_company(session, who, _company_query(record)) or record

    async def _charge(
        self,
        who: Caller,
        kind: Kind,
        rows: Sequence[Mapping[str, Any]],
        price: int,
        reason: str,
        new: list[str] | None = None,
    ) -> float:
        """Charge the records the workspace is given for the first time (`new`, when the
        caller already read which); the credits."""
        ids = _ids(rows)
        if new is None and ids:
            async with self.db.read() as session:
                new = await self._new(session, who, kind, ids)
        if not new:
            return 0.0
        for _ in range(3):
            try:
                async with self.db.transaction() as session:
                    new = await self._new(session, who, kind, ids)
                    cost = len(new) * price
                    item = f"{kind.value}_{reason}"
                    if not await accounts.charge_hundredths(
                        session, who.workspace_id, who.sandbox, cost, reason, item
                    ):
                        raise errors.CreditsInsufficient()
                    session.add_all(
                        Export(
                            workspace_id=who.workspace_id,
                            sandbox=who.sandbox,
                            kind=kind.value,
                            record_id=i,
                        )
                        for i in new
                    )
                return cost / 100
            except IntegrityError:
                continue  # another request gave some of them at the same moment: count again
        raise errors.AppError(
            "error.search.busy", "Too many identical searches at once, retry", 503
        )

    async def _new(
        self, session: AsyncSession, who: Caller, kind: Kind, ids: list[str]
    ) -> list[str]:
        given = set(
            await session.scalars(
                select(Export.record_id).where(
                    Export.workspace_id == who.workspace_id,
                    Export.sandbox == who.sandbox,
                    Export.kind == kind.value,
                    Export.record_id.in_(ids),
                )
            )
        )
        return [i for i in dict.fromkeys(ids) if i not in given]


def _ids(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(row["id"]) for row in rows if row.get("id")]


def _by_network(
    table: Table, network_id: int | None, url: str, section: str
) -> tuple[ColumnElement[bool] | None, ColumnElement[bool] | None]:
    """Conditions on a professional-network id and URL, where given."""
    handle = identity.network_handle(url, section)
    return (
        table.network_id == network_id if network_id is not None else None,
        table.handle == handle if handle else None,
    )


def _person_query(record: Mapping[str, Any]) -> requests.PersonLookup:
    network = record.get("social_profiles", {}).get("professional_network", {})
    company = record.get("employment", {}).get("current", {}).get("company", {})
    return requests.PersonLookup(
        name=str(record.get("full_name", "")),
        network_url=str(network.get("url", "")),
        network_id=network.get("id") if isinstance(network.get("id"), int) else None,
        company_domain=str(company.get("domain", "")),
    )


def _company_query(record: Mapping[str, Any]) -> requests.CompanyLookup:
    network = record.get("social_profiles", {}).get("professional_network", {})
    return requests.CompanyLookup(
        domain=str(record.get("domain", "")),
        network_url=str(network.get("url", "")),
        network_id=network.get("id") if isinstance(network.get("id"), int) else None,
    )
