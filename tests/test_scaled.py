"""Scaled mode for real: PostgreSQL, Redis, an API process without workers and two worker
processes, one of them killed mid-job. The job finishes; every item is charged once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from tests.harness import REDIS_URL, require_redis
from tests.test_crash import free_port, start

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
BIN = Path(sys.executable).parent / "openenrich"


def test_api_replica_and_two_workers(postgres_database: str, tmp_path: Path) -> None:
    require_redis()
    env = {
        **os.environ,
        "OPENENRICH_DATABASE_URL": postgres_database,
        "OPENENRICH_REDIS_URL": REDIS_URL,
        "OPENENRICH_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
        "OPENENRICH_SANDBOX_LATENCY_MS": "100",
        "OPENENRICH_WORKER_CONCURRENCY": "4",
        "OPENENRICH_LEASE_SECONDS": "2",
        "OPENENRICH_SWEEP_INTERVAL_SECONDS": "0.5",
        "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
    }
    keys = json.loads(
        subprocess.run(
            [str(BIN), "workspaces", "create", "scaled", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    auth = {"Authorization": f"Bearer {keys['sandbox_api_key']}"}
    port = free_port()
    api = start({**env, "OPENENRICH_EMBEDDED_WORKER": "false"}, port, tmp_path / "api.log")
    workers = [
        subprocess.Popen(
            [str(BIN), "worker"],
            env=env,
            stdout=(tmp_path / f"w{i}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for i in range(2)
    ]
    try:
        base = f"http://127.0.0.1:{port}/api/v2/contact/enrich/bulk"
        data = [
            {
                "first_name": f"Scaled{i}",
                "last_name": "Mode",
                "domain": "scale.example",
                "enrich_fields": ["contact.work_emails", "contact.phones"],
            }
            for i in range(40)
        ]
        enrichment_id = httpx.post(
            base, json={"name": "scaled", "data": data}, headers=auth
        ).json()["enrichment_id"]
        while True:
            partial = httpx.get(
                f"{base}/{enrichment_id}", params={"forceResults": "true"}, headers=auth
            ).json()
            if len(partial["data"]) >= 4:
                break
            time.sleep(0.02)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = httpx.get(f"{base}/{enrichment_id}", headers=auth)
            if response.status_code == 200 and response.json()["status"] == "FINISHED":
                break
            time.sleep(0.1)
        body = response.json()
    finally:
        for process in [api, *workers]:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
    assert body["status"] == "FINISHED" and len(body["data"]) == 40
    engine = create_engine(postgres_database)
    with engine.connect() as conn:
        statuses: dict[str, int] = dict(
            conn.execute(
                text(
                    "SELECT c.status, count(*) FROM contacts c WHERE c.enrichment_id = :e "
                    "GROUP BY c.status"
                ),
                {"e": enrichment_id},
            ).all()
        )
        duplicates = conn.execute(
            text(
                "SELECT contact_id, item FROM ledger WHERE enrichment_id = :e "
                "GROUP BY contact_id, item HAVING count(*) > 1"
            ),
            {"e": enrichment_id},
        ).all()
        spent = conn.execute(
            text("SELECT -coalesce(sum(amount), 0) FROM ledger WHERE enrichment_id = :e"),
            {"e": enrichment_id},
        ).scalar()
    engine.dispose()
    assert statuses == {"done": 40}
    assert duplicates == []
    assert spent == body["cost"]["credits"]
