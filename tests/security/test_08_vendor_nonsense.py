"""Item 8: a vendor that answers nonsense is a `garbage` failure, never a clean miss.

Observed: a 200 whose JSON had the wrong shape (`[]`, `{"data": []}`, `{"data": null}`, a
string) was read as "not found" and cached for 30 days, so that source was never asked
about that person again although it never answered. Now every adapter reads its reply
through the shape it declares (`providers.reading.Shape`), and anything else raises
`GarbageReply`: retried, counted by the breaker, never cached, logged as `garbage`."""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from openenrich import providers
from openenrich.domain import CompanyQuery, ContactQuery, EmailStatus, Field
from openenrich.providers import registry
from openenrich.providers.base import (
    CompanyAdapter,
    GarbageReply,
    HttpAdapter,
    HttpVerifierAdapter,
    Pending,
    PollingAdapter,
    ProviderResult,
    TokenAuthAdapter,
)
from openenrich.waterfall import WaterfallConfig, build_waterfall
from openenrich.waterfall.config import BreakerConfig, ProviderConfig

NONSENSE: dict[str, Any] = {
    "empty array": [],
    "data is an empty array": {"data": []},
    "data is null": {"data": None},
    "a string": "ok",
}
QUERY = ContactQuery(
    first_name="Ada",
    last_name="Lovelace",
    domain="example.com",
    company_name="Example",
    linkedin_url="https://www.linkedin.com/in/ada-lovelace",
)
FIELDS = frozenset({Field.WORK_EMAIL})
# Modules of providers/ that hold no vendor adapter.
NOT_ADAPTERS = {"base", "builtin", "company", "person", "reading", "registry", "sandbox"}

Reader = Callable[[httpx.Response], Any]


def readers(name: str) -> list[tuple[str, httpx.Request, Reader]]:
    """Every way the adapter registered as `name` reads a vendor's 2xx reply, with a
    request it would have sent."""
    adapter = registry.create_adapter(name)
    found: list[tuple[str, httpx.Request, Reader]] = []
    if isinstance(adapter, HttpAdapter):
        request = adapter.build_request(QUERY, FIELDS, "k")
        found.append(("parse_response", request, adapter.parse_response))
    if isinstance(adapter, HttpVerifierAdapter):
        request = adapter.build_verify("ada@example.com", "k")
        found.append(("parse_verify", request, adapter.parse_verify))
    if isinstance(adapter, PollingAdapter):
        request = adapter.build_poll(Pending("h1"), "k")
        found.append(("parse_poll", request, adapter.parse_poll))
    if isinstance(adapter, TokenAuthAdapter):
        request = adapter.build_token_request("id:secret")
        found.append(("parse_token", request, adapter.parse_token))
    if isinstance(adapter, CompanyAdapter):
        request = adapter.build_company_request(CompanyQuery(domain="acme.example"), "k")
        found.append(("parse_company", request, adapter.parse_company_response))
    return found


CASES = [
    pytest.param(reader, request, body, id=f"{name}.{op}-{label}")
    for name in sorted(registry.ADAPTERS)
    for op, request, reader in readers(name)
    for label, body in NONSENSE.items()
]


def test_every_vendor_module_is_registered() -> None:
    """The parametrised test below covers every adapter that ships in providers/."""
    modules = {m.name for m in pkgutil.iter_modules(providers.__path__)} - NOT_ADAPTERS
    registered = {path.rsplit(".", 1)[1] for path, _ in registry.ADAPTERS.values()}
    assert modules == registered


@pytest.mark.parametrize(("reader", "request_", "body"), CASES)
def test_wrong_shape_is_garbage_for_every_adapter(
    reader: Reader, request_: httpx.Request, body: Any
) -> None:
    response = httpx.Response(200, json=body, request=request_)
    with pytest.raises(GarbageReply) as raised:
        reader(response)
    assert raised.value.outcome == "garbage"
    assert raised.value.retryable


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("apollo", {"person": None}),
        ("hunter", {"data": {"email": None, "verification": {"status": None}}}),
        ("leadmagic", {"email": None, "status": "not_found"}),
        ("lusha", {"contact": {"error": {"code": 3, "name": "EMPTY_DATA"}}}),
        ("prospeo", {"error": True, "error_code": "NO_MATCH"}),
        ("findymail", {"error": "Not found"}),
    ],
)
def test_documented_not_found_is_still_a_clean_miss(name: str, body: Any) -> None:
    adapter = registry.create_adapter(name)
    request = adapter.build_request(QUERY, FIELDS, "k")
    assert adapter.parse_response(httpx.Response(200, json=body, request=request)) == (
        ProviderResult()
    )


@pytest.mark.anyio
@pytest.mark.parametrize("label", sorted(NONSENSE))
async def test_garbage_is_not_cached_counts_against_the_breaker_and_is_logged(
    label: str,
) -> None:
    """The observed fault end to end: Hunter answers nonsense with a 200. The source is
    asked again next time (nothing was cached), its breaker counts every failure and
    opens, and the call log says `garbage`."""
    calls: list[str] = []

    def hunter(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json=NONSENSE[label])

    config = WaterfallConfig(
        order={"work_email": ["hunter"]},
        verifiers=[],
        providers={
            "hunter": ProviderConfig(
                api_key_env="HUNTER_KEY",
                base_url="https://hunter.test/v2",
                max_retries=0,
                trusted_statuses=[EmailStatus.DELIVERABLE],
            )
        },
        breaker=BreakerConfig(failure_threshold=3, open_seconds=60),
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(hunter)) as http:
        waterfall = build_waterfall(config, http, environ={"HUNTER_KEY": "k"}, keep_log=True)
        for _ in range(2):
            outcome = await waterfall.run(QUERY, FIELDS)
            assert outcome.findings == []
        assert len(calls) == 2  # asked again: the nonsense was not kept as a miss
        breaker = waterfall.guards["hunter"].slots[0].breaker
        assert breaker.failures == 2
        await waterfall.run(QUERY, FIELDS)
        assert breaker.is_open  # the third garbage answer opens it
        await waterfall.run(QUERY, FIELDS)
        assert len(calls) == 3  # and it keeps the source off while open
        assert waterfall.call_log is not None and waterfall.call_log.kept is not None
        assert [r.outcome for r in waterfall.call_log.kept] == ["garbage"] * 3
