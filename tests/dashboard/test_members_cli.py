"""`openenrich members add|list`, and the first-start hint of `serve`."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.test_crash import free_port, start

from openenrich.dashboard import members
from openenrich.db import Database

BIN = Path(sys.executable).parent / "openenrich"


def env_of(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "OPENENRICH_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "OPENENRICH_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
    }


def run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args],
        env=env_of(tmp_path),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def signs_in(tmp_path: Path, email: str, password: str) -> bool:
    async def check() -> bool:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
        try:
            async with db.transaction() as session:
                return await members.authenticate(session, email, password) is not None
        finally:
            await db.dispose()

    return asyncio.run(check())


def test_members_add_and_list(tmp_path: Path) -> None:
    workspace = json.loads(run(tmp_path, "workspaces", "create", "Acme", "--json").stdout)
    ws = workspace["workspace_id"]
    given = run(
        tmp_path,
        "members",
        "add",
        ws,
        "Ann@Example.com",
        "--password-stdin",
        stdin="a long passphrase\n",
    )
    assert given.returncode == 0, given.stderr
    assert "password" not in given.stdout  # nothing to print: the member chose it
    assert signs_in(tmp_path, "ann@example.com", "a long passphrase")

    generated = run(tmp_path, "members", "add", ws, "bo@example.com", "--operator")
    password = re.search(r"password: (\S+)", generated.stdout)
    assert generated.returncode == 0 and password is not None
    assert signs_in(tmp_path, "bo@example.com", password.group(1))
    assert not signs_in(tmp_path, "bo@example.com", "wrong password")

    again = run(tmp_path, "members", "add", ws, "ANN@example.com")
    assert again.returncode == 1 and "already exists" in again.stderr
    short = run(
        tmp_path, "members", "add", ws, "cy@example.com", "--password-stdin", stdin="short\n"
    )
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    nowhere = run(tmp_path, "members", "add", "no-such-workspace", "dee@example.com")
    assert nowhere.returncode != 0 and "no workspace" in nowhere.stderr
    listed = run(tmp_path, "members", "list", ws).stdout
    assert "ann@example.com" in listed and "bo@example.com" in listed and "operator" in listed
    raw = (tmp_path / "cli.db").read_bytes()
    wal = tmp_path / "cli.db-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"a long passphrase" not in raw and password.group(1).encode() not in raw


@pytest.mark.slow
def test_first_start_says_how_to_add_a_member(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    server = start(env_of(tmp_path), port, log)
    server.terminate()
    server.wait(timeout=10)
    text = log.read_text()
    workspace = re.search(r"workspace_id:\s+(\S+)", text)
    assert workspace is not None
    assert f"openenrich members add {workspace.group(1)} you@example.com --operator" in text
    assert f"http://127.0.0.1:{port}/app/login" in text
