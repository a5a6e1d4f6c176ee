"""A real server process killed with SIGKILL mid-job finishes the job after a restart,
and charges every item exactly once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent / "openenrich"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")


def test_sigkill_mid_job_then_restart(tmp_path: Path) -> None:
    database = tmp_path / "crash.db"
    env = {
        **os.environ,
        "OPENENRICH_DATABASE_URL": f"sqlite:///{database}",
        "OPENENRICH_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
        "OPENENRICH_SANDBOX_LATENCY_MS": "150",
        "OPENENRICH_WORKER_CONCURRENCY": "3",
        "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
        # What the killed process held comes back once its lease runs out.
        "OPENENRICH_LEASE_SECONDS": "2",
        "OPENENRICH_SWEEP_INTERVAL_SECONDS": "0.5",
    }
    created = subprocess.run(
        [str(BIN), "workspaces", "create", "crash", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    keys: dict[str, Any] = json.loads(created.stdout)
    auth = {"Authorization": f"Bearer {keys['sandbox_api_key']}"}
    port = free_port()
    log = tmp_path / "server.log"
    server = start(env, port, log)
    base = f"http://127.0.0.1:{port}/api/v2"
    data = [
        {
            "first_name": f"Crash{i}",
            "last_name": "Test",
            "domain": "crash.example",
            "enrich_fields": ["contact.work_emails", "contact.personal_emails", "contact.phones"],
        }
        for i in range(30)
    ]
    enrichment_id = httpx.post(
        f"{base}/contact/enrich/bulk", json={"name": "crash", "data": data}, headers=auth
    ).json()["enrichment_id"]
    url = f"{base}/contact/enrich/bulk/{enrichment_id}"
    try:
        while True:  # kill once some, but not all, contacts are done
            partial = httpx.get(url, params={"forceResults": "true"}, headers=auth).json()
            if 3 <= len(partial["data"]) < 30:
                break
            assert partial["status"] != "FINISHED", "job finished before the kill"
            time.sleep(0.02)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    server = start(env, port, log)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = httpx.get(url, headers=auth)
            if response.status_code == 200 and response.json()["status"] == "FINISHED":
                break
            time.sleep(0.1)
        body = response.json()
        assert body["status"] == "FINISHED", body
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert len(body["data"]) == 30
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        statuses: dict[str, int] = dict(
            conn.execute(text("SELECT status, count(*) FROM contacts GROUP BY status")).all()
        )
        per_item = conn.execute(
            text(
                "SELECT contact_id, item, count(*) FROM ledger WHERE contact_id IS NOT NULL "
                "GROUP BY contact_id, item HAVING count(*) > 1"
            )
        ).all()
        spent = conn.execute(
            text("SELECT -coalesce(sum(amount), 0) FROM ledger WHERE enrichment_id = :e"),
            {"e": enrichment_id},
        ).scalar()
        balance = conn.execute(text("SELECT balance FROM balances WHERE sandbox")).scalar()
        granted = conn.execute(
            text("SELECT sum(amount) FROM ledger WHERE reason = 'grant' AND sandbox")
        ).scalar()
    engine.dispose()
    assert statuses == {"done": 30}
    assert per_item == []
    assert spent == body["cost"]["credits"] > 0
    assert balance == granted - spent
