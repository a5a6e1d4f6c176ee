"""The database side: result cache across restarts and workspaces, the call log, stats,
and the migration that creates both tables."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import create_engine, func, inspect, select
from tests.waterfall.fakes import FakeAdapter, FakeVerifierAdapter, Internet, Vendor, person_key

from openenrich.db import Base, Database
from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.waterfall import Waterfall, WaterfallConfig, build_waterfall
from openenrich.waterfall.calllog import call_stats
from openenrich.waterfall.config import CacheConfig, ProviderConfig
from openenrich.waterfall.models import ProviderCacheEntry, ProviderCall

pytestmark = pytest.mark.anyio

WORK = frozenset({Field.WORK_EMAIL})
ADA = ContactQuery(first_name="Ada", last_name="Lovelace", domain="example.com")
NOBODY = ContactQuery(first_name="No", last_name="Body", domain="example.com")
MIGRATION = Path(__file__).parents[2] / "src/openenrich/migrations/versions/0003_provider_calls.py"


def vendors() -> tuple[Vendor, Vendor]:
    finder = Vendor(
        "finder",
        {person_key("Ada", "Lovelace", "example.com"): {"email": "ada@example.com"}},
        price=0.5,
    )
    checker = Vendor("checker", {"ada@example.com||": {"status": "DELIVERABLE"}}, price=0.01)
    return finder, checker


def make(internet: Internet, http: Any, db: Database, scope: str = "server") -> Waterfall:
    config = WaterfallConfig(
        order={"work_email": ["finder"]},
        verifiers=["checker"],
        providers={
            "finder": ProviderConfig(api_key_env="K", price_per_hit=0.5, max_retries=0),
            "checker": ProviderConfig(api_key_env="K", price_per_call=0.01, max_retries=0),
        },
        cache=CacheConfig.model_validate({"scope": scope}),
    )
    return build_waterfall(
        config,
        http,
        db=db,
        extra_providers={"finder": FakeAdapter("finder")},  # type: ignore[dict-item]
        verifiers=[FakeVerifierAdapter("checker")],  # type: ignore[list-item]
        environ={"K": "good"},
    )


async def test_answers_survive_a_restart_and_are_shared_across_workspaces(db: Database) -> None:
    finder, checker = vendors()
    internet = Internet(finder, checker)
    async with internet.client() as http:
        first = make(internet, http, db)
        hit = await first.run(ADA, WORK, workspace_id="w1")
        miss = await first.run(NOBODY, WORK, workspace_id="w1")
        await first.aclose()
        assert [(f.email, f.status) for f in hit.findings if isinstance(f, EmailFinding)] == [
            ("ada@example.com", EmailStatus.DELIVERABLE)
        ]
        assert miss.findings == []
        assert hit.cost == pytest.approx(0.51)
        assert (finder.requests, checker.requests) == (2, 1)

        # A new process (empty memory) serving another workspace: nothing is paid again,
        # neither the hit nor the miss nor the verification.
        second = make(internet, http, db)
        again = await second.run(ADA, WORK, workspace_id="w2")
        nothing = await second.run(NOBODY, WORK, workspace_id="w2")
        assert again.findings == hit.findings and nothing.findings == []
        assert again.cost == 0
        assert (finder.requests, checker.requests) == (2, 1)

        # Per-workspace caching: another workspace pays for its own answers.
        private = make(internet, http, db, scope="workspace")
        await private.run(ADA, WORK, workspace_id="w3")
        await private.run(ADA, WORK, workspace_id="w3")
        assert (finder.requests, checker.requests) == (3, 2)
        await private.aclose()
        await second.aclose()

    async with db.read() as session:
        rows = (await session.execute(select(ProviderCall))).scalars().all()
        entries = await session.scalar(select(func.count()).select_from(ProviderCacheEntry))
    assert len(rows) == finder.requests + checker.requests
    assert sum(r.cost for r in rows) == pytest.approx(finder.charged + checker.charged)
    assert all(r.key_id and r.key_id != "good" for r in rows)
    assert entries == 5  # hit, miss, verdict; then hit and verdict of workspace w3

    stats = {s.provider: s for s in await call_stats(db)}
    assert stats["finder"].calls == 3 and stats["finder"].found == 2
    assert stats["finder"].misses == 1
    assert stats["finder"].cost_per_found == pytest.approx(0.5)
    assert stats["checker"].calls == 2


async def test_expired_answers_are_asked_again(db: Database) -> None:
    finder, checker = vendors()
    internet = Internet(finder, checker)
    async with internet.client() as http:
        waterfall = make(internet, http, db)
        await waterfall.run(ADA, WORK)
        await waterfall.aclose()
        async with db.transaction() as session:
            for entry in (await session.execute(select(ProviderCacheEntry))).scalars():
                entry.expires_at = entry.created_at
        fresh = make(internet, http, db)
        outcome = await fresh.run(ADA, WORK)
        await fresh.aclose()
    assert outcome.cost == pytest.approx(0.51)
    assert finder.requests == 2


def test_migration_creates_the_tables_the_models_use(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("migration_0003", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert (migration.revision, migration.down_revision) == ("0003", "0002")
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.begin() as conn:
        with Operations.context(MigrationContext.configure(conn)):
            migration.upgrade()
        inspector = inspect(conn)
        # Added by 0009 (the call log's workspace); tests/test_migrations.py checks the whole.
        later = {"workspace_id", "ix_provider_calls_workspace_id"}
        for model in (ProviderCall, ProviderCacheEntry):
            table = Base.metadata.tables[model.__tablename__]
            columns = {c["name"]: c for c in inspector.get_columns(table.name)}
            assert set(columns) == set(table.columns.keys()) - later
            for column in table.columns:
                if column.name not in later:
                    assert columns[column.name]["nullable"] == column.nullable, column.name
            indexes = {i["name"] for i in inspector.get_indexes(table.name)}
            assert indexes == {i.name for i in table.indexes} - later
        with Operations.context(MigrationContext.configure(conn)):
            migration.downgrade()
        assert "provider_calls" not in inspect(conn).get_table_names()


async def test_purge_drops_expired_entries_and_old_log_rows(db: Database) -> None:
    from datetime import datetime, timedelta

    from openenrich.db import utcnow
    from openenrich.privacy.settings import PrivacySettings
    from openenrich.waterfall.privacy import purge_cache, purge_calls

    async def purge(now: datetime, call_log_days: float = 3650) -> tuple[int, int]:
        settings = PrivacySettings(call_log_days=call_log_days)
        async with db.transaction() as session:
            entries = await purge_cache(session, now, 100, settings)
            calls = await purge_calls(session, now, 100, settings)
        return entries, calls

    finder, checker = vendors()
    internet = Internet(finder, checker)
    async with internet.client() as http:
        waterfall = make(internet, http, db)
        await waterfall.run(ADA, WORK)
        await waterfall.run(NOBODY, WORK)
        await waterfall.aclose()
    # Nothing has expired yet; the log is younger than a day.
    assert await purge(utcnow(), call_log_days=1) == (0, 0)
    # 31 days on: the miss (30-day TTL) has expired, the hit and the verdict too (30 days)...
    assert await purge(utcnow() + timedelta(days=31)) == (2, 0)
    # ...91 days on: everything, and the log rows past their retention.
    assert await purge(utcnow() + timedelta(days=91), call_log_days=90) == (1, 3)
