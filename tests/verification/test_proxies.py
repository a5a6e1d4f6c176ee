"""SMTP through a SOCKS5 proxy run in the test: every session goes through it, with its
HELO name, within its concurrency, chosen per mail provider."""

from __future__ import annotations

import asyncio

import pytest
from tests.rigs.loopback import MailBehaviour
from tests.rigs.socks import LoopbackSocks5

from openenrich.domain import EmailStatus
from openenrich.verification.proxies import ProxyConnector, ProxySettings

from .conftest import MakeRig, mx_zone

pytestmark = pytest.mark.anyio

ZONE = mx_zone(
    {
        "acme.example": [(10, "mx.acme.example", "127.0.0.2")],
        "gw.example": [(1, "aspmx.l.google.com", "127.0.0.3")],
    }
)


async def test_sessions_go_through_the_proxy_with_its_helo(make_rig: MakeRig) -> None:
    server = MailBehaviour(mailboxes=frozenset({"jane@acme.example"}), pipelining=True)
    rig = make_rig(ZONE, {"127.0.0.2": server})
    with LoopbackSocks5("user", "secret") as proxy:
        proxies = [{"url": proxy.url, "helo": "out1.verifier.example", "concurrency": 2}]
        engine = rig.engine(smtp_proxies=proxies, smtp_max_per_host=4)
        emails = ["jane@acme.example"] + [f"u{i}@acme.example" for i in range(10)]
        verdicts = await asyncio.gather(*(engine.verify(e) for e in emails))
        await engine.aclose()
    assert [v.status for v in verdicts] == [EmailStatus.DELIVERABLE] + [EmailStatus.INVALID] * 10
    assert proxy.destinations and set(proxy.destinations) == {("127.0.0.2", rig.mail.port)}
    assert proxy.open_peak <= 2  # the proxy's own concurrency, under the host's 4
    assert server.helos == ["out1.verifier.example"] * server.connections


async def test_a_proxy_that_refuses_is_a_connection_failure_not_a_verdict(
    make_rig: MakeRig,
) -> None:
    rig = make_rig(ZONE, {"127.0.0.2": MailBehaviour()})
    with LoopbackSocks5("user", "secret") as proxy:
        bad = proxy.url.replace("secret", "wrong")
        engine = rig.engine(smtp_proxies=[{"url": bad}], greylist_retry_seconds=[])
        verdict = await engine.verify("jane@acme.example")
        await engine.aclose()
    assert verdict.status is EmailStatus.UNKNOWN


def test_proxies_are_chosen_per_provider() -> None:
    connector = ProxyConnector(
        [
            ProxySettings(url="socks5://127.0.0.1:1", providers=["google"]),
            ProxySettings(url="socks5://127.0.0.1:2"),
        ]
    )
    assert connector.choose("aspmx.l.google.com").settings.url.endswith(":1")
    assert connector.choose("mx.acme.example").settings.url.endswith(":2")
