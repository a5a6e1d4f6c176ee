"""A real server process killed with SIGKILL in the middle of a bulk verification job,
then restarted: the job finishes with every address answered once. Addresses finished
before the kill are not probed again (only those in flight at the kill may be), and no
address is lost or charged twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from tests.rigs.loopback import LoopbackDns, LoopbackMailServers, MailBehaviour
from tests.test_crash import BIN, free_port, start

pytestmark = pytest.mark.slow

DOMAINS = ("one.example", "two.example", "three.example")


def addresses() -> tuple[list[str], set[str]]:
    emails = [f"user{i}@{DOMAINS[i % 3]}" for i in range(60)]
    return emails, {e for i, e in enumerate(emails) if i % 4 == 0}


def test_sigkill_mid_bulk_verification_then_restart(tmp_path: Path) -> None:
    emails, existing = addresses()
    zone: dict[str, dict[str, list[str]]] = {}
    hosts: dict[str, MailBehaviour] = {}
    for n, domain in enumerate(DOMAINS):
        ip = f"127.0.0.{n + 2}"
        zone[domain] = {"MX": [f"10 mx.{domain}."]}
        zone[f"mx.{domain}"] = {"A": [ip]}
        mine = frozenset(e for e in existing if e.endswith("@" + domain))
        hosts[ip] = MailBehaviour(mailboxes=mine, rcpt_delay=0.15)
    database = tmp_path / "crash.db"
    with LoopbackDns(zone) as dns_server, LoopbackMailServers(hosts) as mail:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("OPENENRICH_")},
            "OPENENRICH_DATABASE_URL": f"sqlite:///{database}",
            "OPENENRICH_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
            "OPENENRICH_WORKER_CONCURRENCY": "3",
            "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
            "OPENENRICH_LEASE_SECONDS": "2",
            "OPENENRICH_SWEEP_INTERVAL_SECONDS": "0.5",
            "OPENENRICH_DNS_NAMESERVERS": dns_server.nameserver,
            "OPENENRICH_SMTP_PORT": str(mail.port),
            "OPENENRICH_VERIFY_ALLOW_HOSTS": "127.0.0.0/8",
            "OPENENRICH_SMTP_MAX_PER_HOST": "1",
            "OPENENRICH_GREYLIST_RETRY_SECONDS": "",
            "OPENENRICH_PRICE_VERIFIED_EMAIL": "1",
        }
        created = subprocess.run(
            [str(BIN), "workspaces", "create", "crash", "--credits", "1000", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        keys: dict[str, Any] = json.loads(created.stdout)
        auth = {"Authorization": f"Bearer {keys['api_key']}"}
        port = free_port()
        log = tmp_path / "server.log"
        server = start(env, port, log)
        base = f"http://127.0.0.1:{port}/api/v2"
        response = httpx.post(
            f"{base}/email/verify/bulk", json={"name": "crash", "emails": emails}, headers=auth
        )
        assert response.status_code == 200, response.text
        url = f"{base}/email/verify/bulk/{response.json()['id']}"
        try:
            while True:  # kill once some, but not all, addresses are done
                partial = httpx.get(url, params={"forceResults": "true"}, headers=auth).json()
                if 6 <= len(partial["data"]) < 60:
                    break
                assert partial["status"] != "FINISHED", "job finished before the kill"
                time.sleep(0.02)
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait()
        done_before = {r["email"] for r in partial["data"]}
        seen_before = {h: len(b.seen) for h, b in hosts.items()}
        server = start(env, port, log)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                body = httpx.get(url, headers=auth).json()
                if body["status"] == "FINISHED":
                    break
                time.sleep(0.1)
            assert body["status"] == "FINISHED", body
        finally:
            server.terminate()
            server.wait(timeout=10)
        probed_after = [a for h, b in hosts.items() for a in b.seen[seen_before[h] :]]
    # None lost: every address answered, once, with the right status.
    assert [r["email"] for r in body["data"]] == emails
    for record in body["data"]:
        want = "DELIVERABLE" if record["email"] in existing else "INVALID"
        assert record["status"] == want, record
    # None verified twice: what was finished before the kill is not probed again.
    assert not done_before & set(probed_after)
    # Only addresses in flight at the kill were asked twice (a contact waiting for a mail
    # host gives its worker slot back, so more than 3 may be in flight), and never more.
    rcpts = [a for b in hosts.values() for a in b.seen if a in set(emails)]
    twice = {a for a in rcpts if rcpts.count(a) > 1}
    assert not twice & done_before
    assert max(rcpts.count(a) for a in emails) <= 2
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        statuses: dict[str, int] = dict(
            conn.execute(text("SELECT status, count(*) FROM contacts GROUP BY status")).all()
        )
        doubled = conn.execute(
            text(
                "SELECT contact_id FROM ledger WHERE contact_id IS NOT NULL "
                "GROUP BY contact_id, item HAVING count(*) > 1"
            )
        ).all()
    engine.dispose()
    assert statuses == {"done": 60}
    assert doubled == []
    assert body["cost"]["credits"] == 60
