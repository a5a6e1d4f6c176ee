"""The engine with real vendor adapters from the registry (Hunter's finder and verifier),
configured from a TOML file, against a simulated Hunter (httpx.MockTransport)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.waterfall import build_waterfall, load_config

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parents[1] / "providers" / "fixtures" / "hunter"
CONFIG = """
verifiers = ["hunter_verifier"]

[order]
work_email = ["hunter"]

[providers.hunter]
api_key_env = "HUNTER_KEY"
price_per_hit = 0.05
max_retries = 1

[providers.hunter_verifier]
api_key_env = "HUNTER_KEY"
price_per_call = 0.01
"""


async def test_hunter_through_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "openenrich.toml"
    path.write_text(CONFIG)
    found = json.loads((FIXTURES / "finder_found.json").read_text())
    verdict = json.loads((FIXTURES / "verifier_valid.json").read_text())
    verdict["data"]["email"] = found["data"]["email"]
    seen: list[tuple[str, str, str]] = []

    def hunter(request: httpx.Request) -> httpx.Response:
        seen.append(
            (
                request.url.path,
                request.headers["x-api-key"],
                request.url.params.get("first_name", ""),
            )
        )
        if request.url.path.endswith("/email-verifier"):
            return httpx.Response(200, json=verdict)
        if request.url.params.get("first_name") == "Alexis":
            return httpx.Response(200, json=found)
        # Hunter's 429 is the monthly quota, not a rate limit: never retried.
        return httpx.Response(429, json={"errors": [{"id": "too_many_requests", "code": 429}]})

    async with httpx.AsyncClient(transport=httpx.MockTransport(hunter)) as http:
        waterfall = build_waterfall(load_config(path), http, environ={"HUNTER_KEY": "secret"})
        work = frozenset({Field.WORK_EMAIL})
        alexis = await waterfall.run(
            ContactQuery(first_name="Alexis", last_name="Example", domain="example.com"), work
        )
        quota = await waterfall.run(
            ContactQuery(first_name="Bo", last_name="Example", domain="example.com"), work
        )
        parked = await waterfall.run(
            ContactQuery(first_name="Cy", last_name="Example", domain="example.com"), work
        )
    assert alexis.findings == [
        EmailFinding("alexis@example.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE)
    ]
    assert alexis.cost == pytest.approx(0.06)
    assert quota.findings == [] and parked.findings == [] and quota.cost == 0
    assert [(p.rsplit("/", 1)[1], key, first) for p, key, first in seen] == [
        ("email-finder", "secret", "Alexis"),
        ("email-verifier", "secret", ""),
        ("email-finder", "secret", "Bo"),  # once: quota errors are not retried
    ]
    assert waterfall.guards["hunter"].slots[0].breaker.is_open
