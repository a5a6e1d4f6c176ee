"""The operator commands in their documented forms."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "openenrich"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OPENENRICH_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "OPENENRICH_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
    }
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=60)


def test_workspaces_and_credits(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    created = run(tmp_path, "workspaces", "create", "Acme", "--credits", "25", "--json")
    assert created.returncode == 0, created.stderr
    keys = json.loads(created.stdout)
    assert set(keys) == {"workspace_id", "api_key", "sandbox_api_key"}
    assert keys["api_key"].startswith("oe_live_") and keys["sandbox_api_key"].startswith("oe_test_")
    workspace = keys["workspace_id"]
    added = run(tmp_path, "credits", "add", workspace, "100")
    assert added.returncode == 0 and "125" in added.stdout
    shown = run(tmp_path, "credits", "show", workspace, "--json")
    assert json.loads(shown.stdout) == {
        "workspace_id": workspace,
        "balance": 125,
        "sandbox_balance": 10_000,
    }
    assert run(tmp_path, "credits", "add", "no-such-workspace", "5").returncode != 0
    assert run(tmp_path, "credits", "add", workspace, "-5").returncode != 0
    plain = run(tmp_path, "workspaces", "create", "Other")
    assert "sandbox_api_key:" in plain.stdout


def test_keys_are_never_stored_in_plaintext(tmp_path: Path) -> None:
    keys = json.loads(run(tmp_path, "workspaces", "create", "Acme", "--json").stdout)
    raw = (tmp_path / "cli.db").read_bytes()
    for name in ("cli.db-wal",):
        if (tmp_path / name).exists():
            raw += (tmp_path / name).read_bytes()
    assert keys["api_key"].encode() not in raw
    assert keys["sandbox_api_key"].encode() not in raw


def test_cancel_unknown_enrichment_fails_clearly(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    result = run(tmp_path, "enrichments", "cancel", "00000000-0000-0000-0000-000000000000")
    assert result.returncode != 0
    assert "no enrichment" in result.stderr + result.stdout
