"""Domain facts: the SQL store through the real migration, and TTLs with a driven clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.rigs.loopback import MailBehaviour

from openenrich.db import Database
from openenrich.domain import EmailStatus
from openenrich.migrate import upgrade
from openenrich.verification.engine import EmailEngine
from openenrich.verification.facts import DomainFacts, SqlFactsStore
from openenrich.verification.routes import MailHost, MailRoute, RouteStatus

from .conftest import MakeRig, mx_zone, present

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A SQLite file migrated to head (through this package's 0002 revision)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'facts.db'}"
    upgrade(url)
    return url


@pytest.mark.anyio
async def test_sql_store_round_trip(url: str) -> None:
    db = Database(url)
    store = SqlFactsStore(db)
    assert await store.get("acme.example") is None
    route = MailRoute(
        "acme.example", RouteStatus.OK, (MailHost("mx1.acme.example", 10, ("127.0.0.2",)),)
    )
    await store.put(
        DomainFacts("acme.example", route, T0, catch_all=False, catch_all_checked_at=T0)
    )
    await store.put(
        DomainFacts("acme.example", route, T0, False, T0, pattern="flast", pattern_learned_at=T0)
    )
    facts = await store.get("acme.example")
    assert facts == DomainFacts("acme.example", route, T0, False, T0, "flast", T0)
    await db.dispose()


@pytest.mark.anyio
async def test_facts_expire_after_their_ttl(make_rig: MakeRig, url: str) -> None:
    db = Database(url)
    server = MailBehaviour(mailboxes=frozenset({"jane.doe@acme.example"}))
    rig = make_rig(
        mx_zone({"acme.example": [(10, "mx1.acme.example", "127.0.0.2")]}), {"127.0.0.2": server}
    )
    now = [T0]
    engine = EmailEngine(
        rig.settings(fact_catch_all_ttl=3600), SqlFactsStore(db), clock=lambda: now[0]
    )
    assert (await engine.verify("jane.doe@acme.example")).status is EmailStatus.DELIVERABLE
    assert server.rcpts == 2
    now[0] = T0 + timedelta(minutes=30)
    cached = await engine.verify("jane.doe@acme.example")
    assert present(cached.details.catch_all).cached and server.rcpts == 3
    now[0] = T0 + timedelta(hours=2)  # catch-all verdict stale: probe again
    again = await engine.verify("jane.doe@acme.example")
    assert present(again.details.catch_all).reply is not None and server.rcpts == 5
    await engine.aclose()
    await db.dispose()
