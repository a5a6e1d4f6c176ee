"""`openenrich webhooks list|show|redeliver|secret`, run as an operator would."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.harness import Api, make_settings, running_api
from tests.webhooks.receiver import (
    Receiver,
    Reply,
    delivering,
    eventually,
    fast_settings,
    verify_standard,
)

from openenrich.webhooks import repository

BIN = Path(sys.executable).parent / "openenrich"
CONTACT = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "domain": "analytical.example",
    "enrich_fields": ["contact.work_emails"],
}


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENENRICH_DATABASE_URL": url, "OPENENRICH_SECRET_KEY": "test-secret"}
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=60)


async def _status(api: Api, enrichment_id: str) -> str:
    response = await api.client.get(
        "/api/v2/webhooks/deliveries", params={"enrichment_id": enrichment_id}, headers=api.auth()
    )
    found = response.json()["deliveries"]
    return str(found[0]["status"]) if found else ""


def test_list_show_redeliver_and_secret(
    sqlite_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    settings = make_settings(sqlite_url, tmp_path)
    receiver.default = Reply(500, body=b"down for maintenance")

    async def fail_twice() -> tuple[str, str, str]:
        async with running_api(settings) as api:
            async with delivering(api.services, fast_settings(webhook_max_attempts=2)):
                enrichment_id = await api.enrich(
                    {"name": "cli", "webhook_url": receiver.url(), "data": [CONTACT]}
                )
                await api.wait(enrichment_id)

                async def failed() -> bool:
                    return await _status(api, enrichment_id) == "failed"

                await eventually(failed)
            return enrichment_id, api.workspace_id, api.sandbox_key

    enrichment_id, workspace_id, sandbox_key = asyncio.run(fail_twice())
    assert len(receiver.received) == 2

    listed = cli(sqlite_url, "webhooks", "list", "--enrichment-id", enrichment_id, "--json")
    assert listed.returncode == 0, listed.stderr
    [view] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert view["status"] == "failed" and view["attempts"] == 2
    plain = cli(sqlite_url, "webhooks", "list", "--status", "failed")
    assert view["id"] in plain.stdout and "last=500" in plain.stdout

    shown = cli(sqlite_url, "webhooks", "show", view["id"])
    assert shown.returncode == 0, shown.stderr
    log = json.loads(shown.stdout)["log"]
    assert [a["status_code"] for a in log] == [500, 500]
    assert log[0]["response_body"] == "down for maintenance"
    assert cli(sqlite_url, "webhooks", "show", "msg_missing").returncode != 0

    redo = cli(sqlite_url, "webhooks", "redeliver", view["id"])
    assert redo.returncode == 0 and "scheduled" in redo.stdout
    receiver.default = Reply(200)

    async def deliver_again() -> None:
        async with running_api(settings) as api, delivering(api.services, fast_settings()):
            # A second process on the same database: its API workspace is another one.
            async def succeeded() -> bool:
                async with api.services.db.read() as session:
                    event = await repository.get_event(session, view["id"], None)
                return event is not None and event.status == "succeeded"

            await eventually(succeeded)

    asyncio.run(deliver_again())
    assert len(receiver.received) == 3
    assert len({hit.headers["webhook-id"] for hit in receiver.received}) == 1

    secret = cli(sqlite_url, "webhooks", "secret", workspace_id, "--sandbox")
    assert secret.returncode == 0, secret.stderr
    value = secret.stdout.strip()
    assert value.startswith("whsec_")
    hit = receiver.received[-1]
    assert verify_standard(value, hit.headers, hit.body)

    # The API key the X-Signature-SHA1 needs is kept sealed, never in plain text.
    raw = Path(sqlite_url.split(":///", 1)[1]).read_bytes()
    wal = Path(sqlite_url.split(":///", 1)[1] + "-wal")
    if wal.exists():
        raw += wal.read_bytes()
    assert sandbox_key.encode() not in raw
    assert value.encode() not in raw
