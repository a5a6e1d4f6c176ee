"""The SSRF guard with an injected resolver: no test traffic leaves loopback (connections
that would go elsewhere end in an `httpx.MockTransport`)."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from tests.harness import Api, make_settings, running_api
from tests.webhooks.receiver import delivering, eventually, fast_settings

from openenrich.errors import WebhookUrlInvalid
from openenrich.webhooks.ssrf import (
    AllowList,
    BlockedDestination,
    Guard,
    PortPolicy,
    ResolutionFailed,
    forbidden_reason,
    url_host,
)
from openenrich.webhooks.transport import PinnedTransport

pytestmark = pytest.mark.anyio

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:4700:4700::1111"


class FakeResolver:
    """Answers from a table; each name may have a sequence of answers (one per lookup)."""

    def __init__(self, table: dict[str, list[list[str]]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        answers = self.table.get(host)
        if not answers:
            raise ResolutionFailed(f"{host}: NXDOMAIN")
        return answers.pop(0) if len(answers) > 1 else answers[0]


BLOCKED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.1.1",
    "100.64.0.1",
    "100.100.100.200",
    "0.0.0.0",
    "224.0.0.251",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "168.63.129.16",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
]


@pytest.mark.parametrize("address", BLOCKED)
async def test_internal_literals_are_refused(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is not None
    guard = Guard(FakeResolver({}))
    with pytest.raises(BlockedDestination):
        await guard.addresses(address, 443)
    assert guard.refuse_literal(
        f"https://[{address}]/hook" if ":" in address else f"http://{address}/"
    )


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, "::ffff:93.184.215.14"])
async def test_public_literals_pass(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None
    assert await Guard(FakeResolver({})).addresses(address, 443) == [ipaddress.ip_address(address)]


@pytest.mark.parametrize("address", ["10.1.2.3", "169.254.169.254", "::ffff:127.0.0.1", "fd12::5"])
async def test_names_resolving_to_internal_addresses_are_refused(address: str) -> None:
    guard = Guard(FakeResolver({"hooks.customer.test": [[address]]}))
    with pytest.raises(BlockedDestination):
        await guard.addresses("hooks.customer.test", 443)
    # At request time a name is not resolved: it is checked when delivered.
    assert guard.refuse_literal("https://hooks.customer.test/x") is None


async def test_one_internal_answer_among_public_ones_is_enough_to_refuse() -> None:
    guard = Guard(FakeResolver({"mixed.test": [[PUBLIC_V4, "10.0.0.7"]]}))
    with pytest.raises(BlockedDestination):
        await guard.addresses("mixed.test", 443)


async def test_allow_list_accepts_hosts_addresses_and_ranges() -> None:
    allow = AllowList.parse(" 127.0.0.1, 10.0.0.0/8 ,internal.test, fd00::/8")
    resolver = FakeResolver({"internal.test": [["192.168.9.9"]], "other.test": [["10.9.9.9"]]})
    guard = Guard(resolver, allow)
    assert await guard.addresses("127.0.0.1", 80) == [ipaddress.ip_address("127.0.0.1")]
    assert await guard.addresses("::ffff:127.0.0.1", 80)
    assert await guard.addresses("internal.test", 80)
    assert await guard.addresses("other.test", 80)
    assert await guard.addresses("fd00::1", 80)
    with pytest.raises(BlockedDestination):
        await guard.addresses("127.0.0.2", 80)
    with pytest.raises(BlockedDestination):
        await guard.addresses("169.254.169.254", 80)
    assert guard.refuse_literal("http://localhost/") == "localhost"
    assert Guard(resolver, AllowList.parse("localhost")).refuse_literal("http://localhost/") is None


async def test_connection_is_pinned_to_the_checked_address() -> None:
    """DNS rebinding: the name answers public, then private. The request goes to the
    public address checked first; the next lookup's private answer is refused, and never
    reaches the network."""
    resolver = FakeResolver({"rebind.test": [[PUBLIC_V4], ["169.254.169.254"]]})
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    guard = Guard(resolver, ports=PortPolicy.parse("443,8443"))
    transport = PinnedTransport(guard, httpx.MockTransport(handler))
    async with httpx.AsyncClient(transport=transport, follow_redirects=False) as client:
        first = await client.post("https://rebind.test:8443/hook?x=1", content=b"{}")
        assert first.status_code == 204
        with pytest.raises(BlockedDestination):
            await client.post("https://rebind.test:8443/hook", content=b"{}")
    assert len(seen) == 1
    assert seen[0].url.host == PUBLIC_V4
    assert seen[0].url.port == 8443
    assert seen[0].url.path == "/hook" and seen[0].url.query == b"x=1"
    assert seen[0].headers["host"] == "rebind.test:8443"
    assert seen[0].extensions["sni_hostname"] == "rebind.test"
    assert resolver.calls == ["rebind.test", "rebind.test"]


async def test_ipv6_answers_are_pinned_with_brackets() -> None:
    resolver = FakeResolver({"v6.test": [[PUBLIC_V6]]})
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    transport = PinnedTransport(Guard(resolver), httpx.MockTransport(handler))
    async with httpx.AsyncClient(transport=transport) as client:
        await client.post("http://v6.test/hook", content=b"{}")
    assert seen[0].url.host == PUBLIC_V6
    assert seen[0].headers["host"] == "v6.test"
    assert "sni_hostname" not in seen[0].extensions


@pytest.fixture
async def api(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(make_settings(sqlite_url, tmp_path)) as running:
        assert running.services.webhooks is not None
        running.services.webhooks.settings = fast_settings(webhook_allow_hosts="")
        yield running


CONTACT = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "domain": "navy.example",
    "enrich_fields": ["contact.work_emails"],
}


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:9/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://localhost:8080/hook",
        "https://api.localhost/hook",
    ],
)
async def test_internal_webhook_urls_are_refused_at_request_time(api: Api, url: str) -> None:
    for body in (
        {"name": "x", "webhook_url": url, "data": [CONTACT]},
        {"name": "x", "webhook_events": {"contact_finished": url}, "data": [CONTACT]},
    ):
        response = await api.client.post(
            "/api/v2/contact/enrich/bulk", json=body, headers=api.auth()
        )
        assert response.status_code == 400
        assert response.json() == {
            "code": "error.enrichment.webhook_url.forbidden",
            "message": "Webhook URL host is not allowed",
        }
    reverse = await api.client.post(
        "/api/v2/contact/reverse/email/bulk",
        json={"name": "x", "webhook_url": url, "data": [{"email": "a@b.example"}]},
        headers=api.auth(),
    )
    assert reverse.status_code == 400
    assert reverse.json()["code"] == "error.enrichment.webhook_url.forbidden"


async def test_delivery_refuses_a_name_that_rebinds_to_metadata(api: Api) -> None:
    """Accepted at request time (a name), first delivered to its public address (which
    fails), then refused when it resolves to the metadata address: the event gives up
    without any connection to it."""
    hub = api.services.webhooks
    assert hub is not None
    hub.resolver = FakeResolver({"hooks.rebind.test": [[PUBLIC_V4], ["169.254.169.254"]]})
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.host))
        return httpx.Response(500)

    async with delivering(
        api.services, fast_settings(webhook_allow_hosts=""), httpx.MockTransport(handler)
    ):
        enrichment_id = await api.enrich(
            {"name": "r", "webhook_url": "https://hooks.rebind.test/in", "data": [CONTACT]}
        )
        await api.wait(enrichment_id)

        async def failed() -> bool:
            response = await api.client.get(
                "/api/v2/webhooks/deliveries",
                params={"enrichment_id": enrichment_id},
                headers=api.auth(),
            )
            found = response.json()["deliveries"]
            return bool(found) and found[0]["status"] == "failed"

        await eventually(failed)
    assert seen == [PUBLIC_V4]
    response = await api.client.get(
        "/api/v2/webhooks/deliveries", params={"enrichment_id": enrichment_id}, headers=api.auth()
    )
    log = response.json()["deliveries"][0]["log"]
    assert [a["status_code"] for a in log] == [500, None]
    # Refused, without saying what the name resolved to (tests/security/test_07_*).
    assert log[1]["error"] == "refused: destination not allowed"


UNPARSEABLE = ["http://[::1", "https://[::1/hook", "http://[not-an-ip]/", "http://a.test:99999/"]


@pytest.mark.parametrize("url", UNPARSEABLE)
def test_unparseable_urls_are_refused_not_raised(url: str) -> None:
    assert url_host(url) is None
    assert Guard(FakeResolver({})).refuse_literal(url) == "invalid URL"
    allow_all = AllowList.parse("0.0.0.0/0, ::/0, a.test")
    assert Guard(FakeResolver({}), allow_all).refuse_literal(url) == "invalid URL"


@pytest.mark.parametrize("url", UNPARSEABLE)
async def test_unparseable_webhook_urls_answer_400(api: Api, url: str) -> None:
    with pytest.raises(WebhookUrlInvalid):
        api.services.webhooks.check_destinations("https://fine.example/in", url)
    for body in (
        {"name": "x", "webhook_url": url, "data": [CONTACT]},
        {"name": "x", "webhook_events": {"contact_finished": url}, "data": [CONTACT]},
    ):
        response = await api.client.post(
            "/api/v2/contact/enrich/bulk", json=body, headers=api.auth()
        )
        assert response.status_code == 400
        assert response.json()["code"] == "error.enrichment.webhook_url"


class KeepAliveServer:
    """HTTP/1.1 on 127.0.0.1 that keeps connections open and records, per request, the
    Host header and the client's port (one port per TCP connection)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                owner.seen.append((self.headers["host"], self.client_address[1]))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_two_names_on_one_address_never_share_a_connection() -> None:
    server = KeepAliveServer()
    resolver = FakeResolver({"a.test": [["127.0.0.1"]], "b.test": [["127.0.0.1"]]})
    guard = Guard(resolver, AllowList.parse("127.0.0.1"), PortPolicy.parse("*"))
    transport = PinnedTransport(guard)
    try:
        async with httpx.AsyncClient(transport=transport) as client:
            for name in ("a.test", "a.test", "b.test", "b.test", "a.test"):
                response = await client.post(f"http://{name}:{server.port}/", content=b"{}")
                assert response.status_code == 200
            assert transport.pool_count() == 2
    finally:
        server.stop()
    hosts = [host.split(":")[0] for host, _ in server.seen]
    assert hosts == ["a.test", "a.test", "b.test", "b.test", "a.test"]
    ports = {name: {port for host, port in server.seen if host.startswith(name)} for name in hosts}
    # Kept alive per name (one connection each), never shared across names.
    assert len(ports["a.test"]) == 1 and len(ports["b.test"]) == 1
    assert ports["a.test"] != ports["b.test"]


