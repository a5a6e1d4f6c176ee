"""The privacy commands in their documented forms, and the audit trail they leave: every
erasure, opt-out change, key creation and export with its actor (API key or operator)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.harness import Api
from tests.test_cli import run

pytestmark = pytest.mark.anyio


def test_privacy_commands_and_their_audit_trail(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    workspace = json.loads(run(tmp_path, "workspaces", "create", "Acme", "--json").stdout)
    key = json.loads(run(tmp_path, "keys", "create", workspace["workspace_id"], "--json").stdout)
    assert run(tmp_path, "keys", "revoke", workspace["workspace_id"], key["id"]).returncode == 0
    added = run(tmp_path, "optout", "add", "--email", "Someone@Example.com")
    assert added.returncode == 0 and "added" in added.stdout, added.stderr
    again = run(tmp_path, "optout", "add", "--email", "someone@example.com ")
    assert "already listed" in again.stdout
    listing = tmp_path / "list.txt"
    listing.write_text(
        "# people who asked\nann@example.org\nhttps://linkedin.com/in/bob-b\n"
        "Carla Diaz,carla.example\n\nglobex.example\n"
    )
    imported = run(tmp_path, "optout", "import", str(listing))
    assert imported.returncode == 0 and "4 entries read, 4 new" in imported.stdout
    entries = json.loads(run(tmp_path, "optout", "list", "--json").stdout)
    assert sorted(e["kind"] for e in entries) == ["domain", "email", "email", "linkedin", "name"]
    assert run(tmp_path, "optout", "remove", "--email", "ann@example.org").returncode == 0
    assert run(tmp_path, "optout", "remove", "--email", "ann@example.org").returncode != 0
    bad = run(tmp_path, "erase", "--name", "No Domain")
    assert bad.returncode == 2 and "error:" in bad.stderr

    erased = run(tmp_path, "erase", "--email", "nobody@example.net", "--json")
    assert erased.returncode == 0, erased.stderr
    receipt = json.loads(erased.stdout)
    assert receipt["found"] == 0 and receipt["opted_out"] is True
    assert {s["store"] for s in receipt["stores"]} >= {"results", "provider_cache", "webhooks"}
    erased = run(tmp_path, "erase", "--linkedin", "linkedin.com/in/x-y", "--no-optout")
    assert "opt-out list unchanged" in erased.stdout
    shown = run(tmp_path, "retention", "show")
    assert "results (enrichments, contacts, findings)" in shown.stdout

    exported = run(tmp_path, "audit", "list", "--jsonl")
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    actions = [e["action"] for e in events]
    assert actions == [
        "key.create",
        "key.create",
        "key.create",
        "key.revoke",
        "optout.add",
        "optout.add",
        "optout.add",
        "optout.remove",
        "erasure",
        "erasure",
    ]
    assert {(e["actor"]["kind"], e["actor"]["id"]) for e in events} == {("operator", "cli")}
    assert events[0]["workspace_id"] == workspace["workspace_id"]
    # Subjects that are people are digests, never the values.
    assert "someone@example.com" not in exported.stdout
    assert events[3]["subject"] == key["id"]
    assert events[4]["subject"] != "someone@example.com" and len(events[4]["subject"]) == 64
    # The export itself is recorded.
    last = json.loads(run(tmp_path, "audit", "list", "--jsonl").stdout.splitlines()[-1])
    assert last["action"] == "export"
    assert "erasure" in run(tmp_path, "audit", "list").stdout


async def test_api_actions_are_audited_with_the_calling_key(api: Api) -> None:
    headers = api.auth(api.key)
    await api.client.post("/api/v2/privacy/optouts", json={"email": "a@b.example"}, headers=headers)
    await api.client.post(
        "/api/v2/privacy/optouts/remove", json={"email": "a@b.example"}, headers=headers
    )
    await api.client.post(
        "/api/v2/privacy/erasures", json={"email": "a@b.example"}, headers=headers
    )
    switched = await api.client.put(
        "/api/v2/privacy/settings", json={"private_cache": True}, headers=headers
    )
    assert switched.json() == {"private_cache": True}
    read = await api.client.get("/api/v2/privacy/settings", headers=headers)
    assert read.json() == {"private_cache": True}
    response = await api.client.get("/api/v2/privacy/audit", headers=headers)
    events = response.json()["events"]
    assert [e["action"] for e in events] == [
        "optout.add",
        "optout.remove",
        "erasure",
        "privacy.settings",
    ]
    key_ids = {e["actor"]["id"] for e in events}
    assert len(key_ids) == 1 and {e["actor"]["kind"] for e in events} == {"api_key"}
    assert all(e["workspace_id"] == api.workspace_id for e in events)
    assert "a@b.example" not in response.text
    # The sandbox key of the same workspace reads the same trail.
    other = await api.client.get("/api/v2/privacy/audit", headers=api.auth(api.sandbox_key))
    assert len(other.json()["events"]) == 4  # same workspace, sandbox key
