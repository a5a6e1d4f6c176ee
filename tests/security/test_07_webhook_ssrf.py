"""Issue 15 item 7: webhook SSRF leftovers.

Observed: `fec0::/10` and `192.0.0.8`/`192.0.0.9` passed the address guard (a hand list);
a delivery to `8.8.8.8:25` was attempted; the delivery log quoted what a refused host
resolved to (an oracle on internal DNS) and kept 2 KB of whatever answered."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tests.harness import Api, make_settings, running_api
from tests.security.contacts import CONTACT
from tests.webhooks.receiver import Receiver, Reply, delivering, eventually, fast_settings

from openenrich.webhooks.ssrf import Guard, PortPolicy, is_forbidden_address

pytestmark = pytest.mark.anyio


class MapResolver:
    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    async def resolve(self, host: str, port: int) -> list[str]:
        return self.answers[host]


@pytest.mark.parametrize(
    "address",
    [
        "fec0::1",
        "fec0:1234::5",
        "feff::1",
        "192.0.0.8",
        "192.0.0.9",
        "192.0.0.10",
        "::ffff:192.0.0.8",
    ],
)
def test_site_local_and_protocol_assignment_addresses_are_forbidden(address: str) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2606:4700::1111"])
def test_public_addresses_stay_allowed(address: str) -> None:
    assert not is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://[fec0::1]/hook",
        "http://192.0.0.8/hook",
        "http://192.0.0.9/hook",
        "http://8.8.8.8:25/",
    ],
)
async def test_such_urls_are_refused_at_request_time(api: Api, url: str) -> None:
    response = await api.client.post(
        "/api/v2/contact/enrich/bulk",
        json={"name": "x", "webhook_url": url, "data": [CONTACT]},
        headers=api.auth(),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "error.enrichment.webhook_url.forbidden"


async def test_ports_outside_the_allowed_list_are_never_connected_to() -> None:
    """`8.8.8.8:25`: refused before any lookup or connection; 80 and 443 go through."""
    guard = Guard(MapResolver({"smtp.test": ["8.8.8.8"]}))
    for url in ("http://8.8.8.8:25/", "https://smtp.test:25/", "http://smtp.test:6379/"):
        assert guard.refuse_literal(url) is not None
    assert guard.refuse_literal("https://smtp.test/") is None
    assert guard.refuse_literal("http://smtp.test:80/") is None
    assert PortPolicy.parse("443, 8000-8099").allows(8080)
    assert not PortPolicy.parse("443, 8000-8099").allows(80)
    with pytest.raises(ValueError):
        PortPolicy.parse("http")


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(make_settings(database_url, tmp_path)) as running:
        running.services.webhooks.settings = fast_settings(
            webhook_allow_hosts="", webhook_allowed_ports="80,443"
        )
        yield running


async def _log(api: Api, enrichment_id: str) -> dict[str, object]:
    response = await api.client.get(
        "/api/v2/webhooks/deliveries", params={"enrichment_id": enrichment_id}, headers=api.auth()
    )
    found: dict[str, object] = response.json()["deliveries"][0]
    return found


async def test_the_delivery_log_tells_no_resolution_details(api: Api) -> None:
    """A name that resolves to an internal address, one that does not resolve, and one on
    a port that is not allowed: the log says refused / did not resolve, never to what."""
    api.services.webhooks.resolver = MapResolver(
        {"db.corp.test": ["10.1.2.3"], "meta.corp.test": ["169.254.169.254"]}
    )
    settings = fast_settings(webhook_allow_hosts="", webhook_allowed_ports="80,443")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200)

    async with delivering(api.services, settings, httpx.MockTransport(handler)):
        ids = [
            await api.enrich({"name": "x", "webhook_url": url, "data": [CONTACT]})
            for url in ("http://db.corp.test/h", "https://meta.corp.test/h")
        ]
        for enrichment_id in ids:
            await api.wait(enrichment_id)

        async def all_failed() -> bool:
            return all([(await _log(api, i))["status"] == "failed" for i in ids])

        await eventually(all_failed)
    assert seen == []
    for enrichment_id in ids:
        log = await _log(api, enrichment_id)
        text = str(log)
        assert log["last_error"] == "refused: destination not allowed"
        for leak in ("10.1.2.3", "169.254", "private", "metadata", "resolves"):
            assert leak not in text


async def test_the_log_keeps_only_a_short_excerpt_of_the_answer(
    api: Api, receiver: Receiver
) -> None:
    receiver.script = [Reply(200, body=b"internal page " + b"x" * 10_000)]
    settings = fast_settings(webhook_allowed_ports="*")
    async with delivering(api.services, settings):
        enrichment_id = await api.enrich(
            {"name": "x", "webhook_url": receiver.url(), "data": [CONTACT]}
        )
        await api.wait(enrichment_id)

        async def succeeded() -> bool:
            return (await _log(api, enrichment_id))["status"] == "succeeded"

        await eventually(succeeded)
    log = (await _log(api, enrichment_id))["log"]
    assert isinstance(log, list) and len(log) == 1
    excerpt = log[0]["response_body"]
    assert excerpt.startswith("internal page ") and len(excerpt) <= 256
