"""Real server processes for the benchmarks: a port, a workspace, `serve` and `worker`
processes, and a database of their own on the machine's PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

BIN = Path(sys.executable).parent / "openenrich"
POSTGRES_ADMIN_URL = os.environ.get(
    "OPENENRICH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("OPENENRICH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """`openenrich serve` on `port`, once it answers /healthz."""
    process = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")


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
