"""Idempotency across API replicas for real: two server processes on one PostgreSQL, 20
concurrent POSTs with one `Idempotency-Key` spread over both: one job, charged once, and
every client gets the same enrichment id."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from tests.test_crash import free_port, start

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
BIN = Path(sys.executable).parent / "openenrich"


def test_twenty_concurrent_posts_at_two_replicas_make_one_job(
    postgres_database: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "OPENENRICH_DATABASE_URL": postgres_database,
        "OPENENRICH_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
        "OPENENRICH_SANDBOX_LATENCY_MS": "50",
        "OPENENRICH_SWEEP_INTERVAL_SECONDS": "0.5",
        "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
    }
    env.pop("OPENENRICH_REDIS_URL", None)
    keys = json.loads(
        subprocess.run(
            [str(BIN), "workspaces", "create", "replicas", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    headers = {
        "Authorization": f"Bearer {keys['sandbox_api_key']}",
        "Idempotency-Key": "one-job-please",
    }
    ports = [free_port(), free_port()]
    servers = [start(env, port, tmp_path / f"api{port}.log") for port in ports]
    body = {
        "name": "replicas",
        "data": [
            {
                "first_name": f"Replica{i}",
                "last_name": "Once",
                "domain": "replica.example",
                "enrich_fields": ["contact.work_emails", "contact.phones"],
            }
            for i in range(3)
        ],
    }

    def post(i: int) -> httpx.Response:
        url = f"http://127.0.0.1:{ports[i % 2]}/api/v2/contact/enrich/bulk"
        return httpx.post(url, json=body, headers=headers, timeout=60)

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            responses = list(pool.map(post, range(20)))
        assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
        ids = {r.json()["enrichment_id"] for r in responses}
        assert len(ids) == 1
        (enrichment_id,) = ids
        replayed = sum(r.headers.get("idempotent-replayed") == "true" for r in responses)
        assert replayed == 19
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            result = httpx.get(
                f"http://127.0.0.1:{ports[0]}/api/v2/contact/enrich/bulk/{enrichment_id}",
                headers={"Authorization": headers["Authorization"]},
            )
            if result.status_code == 200 and result.json()["status"] == "FINISHED":
                break
            time.sleep(0.1)
        final = result.json()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    assert final["status"] == "FINISHED"
    engine = create_engine(postgres_database)
    with engine.connect() as conn:
        jobs = conn.execute(
            text("SELECT count(*) FROM enrichments WHERE workspace_id = :w"),
            {"w": keys["workspace_id"]},
        ).scalar()
        charges = conn.execute(
            text(
                "SELECT contact_id, item, count(*) FROM ledger WHERE workspace_id = :w "
                "AND amount < 0 GROUP BY contact_id, item"
            ),
            {"w": keys["workspace_id"]},
        ).all()
        spent = conn.execute(
            text("SELECT -sum(amount) FROM ledger WHERE workspace_id = :w AND amount < 0"),
            {"w": keys["workspace_id"]},
        ).scalar()
    engine.dispose()
    assert jobs == 1
    assert charges and all(count == 1 for _, _, count in charges)
    assert spent == final["cost"]["credits"] > 0
