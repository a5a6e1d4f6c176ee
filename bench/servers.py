"""Real server processes for the benchmarks: a workspace, `worker` processes and a
database of their own on the machine's PostgreSQL (`serve` is the tests' own `start`)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from tests.harness import POSTGRES_ADMIN_URL

BIN = Path(sys.executable).parent / "openenrich"


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BIN), *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout


def sandbox_key(env: dict[str, str], credits: int) -> str:
    """A new workspace's sandbox key, with `credits` sandbox credits."""
    cli(env, "migrate")
    created = json.loads(
        cli(env, "workspaces", "create", "bench", "--sandbox-credits", str(credits), "--json")
    )
    key: str = created["sandbox_api_key"]
    return key


def worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN), "worker"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the machine's server, dropped afterwards."""
    name = f"openenrich_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def contacts(count: int, prefix: str) -> list[dict[str, object]]:
    return [
        {
            "first_name": f"{prefix}{i}",
            "last_name": "Overhead",
            "domain": "bench.example",
            "company_name": "Bench",
            "enrich_fields": ["contact.work_emails", "contact.phones"],
        }
        for i in range(count)
    ]


def run_jobs(base_url: str, key: str, jobs: int, per_job: int, prefix: str) -> float:
    """Post `jobs` jobs of `per_job` contacts at once, poll until every one has ended;
    seconds from the first POST to the last end."""
    auth = {"Authorization": f"Bearer {key}"}
    url = f"{base_url}/api/v2/contact/enrich/bulk"
    with httpx.Client(headers=auth, timeout=30) as client:
        started = time.monotonic()
        ids = [
            client.post(
                url, json={"name": f"{prefix}{j}", "data": contacts(per_job, f"{prefix}{j}-")}
            ).json()["enrichment_id"]
            for j in range(jobs)
        ]
        # Like a client waiting for all of them: poll the oldest unfinished job only, so
        # the polls themselves cost the server little.
        for enrichment_id in ids:
            while True:
                answer = client.get(f"{url}/{enrichment_id}")
                if answer.status_code != 400:  # 400: still running
                    break
                time.sleep(0.02)
            status = answer.json()["status"]
            if status != "FINISHED":
                raise SystemExit(f"job ended {status}")
        return time.monotonic() - started
