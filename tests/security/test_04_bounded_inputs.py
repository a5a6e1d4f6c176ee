"""Item 4: bounded inputs, bounded memory, a free event loop.

Observed: a 500 KB name stalled the event loop during name parsing (`/healthz` 1.6 s); a
1 MB request became a 3 MB result kept in a results cache bounded by entry count only
(RSS 169 -> 710 MB over 60 jobs); the pure-Python SHA-1 of `X-Signature-SHA1` pushed
`/healthz` p95 to 0.37 s on a 3 MB body. Now every string field has a documented maximum
(README, "Input limits") and NUL is refused, the results cache is bounded by bytes, names
are cut before parsing, and signing runs on its own thread."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from tests.harness import Api, make_settings, running_api

from openenrich.enrichment.validation import LIMITS, MAX_CUSTOM_KEY, MAX_CUSTOM_VALUE
from openenrich.verification.names import name_parts
from openenrich.webhooks.models import WebhookEvent
from openenrich.webhooks.signing import signing_states

pytestmark = pytest.mark.anyio

CONTACT: dict[str, Any] = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "domain": "example.com",
    "enrich_fields": ["contact.work_emails"],
}
NUL = "error.request.nul_character"


def over(field: str, start: str = "", end: str = "") -> str:
    """A value one character longer than `field` takes."""
    return start + "a" * (LIMITS[field].length + 1 - len(start) - len(end)) + end


def v2(change: dict[str, Any] | None = None, contact: dict[str, Any] | None = None) -> Any:
    return {"name": "job", "data": [{**CONTACT, **(contact or {})}], **(change or {})}


# (path, body, expected code): one over-long value and one NUL per string field.
CASES: list[tuple[str, Any, str]] = [
    ("v2", v2({"name": over("name")}), LIMITS["name"].code),
    ("v2", v2({"name": "a\x00b"}), NUL),
    (
        "v2",
        v2({"webhook_url": over("webhook_url", "https://h.example/")}),
        LIMITS["webhook_url"].code,
    ),
    ("v2", v2({"webhook_url": "https://h.example/\x00"}), NUL),
    (
        "v2",
        v2({"webhook_events": {"contact_finished": over("webhook_url", "https://h.example/")}}),
        LIMITS["webhook_events.contact_finished"].code,
    ),
    ("v2", v2(contact={"first_name": over("first_name")}), LIMITS["first_name"].code),
    ("v2", v2(contact={"first_name": "A\x00da"}), NUL),
    ("v2", v2(contact={"last_name": over("last_name")}), LIMITS["last_name"].code),
    ("v2", v2(contact={"last_name": "Love\x00lace"}), NUL),
    ("v2", v2(contact={"company_name": over("company_name")}), LIMITS["company_name"].code),
    ("v2", v2(contact={"company_name": "Acme\x00"}), NUL),
    ("v2", v2(contact={"domain": over("domain", "", ".com")}), LIMITS["domain"].code),
    ("v2", v2(contact={"domain": "example\x00.com"}), NUL),
    (
        "v2",
        v2(contact={"linkedin_url": over("linkedin_url", "https://www.linkedin.com/in/")}),
        LIMITS["linkedin_url"].code,
    ),
    ("v2", v2(contact={"linkedin_url": "https://www.linkedin.com/in/a\x00"}), NUL),
    (
        "v2",
        v2(contact={"custom": {"k": "v" * (MAX_CUSTOM_VALUE + 1)}}),
        "error.enrichment.custom.value.exceeded",
    ),
    (
        "v2",
        v2(contact={"custom": {"k" * (MAX_CUSTOM_KEY + 1): "v"}}),
        "error.enrichment.custom.key.length",
    ),
    ("v2", v2(contact={"custom": {"k": "v\x00"}}), NUL),
    ("v2", v2(contact={"custom": {"k\x00": "v"}}), NUL),
    # v1 bodies are validated by the same rules, under v1's names.
    (
        "v1",
        {
            "name": "job",
            "datas": [{"firstname": over("first_name"), "lastname": "L", "domain": "e.com"}],
        },
        LIMITS["first_name"].code,
    ),
    (
        "v1",
        {"name": "j\x00", "datas": [{"firstname": "A", "lastname": "L", "domain": "e.com"}]},
        NUL,
    ),
    # Reverse lookups too, v2 and v1.
    (
        "reverse",
        {"name": "r", "data": [{"email": over("email", "", "@example.com")}]},
        LIMITS["email"].code,
    ),
    ("reverse", {"name": "r", "data": [{"email": "a\x00@example.com"}]}, NUL),
    ("reverse-v1", {"name": "r" * 501, "datas": [{"email": "a@example.com"}]}, LIMITS["name"].code),
]
PATHS = {
    "v2": "/api/v2/contact/enrich/bulk",
    "v1": "/api/v1/contact/enrich/bulk",
    "reverse": "/api/v2/contact/reverse/email/bulk",
    "reverse-v1": "/api/v1/contact/reverse/email/bulk",
}


@pytest.mark.parametrize(("path", "body", "code"), CASES)
async def test_every_string_field_is_bounded_and_refuses_nul(
    api: Api, path: str, body: Any, code: str
) -> None:
    response = await api.client.post(PATHS[path], json=body, headers=api.auth())
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code


async def test_values_at_the_limit_are_accepted(api: Api) -> None:
    contact = {
        "first_name": "a" * LIMITS["first_name"].length,
        "last_name": "b" * LIMITS["last_name"].length,
        "company_name": "c" * LIMITS["company_name"].length,
        "custom": {"k" * MAX_CUSTOM_KEY: "v" * MAX_CUSTOM_VALUE},
    }
    body = v2({"name": "n" * LIMITS["name"].length}, {**contact, "domain": ""})
    response = await api.client.post(PATHS["v2"], json=body, headers=api.auth())
    assert response.status_code == 200, response.text


async def _latencies(client: httpx.AsyncClient, busy: Awaitable[Any]) -> list[float]:
    """/healthz round trips, one after another, for as long as `busy` runs."""
    await client.get("/healthz")  # the first one opens a database connection
    task = asyncio.ensure_future(busy)
    times: list[float] = []
    while not task.done() or len(times) < 40:
        started = time.perf_counter()
        response = await client.get("/healthz")
        assert response.status_code == 200
        times.append(time.perf_counter() - started)
        await asyncio.sleep(0.005)
    await task
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


async def test_a_500_kb_name_is_refused_and_never_parsed_on_the_loop(api: Api) -> None:
    huge = orjson.dumps(v2(contact={"first_name": "Jean " * 100_000}))
    headers = {**api.auth(), "Content-Type": "application/json"}
    post = api.client.post(PATHS["v2"], content=huge, headers=headers)
    times = await _latencies(api.client, post)
    assert p95(times) < 0.1, times
    # And whoever calls the parser with such a name (a stored row, the CLI), it is cheap.
    started = time.perf_counter()
    name_parts("Jean-" * 100_000, "de la " * 100_000)
    assert time.perf_counter() - started < 0.5


async def test_the_results_cache_is_bounded_by_bytes(sqlite_url: str, tmp_path: Path) -> None:
    limit = 6_000
    settings = make_settings(sqlite_url, tmp_path, result_cache_bytes=limit)
    async with running_api(settings) as api:
        custom = {f"k{i}": "v" * 100 for i in range(10)}
        contacts = [{**CONTACT, "custom": custom} for _ in range(2)]
        jobs = [await api.enrich({"name": f"j{n}", "data": contacts}) for n in range(6)]
        bodies = {job: (await api.wait(job)).content for job in jobs}
        # Each fits the cache; all of them together do not.
        assert all(2_000 < len(body) < limit - 1_000 for body in bodies.values())
        for _ in range(2):
            for job in jobs:
                response = await api.client.get(f"{PATHS['v2']}/{job}", headers=api.auth())
                assert response.content == bodies[job]
                assert api.services.reader.cached_bytes <= limit
        assert api.services.reader.cached_bytes > 0


async def test_signing_a_3_mb_body_leaves_the_loop_free(sqlite_url: str, tmp_path: Path) -> None:
    async with running_api(make_settings(sqlite_url, tmp_path, embedded_worker=False)) as api:
        deliverer = api.services.webhooks.deliverer()
        states, secret = signing_states("oe_live_key"), "whsec_" + "A" * 44
        body = b'{"data":"' + os.urandom(3 * 1024 * 1024 // 2).hex().encode() + b'"}'
        # One 3 MB body, and two more events due at the same time.
        events = [WebhookEvent(id=f"evt_{n}", body=body[: len(body) >> n]) for n in range(3)]
        try:
            signing = asyncio.gather(*(deliverer.headers(e, states, secret) for e in events))
            times = await _latencies(api.client, signing)
        finally:
            await deliverer.aclose()
        assert p95(times) < 0.1, sorted(times)[-5:]
