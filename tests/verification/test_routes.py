import socket
import time
from collections.abc import Iterator

import pytest
from tests.rigs.loopback import LoopbackDns

from openenrich.verification.routes import (
    MailResolver,
    RouteStatus,
    build_resolver,
    parse_nameserver,
)

ZONE = {
    "acme.example": {
        "MX": ["20 mx2.acme.example.", "10 mx1.acme.example.", "30 ghost.acme.example."]
    },
    "mx1.acme.example": {"A": ["127.0.0.2"], "AAAA": ["::1"]},
    "mx2.acme.example": {"A": ["127.0.0.3"]},
    "nomx.example": {"A": ["127.0.0.4"]},
    "nullmx.example": {"MX": ["0 ."]},
    "empty.example": {"TXT": ['"v=spf1 -all"']},
    "dangling.example": {"MX": ["10 missing.dangling.example."]},
}


@pytest.fixture
def resolver() -> Iterator[MailResolver]:
    with LoopbackDns(ZONE) as server:
        yield MailResolver(build_resolver([server.nameserver], timeout=2.0))


@pytest.mark.anyio
async def test_mx_in_preference_order_with_addresses(resolver: MailResolver) -> None:
    route = await resolver.route("acme.example")
    assert route.status is RouteStatus.OK and not route.implicit
    assert [h.name for h in route.hosts] == [
        "mx1.acme.example",
        "mx2.acme.example",
        "ghost.acme.example",
    ]
    assert route.hosts[0].addresses == ("127.0.0.2", "::1")
    assert route.hosts[2].addresses == ()


@pytest.mark.anyio
async def test_no_mx_falls_back_to_address_records(resolver: MailResolver) -> None:
    route = await resolver.route("nomx.example")
    assert route.status is RouteStatus.OK and route.implicit
    assert route.hosts[0].addresses == ("127.0.0.4",)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("domain", "status"),
    [
        ("nullmx.example", RouteStatus.NULL_MX),
        ("nowhere.example", RouteStatus.NXDOMAIN),
        ("empty.example", RouteStatus.NO_MAIL),
        ("dangling.example", RouteStatus.NO_MAIL),
    ],
)
async def test_domains_without_mail(
    resolver: MailResolver, domain: str, status: RouteStatus
) -> None:
    route = await resolver.route(domain)
    assert route.status is status
    assert route.status.invalid_domain


@pytest.mark.anyio
async def test_silent_nameserver_is_a_dns_error_not_an_invalid_domain() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:  # bound, never answers
        sink.bind(("127.0.0.1", 0))
        port = sink.getsockname()[1]
        started = time.monotonic()
        route = await MailResolver(build_resolver([f"127.0.0.1:{port}"], timeout=0.3)).route(
            "acme.example"
        )
    assert route.status is RouteStatus.DNS_ERROR
    assert not route.status.invalid_domain
    assert time.monotonic() - started < 2


def test_parse_nameserver() -> None:
    ns = parse_nameserver("127.0.0.1:5353")
    assert (ns.address, ns.port) == ("127.0.0.1", 5353)
    assert parse_nameserver("10.0.0.1").port == 53
    v6 = parse_nameserver("[::1]:5300")
    assert (v6.address, v6.port) == ("::1", 5300)
    assert parse_nameserver("::1").port == 53