class CountingTransport(httpx.AsyncBaseTransport):
    """Logs what it sends and when it is closed, naming the hosts it served."""

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.hosts: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.add(request.headers["host"])
        self.log.append(f"send {request.headers['host']}")
        return httpx.Response(200, content=b"ok")

    async def aclose(self) -> None:
        self.log.append(f"close {','.join(sorted(self.hosts))}")


async def test_least_recently_used_pools_are_closed_once_idle() -> None:
    log: list[str] = []
    resolver = FakeResolver({name: [[PUBLIC_V4]] for name in ("a.test", "b.test", "c.test")})
    transport = PinnedTransport(
        Guard(resolver), pool_factory=lambda: CountingTransport(log), max_pools=2
    )
    async with httpx.AsyncClient(transport=transport) as client:
        await client.post("http://a.test/", content=b"{}")
        await client.post("http://b.test/", content=b"{}")
        async with client.stream("POST", "http://a.test/", content=b"{}") as streaming:
            # c.test evicts b.test (least recently used, idle): closed at once.
            await client.post("http://c.test/", content=b"{}")
            assert log[-2:] == ["close b.test", "send c.test"]
            # d.test evicts a.test, still streaming: closed only when its body is.
            resolver.table["d.test"] = [[PUBLIC_V4]]
            await client.post("http://d.test/", content=b"{}")
            assert log[-1] == "send d.test"
            await streaming.aread()
        assert log[-1] == "close a.test"
        assert transport.pool_count() == 2
    assert sorted(e for e in log if e.startswith("close")) == [
        "close a.test",
        "close b.test",
        "close c.test",
        "close d.test",
    ]
