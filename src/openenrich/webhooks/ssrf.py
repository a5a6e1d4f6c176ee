"""Where a webhook may go: every address a host resolves to must be public, unless the
operator allows it; the delivery then connects to the address that was checked.

A check on the URL alone is not enough (a name can point anywhere), and resolving twice is
not either (DNS rebinding: the second answer may be 169.254.169.254). So the transport
resolves once, checks every address, and pins the connection to one of them.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from openenrich.netpolicy import (
    AllowList,
    IPAddress,
    IPNetwork,
    embedded_ipv4,
    forbidden_reason,
    is_forbidden_address,
)
from openenrich.netpolicy import parse_address as _parse_address

# The classification is shared with the verifier's SMTP connections (`openenrich.netpolicy`);
# these names stay importable from here.
__all__ = [
    "DEFAULT_PORTS",
    "AllowList",
    "BlockedDestination",
    "Guard",
    "IPAddress",
    "IPNetwork",
    "PortPolicy",
    "ResolutionFailed",
    "Resolver",
    "SystemResolver",
    "embedded_ipv4",
    "forbidden_reason",
    "is_forbidden_address",
    "receiver_of",
    "url_host",
    "url_port",
]


class BlockedDestination(Exception):
    """The webhook's destination is refused: an internal address, or a port not allowed.
    The message names the host and why, for the operator's log; the tenant's delivery log
    says only that the destination is not allowed (no DNS oracle)."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.reason = reason


class ResolutionFailed(Exception):
    """The host did not resolve (possibly a passing DNS failure: retried)."""


class Resolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[str]:
        """Every address `host` resolves to."""
        ...


class SystemResolver:
    """The operating system's resolver, through the event loop."""

    async def resolve(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise ResolutionFailed(str(error)) from None
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class PortPolicy:
    """The ports deliveries may go to (`OPENENRICH_WEBHOOK_ALLOWED_PORTS`): a comma-separated
    list of ports and `low-high` ranges, or `*` for any. Without it a tenant could make the
    server speak HTTP to a public host's SMTP, SSH or database port."""

    ports: frozenset[int] = frozenset({80, 443})
    ranges: tuple[tuple[int, int], ...] = ()
    any_port: bool = False

    @classmethod
    def parse(cls, text: str) -> PortPolicy:
        ports: set[int] = set()
        ranges: list[tuple[int, int]] = []
        for raw in text.split(","):
            item = raw.strip()
            if item == "*":
                return cls(any_port=True)
            if not item:
                continue
            low, _, high = item.partition("-")
            try:
                first, last = int(low), int(high or low)
            except ValueError:
                raise ValueError(f"not a port or port range: {item!r}") from None
            if not 0 < first <= last <= 65535:
                raise ValueError(f"not a port or port range: {item!r}")
            if first == last:
                ports.add(first)
            else:
                ranges.append((first, last))
        return cls(frozenset(ports), tuple(ranges))

    def allows(self, port: int) -> bool:
        return (
            self.any_port
            or port in self.ports
            or any(low <= port <= high for low, high in self.ranges)
        )


@dataclass(slots=True)
class Guard:
    """Resolves a webhook host once and says which address to connect to."""

    resolver: Resolver = field(default_factory=SystemResolver)
    allow: AllowList = field(default_factory=AllowList)
    ports: PortPolicy = field(default_factory=PortPolicy)

    def check_address(self, ip: IPAddress, host: str) -> None:
        reason = forbidden_reason(ip)
        if reason and not self.allow.allows_address(ip) and not self.allow.allows_host(host):
            raise BlockedDestination(host, f"resolves to a {reason} address")

    def check_port(self, port: int, host: str) -> None:
        if not self.ports.allows(port):
            raise BlockedDestination(host, f"port {port} is not allowed")

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Checked addresses of `host`, in the resolver's order. Every one must pass: a
        name with one private answer among public ones is refused. A port that is not
        allowed is refused before any lookup."""
        self.check_port(port, host)
        literal = _parse_address(host)
        if literal is not None:
            self.check_address(literal, host)
            return [literal]
        answers = await self.resolver.resolve(host, port)
        found = [ip for ip in (_parse_address(a) for a in answers) if ip is not None]
        if not found:
            raise ResolutionFailed(f"{host} has no address")
        for ip in found:
            self.check_address(ip, host)
        return found

    def refuse_literal(self, url: str) -> str | None:
        """A reason to refuse `url` without any DNS lookup (at request time): a port that is
        not allowed, an internal address literal, a `localhost` name, or a URL whose host
        cannot be parsed. Names are checked again at delivery."""
        host = url_host(url)
        if host is None:
            return "invalid URL"
        port = url_port(url)
        if not self.ports.allows(port):
            return f"port {port} is not allowed"
        if self.allow.allows_host(host):
            return None
        if host == "localhost" or host.endswith(".localhost"):
            return "localhost"
        ip = _parse_address(host)
        if ip is None:
            return None
        try:
            self.check_address(ip, host)
        except BlockedDestination as error:
            return str(error)
        return None


def url_host(url: str) -> str | None:
    """The host of an http(s) URL, lowercased, without a trailing dot; None for anything a
    webhook cannot go to: another scheme, no host, or a host or port that does not parse
    (`urlsplit` raises ValueError on an unclosed `[` or a bad port, for one). The one check
    of a webhook URL's shape, at request time and at delivery."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - parsing the port can raise too
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return host.lower().rstrip(".")


DEFAULT_PORTS = {"http": 80, "https": 443}


def url_port(url: str) -> int:
    """The port a webhook URL (already checked by `url_host`) connects to."""
    parts = urlsplit(url)
    return parts.port or DEFAULT_PORTS[parts.scheme.lower()]


def receiver_of(url: str) -> str:
    """`host:port` of a webhook URL: the receiver its attempts in flight count against."""
    host = url_host(url)
    return f"{host}:{url_port(url)}" if host is not None else ""
