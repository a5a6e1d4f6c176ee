"""Loopback rigs: a DNS server answering from a dict and fake MX hosts on 127.0.0.x."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pytest
from tests.rigs.loopback import LoopbackDns, LoopbackMailServers, MailBehaviour

from openenrich.verification.engine import EmailEngine
from openenrich.verification.settings import VerificationSettings

T = TypeVar("T")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Rig:
    dns: LoopbackDns
    mail: LoopbackMailServers

    def settings(self, **overrides: object) -> VerificationSettings:
        values: dict[str, object] = {
            "dns_nameservers": [self.dns.nameserver],
            "dns_timeout": 2.0,
            "smtp_port": self.mail.port,
            "smtp_connect_timeout": 2.0,
            "smtp_command_timeout": 2.0,
            "greylist_retry_seconds": [0.05],
            "verify_timeout": 10.0,
            # The fake MX hosts live on loopback, which the address policy refuses.
            "verify_allow_hosts": "127.0.0.0/8",
        }
        values.update(overrides)
        return VerificationSettings(**values)  # type: ignore[arg-type]

    def engine(self, **overrides: object) -> EmailEngine:
        return EmailEngine(self.settings(**overrides))


def mx_zone(
    domains: Mapping[str, Sequence[tuple[int, str, str]]],
) -> dict[str, dict[str, list[str]]]:
    """{domain: [(preference, mx name, address)]} -> a zone with MX and A records."""
    zone: dict[str, dict[str, list[str]]] = {}
    for domain, hosts in domains.items():
        zone[domain] = {"MX": [f"{pref} {name}." for pref, name, _ in hosts]}
        for _, name, address in hosts:
            zone[name] = {"A": [address]}
    return zone


MakeRig = Callable[[Mapping[str, Mapping[str, Sequence[str]]], Mapping[str, MailBehaviour]], Rig]


@pytest.fixture
def make_rig() -> Iterator[MakeRig]:
    with contextlib.ExitStack() as stack:

        def make(
            zone: Mapping[str, Mapping[str, Sequence[str]]], hosts: Mapping[str, MailBehaviour]
        ) -> Rig:
            dns_server = stack.enter_context(LoopbackDns(zone))
            mail = stack.enter_context(LoopbackMailServers(hosts))
            return Rig(dns_server, mail)

        yield make


def present(step: T | None) -> T:
    """A step of a check that must have run (for assertions on its typed details)."""
    assert step is not None
    return step
