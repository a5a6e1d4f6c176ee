"""Cached facts about mail domains (route, catch-all, learned pattern), so a second contact
at the same company costs no DNS lookup and no catch-all probe. Freshness is judged by the
caller against its TTLs; stores only keep timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from openenrich.db import Database, utcnow
from openenrich.verification.models import DomainFactRow
from openenrich.verification.routes import MailHost, MailRoute, RouteStatus


@dataclass(frozen=True, slots=True)
class DomainFacts:
    domain: str
    route: MailRoute | None = None
    route_checked_at: datetime | None = None
    catch_all: bool | None = None
    catch_all_checked_at: datetime | None = None
    pattern: str | None = None
    pattern_learned_at: datetime | None = None


class DomainFactsStore(Protocol):
    async def get(self, domain: str) -> DomainFacts | None: ...

    async def put(self, facts: DomainFacts) -> None: ...


class MemoryFactsStore:
    """For the command line and benchmarks: facts live as long as the process."""

    def __init__(self) -> None:
        self._facts: dict[str, DomainFacts] = {}

    async def get(self, domain: str) -> DomainFacts | None:
        return self._facts.get(domain)

    async def put(self, facts: DomainFacts) -> None:
        self._facts[facts.domain] = facts


def _hosts_to_json(route: MailRoute | None) -> list[dict[str, Any]]:
    if route is None:
        return []
    return [
        {"host": h.name, "preference": h.preference, "addresses": list(h.addresses)}
        for h in route.hosts
    ]


def _row_to_facts(row: DomainFactRow) -> DomainFacts:
    route = None
    if row.route_status is not None:
        hosts = tuple(
            MailHost(str(h["host"]), int(h["preference"]), tuple(h["addresses"])) for h in row.mx
        )
        route = MailRoute(row.domain, RouteStatus(row.route_status), hosts, row.implicit_mx)
    return DomainFacts(
        domain=row.domain,
        route=route,
        route_checked_at=row.route_checked_at,
        catch_all=row.catch_all,
        catch_all_checked_at=row.catch_all_checked_at,
        pattern=row.pattern,
        pattern_learned_at=row.pattern_learned_at,
    )


class SqlFactsStore:
    """Facts in the `domain_facts` table (SQLite or PostgreSQL), shared by every worker."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, domain: str) -> DomainFacts | None:
        async with self.db.read() as session:
            row = await session.scalar(select(DomainFactRow).where(DomainFactRow.domain == domain))
            return _row_to_facts(row) if row is not None else None

    async def put(self, facts: DomainFacts) -> None:
        values: dict[str, Any] = {
            "domain": facts.domain,
            "route_status": facts.route.status.value if facts.route else None,
            "mx": _hosts_to_json(facts.route),
            "implicit_mx": bool(facts.route and facts.route.implicit),
            "route_checked_at": facts.route_checked_at,
            "catch_all": facts.catch_all,
            "catch_all_checked_at": facts.catch_all_checked_at,
            "pattern": facts.pattern,
            "pattern_learned_at": facts.pattern_learned_at,
            "updated_at": utcnow(),
        }
        insert = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
        stmt = insert(DomainFactRow).values(**values)
        update = {k: stmt.excluded[k] for k in values if k != "domain"}
        async with self.db.transaction() as session:
            await session.execute(
                stmt.on_conflict_do_update(index_elements=["domain"], set_=update)
            )
