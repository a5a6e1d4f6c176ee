"""The README's quickstart, pasted as is into a shell against a real server, gives a
FINISHED result that validates against the spec."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.spec import assert_schema
from tests.test_crash import free_port, start

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent / "openenrich"


@pytest.mark.skipif(shutil.which("curl") is None, reason="the quickstart uses curl")
def test_readme_quickstart(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Quickstart.*?```sh\n(.*?)```", readme, re.S)
    assert block is not None
    env = {
        **os.environ,
        "OPENENRICH_DATABASE_URL": f"sqlite:///{tmp_path / 'quick.db'}",
        "OPENENRICH_SECRET_KEY_FILE": str(tmp_path / "secret.key"),
    }
    keys = json.loads(
        subprocess.run(
            [str(BIN), "workspaces", "create", "quick", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    port = free_port()
    server = start(env, port, tmp_path / "server.log")
    try:
        script = block.group(1).replace("KEY=oe_test_...", f"KEY={keys['sandbox_api_key']}")
        script = script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        result = subprocess.run(
            ["bash", "-c", script], capture_output=True, text=True, timeout=60, check=True
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    body = json.loads(result.stdout)
    assert_schema(body, "ResponseGetContactBulkEnrich")
    assert body["status"] == "FINISHED" and len(body["data"]) == 2
