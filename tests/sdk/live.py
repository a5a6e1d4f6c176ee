"""A real `openenrich serve` process on loopback with a fresh workspace, for the SDK, the
CSV command and the MCP server, which all talk to a server over HTTP."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.test_crash import free_port, start

BIN = Path(sys.executable).parent / "openenrich"


@dataclass
class LiveServer:
    url: str
    api_key: str
    sandbox_key: str
    workspace_id: str
    database: Path
    env: dict[str, str]

    def client_env(self, key: str | None = None) -> dict[str, str]:
        """An environment for a client process: base URL and key, nothing of the server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENENRICH_")}
        env["OPENENRICH_BASE_URL"] = self.url
        env["OPENENRICH_API_KEY"] = key or self.sandbox_key
        return env

    def count(self, sql: str) -> int:
        with sqlite3.connect(self.database) as conn:
            value: int = conn.execute(sql).fetchone()[0]
            return value

    def sandbox_spent(self) -> int:
        """Sandbox credits charged so far (the ledger's negative rows)."""
        return -self.count(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE sandbox = 1 AND amount < 0"
        )


@contextmanager
def live_server(tmp_path: Path, **settings: str) -> Iterator[LiveServer]:
    database = tmp_path / "live.db"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OPENENRICH_")},
        "OPENENRICH_DATABASE_URL": f"sqlite:///{database}",
        "OPENENRICH_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
        "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
        "OPENENRICH_SANDBOX_PEOPLE": "300",
        "OPENENRICH_SWEEP_INTERVAL_SECONDS": "0.5",
        "OPENENRICH_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
        "OPENENRICH_WEBHOOK_ALLOWED_PORTS": "*",
        **{f"OPENENRICH_{k.upper()}": v for k, v in settings.items()},
    }
    created = subprocess.run(
        [str(BIN), "workspaces", "create", "sdk", "--json", "--credits", "100"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    keys = json.loads(created.stdout)
    port = free_port()
    server = start(env, port, tmp_path / "server.log")
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{port}",
            api_key=keys["api_key"],
            sandbox_key=keys["sandbox_api_key"],
            workspace_id=keys["workspace_id"],
            database=database,
            env=env,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
