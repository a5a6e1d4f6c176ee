"""Issue 15 item 9: operations.

Observed: no command to create, list or revoke keys (and a revoked key kept working for the
in-process cache's 10 s on every replica); no way to rotate the webhook secret; the first
start's keys printed into the same stream as the logs; the key looked up before its
checksum was checked; the SQLite file and its WAL created world-readable; slow-header and
slow-body connections held open for ever; `/metrics` open to anyone."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tests.harness import Api, make_settings, running_api
from typer.testing import CliRunner

from openenrich import operator_cli
from openenrich.accounts import repository
from openenrich.api.server import uvicorn_config
from openenrich.app import create_app
from openenrich.cli import app as cli_app
from openenrich.db import Database
from openenrich.services import build_services

pytestmark = pytest.mark.anyio

BIN = Path(sys.executable).parent / "openenrich"


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OPENENRICH_DATABASE_URL": database_url,
        "OPENENRICH_SECRET_KEY": "test-secret",
    }
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(
        make_settings(database_url, tmp_path, metrics_token="m3trics")
    ) as running:
        yield running


async def test_keys_created_listed_and_revoked_at_once_on_every_replica(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    replica = build_services(settings)
    app = create_app(settings, prebuilt=replica)
    app.state.services = replica
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://replica") as other:
            created = await asyncio.to_thread(
                cli, database_url, "keys", "create", api.workspace_id, "--json"
            )
            assert created.returncode == 0, created.stderr
            new = json.loads(created.stdout)
            headers = api.auth(new["api_key"])
            for client in (api.client, other):  # works at once, and is now known everywhere
                for _ in range(3):
                    assert (
                        await client.get("/api/v2/account/credits", headers=headers)
                    ).status_code == 200

            listed = await asyncio.to_thread(
                cli, database_url, "keys", "list", api.workspace_id, "--json"
            )
            views = [json.loads(line) for line in listed.stdout.splitlines()]
            assert {v["id"] for v in views} >= {new["id"]} and len(views) == 3
            assert all(new["api_key"] not in line for line in listed.stdout.splitlines())

            revoked = await asyncio.to_thread(
                cli, database_url, "keys", "revoke", api.workspace_id, new["id"]
            )
            assert revoked.returncode == 0, revoked.stderr
            for client in (api.client, other):
                refused = await client.get("/api/v2/account/credits", headers=headers)
                assert refused.status_code == 401, (client is other, refused.text)
                assert refused.json()["code"] == "error.api.key"
            again = await asyncio.to_thread(
                cli, database_url, "keys", "revoke", api.workspace_id, new["id"]
            )
            assert again.returncode != 0
    finally:
        await replica.close()


async def test_the_webhook_secret_rotates(api: Api, database_url: str) -> None:
    before = (await api.client.get("/api/v2/webhooks/secret", headers=api.auth(api.key))).json()
    rotated = await asyncio.to_thread(
        cli, database_url, "webhooks", "rotate-secret", api.workspace_id
    )
    assert rotated.returncode == 0, rotated.stderr
    after = (await api.client.get("/api/v2/webhooks/secret", headers=api.auth(api.key))).json()
    assert after["secret"] == rotated.stdout.strip() != before["secret"]
    sandbox = (await api.client.get("/api/v2/webhooks/secret", headers=api.auth())).json()
    assert sandbox["secret"] != after["secret"]


async def test_a_key_failing_its_checksum_never_reaches_the_database(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[str] = []
    real = repository.caller_for_hash

    async def counting(session: Any, key_hash: str) -> Any:
        lookups.append(key_hash)
        return await real(session, key_hash)

    monkeypatch.setattr(repository, "caller_for_hash", counting)
    tampered = api.key[:-1] + ("A" if api.key[-1] != "A" else "B")
    for key in (tampered, "oe_live_nope", "x" * 5000):
        response = await api.client.get("/api/v2/account/credits", headers=api.auth(key))
        assert response.status_code == 401 and response.json()["code"] == "error.api.key"
    assert lookups == []
    assert (
        await api.client.get("/api/v2/account/credits", headers=api.auth(api.key))
    ).status_code == 200
    assert len(lookups) == 1


async def test_metrics_need_the_token_when_one_is_set(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "m3trics"}):
        refused = await api.client.get("/metrics", headers=headers)
        assert refused.status_code == 401
        assert refused.json() == {
            "code": "error.metrics.unauthorized",
            "message": "A valid metrics token is required",
        }
    allowed = await api.client.get("/metrics", headers={"Authorization": "Bearer m3trics"})
    assert allowed.status_code == 200


async def test_the_sqlite_file_and_its_wal_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "var" / "openenrich.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
            await session.execute(text("INSERT INTO t VALUES (1)"))
        async with db.read() as session:
            await session.execute(text("SELECT x FROM t"))
            files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
            assert all(f.exists() for f in files)
            modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}
        await db.dispose()
    finally:
        os.umask(old)
    assert modes == {f.name: 0o600 for f in files}


def test_first_start_keys_go_to_stdout_and_logs_to_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    captured: list[Any] = []
    monkeypatch.setattr(operator_cli, "run_server", captured.append)
    monkeypatch.setenv("OPENENRICH_DATABASE_URL", f"sqlite:///{tmp_path / 'first.db'}")
    monkeypatch.setenv("OPENENRICH_SECRET_KEY", "test-secret")
    operator_cli.register(cli_app)
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 0, result.output
    assert "oe_live_" in result.stdout and "oe_test_" in result.stdout
    assert "INFO" not in result.stdout
    [config] = captured
    handlers = config.log_config["handlers"]
    assert {h["stream"] for h in handlers.values()} == {"ext://sys.stderr"}


async def _serve(tmp_path: Path, sqlite_url: str) -> AsyncIterator[tuple[int, str]]:
    settings = make_settings(
        sqlite_url,
        tmp_path,
        embedded_worker=False,
        header_timeout_seconds=0.5,
        body_timeout_seconds=0.5,
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    import uvicorn

    db = Database(sqlite_url)
    async with db.transaction() as session:
        created = await repository.create_workspace(session, "slow", b"test-secret")
    await db.dispose()
    server = uvicorn.Server(uvicorn_config(create_app(settings), settings, "127.0.0.1", port))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield port, created.api_key
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def served(tmp_path: Path, sqlite_url: str) -> AsyncIterator[tuple[int, str]]:
    async for found in _serve(tmp_path, sqlite_url):
        yield found


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    got = b""
    async with asyncio.timeout(seconds):
        while chunk := await reader.read(4096):
            got += chunk
    return got


async def test_slow_header_and_slow_body_connections_are_closed(
    served: tuple[int, str],
) -> None:
    port, key = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")  # and never the end of the head
    await writer.drain()
    assert await _closed_within(reader, 3.0) == b""
    writer.close()

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /api/v2/contact/enrich/bulk HTTP/1.1\r\nHost: t\r\n"
        + f"Authorization: Bearer {key}\r\n".encode()
        + b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name"'
    )
    await writer.drain()
    answer = await _closed_within(reader, 3.0)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"error.request.timeout" in answer

    # A prompt client is served as before.
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        assert (await client.get("/healthz")).status_code == 200
