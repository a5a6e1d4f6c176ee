"""Resolved API keys are kept per process and trusted only while the revocation epoch
holds: no lookup per request, and a revocation from another process is seen at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.harness import REDIS_URL, require_redis

from openenrich import errors
from openenrich.accounts import repository, revocations
from openenrich.accounts.auth import Authenticator
from openenrich.accounts.revocations import (
    FileSignal,
    NoSignal,
    RedisSignal,
    RevocationSignal,
    revocation_signal,
)
from openenrich.db import Database

SECRET = b"test-secret"


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_url)
    yield database
    await database.dispose()


async def workspace(db: Database) -> repository.NewWorkspace:
    async with db.transaction() as session:
        return await repository.create_workspace(session, "keys", SECRET)


def counting_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = repository.caller_for_hash

    async def counted(session: object, key_hash: str) -> repository.Caller | None:
        seen.append(key_hash)
        return await real(session, key_hash)  # type: ignore[arg-type]

    monkeypatch.setattr(repository, "caller_for_hash", counted)
    return seen


@pytest.mark.anyio
async def test_a_resolved_key_costs_no_lookup_until_a_revocation(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = await workspace(db)
    lookups = counting_lookups(monkeypatch)
    auth = Authenticator(db, SECRET, FileSignal(tmp_path / "revocations"))
    for _ in range(5):
        assert (await auth.caller(created.api_key)).workspace_id == created.workspace_id
    assert len(lookups) == 1


async def check_revocation_seen_by_another_process(
    db: Database, serving: RevocationSignal, revoking: RevocationSignal
) -> None:
    """Two authenticators (two server processes) share the signal; a third party revokes."""
    created = await workspace(db)
    replicas = [Authenticator(db, SECRET, serving), Authenticator(db, SECRET, serving)]
    for replica in replicas:
        await replica.caller(created.sandbox_api_key)
    async with db.read() as session:
        key_id = next(
            k.id for k in await repository.keys_of(session, created.workspace_id) if k.sandbox
        )
    assert await revocations.revoke(db, revoking, created.workspace_id, key_id)
    for replica in replicas:
        with pytest.raises(errors.UnknownApiKey):
            await replica.caller(created.sandbox_api_key)
        assert (await replica.caller(created.api_key)).workspace_id == created.workspace_id


@pytest.mark.anyio
async def test_a_revocation_through_the_file_signal_is_seen_at_once(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "test.db.revocations"
    await check_revocation_seen_by_another_process(db, FileSignal(path), FileSignal(path))
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.redis
@pytest.mark.anyio
async def test_a_revocation_through_redis_is_seen_at_once(db: Database) -> None:
    require_redis()
    serving, revoking = RedisSignal(REDIS_URL), RedisSignal(REDIS_URL)
    try:
        await check_revocation_seen_by_another_process(db, serving, revoking)
    finally:
        await serving.aclose()
        await revoking.aclose()


@pytest.mark.anyio
async def test_without_a_shared_signal_every_request_looks_the_key_up(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = await workspace(db)
    lookups = counting_lookups(monkeypatch)
    auth = Authenticator(db, SECRET, NoSignal())
    for _ in range(3):
        await auth.caller(created.api_key)
    assert len(lookups) == 3


def test_the_signal_follows_the_deployment(tmp_path: Path) -> None:
    assert isinstance(revocation_signal(f"sqlite:///{tmp_path}/a.db", None), FileSignal)
    assert isinstance(revocation_signal("postgresql://h/db", "redis://127.0.0.1"), RedisSignal)
    assert isinstance(revocation_signal("postgresql://h/db", None), NoSignal)
