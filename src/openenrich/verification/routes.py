"""Where a domain's mail goes: MX hosts in preference order, the implicit MX (A/AAAA) when
there is none (RFC 5321 §5.1), RFC 7505 null MX, NXDOMAIN."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver


class RouteStatus(StrEnum):
    OK = "ok"
    NXDOMAIN = "nxdomain"  # the domain does not exist
    NULL_MX = "null_mx"  # the domain says it takes no mail (RFC 7505)
    NO_MAIL = "no_mail"  # neither MX nor address records
    DNS_ERROR = "dns_error"  # timeouts, SERVFAIL: nothing proven

    @property
    def invalid_domain(self) -> bool:
        return self in (RouteStatus.NXDOMAIN, RouteStatus.NULL_MX, RouteStatus.NO_MAIL)


@dataclass(frozen=True, slots=True)
class MailHost:
    name: str
    preference: int
    addresses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MailRoute:
    domain: str
    status: RouteStatus
    hosts: tuple[MailHost, ...] = ()
    implicit: bool = False  # no MX: the domain's own address records


def parse_nameserver(text: str) -> dns.nameserver.Do53Nameserver:
    """`10.0.0.1`, `127.0.0.1:5353`, `::1`, `[::1]:5353`."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return dns.nameserver.Do53Nameserver(host, int(rest[1:]) if rest.startswith(":") else 53)
    if text.count(":") == 1:
        host, port = text.split(":")
        return dns.nameserver.Do53Nameserver(host, int(port))
    return dns.nameserver.Do53Nameserver(text, 53)


def build_resolver(
    nameservers: Sequence[str] = (), timeout: float = 5.0
) -> dns.asyncresolver.Resolver:
    """A resolver on the given servers, or the system's when none are given."""
    if nameservers:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [parse_nameserver(ns) for ns in nameservers]
    else:
        resolver = dns.asyncresolver.Resolver()
    resolver.lifetime = timeout
    resolver.timeout = min(timeout, 2.0)
    return resolver


class MailResolver:
    def __init__(self, resolver: dns.asyncresolver.Resolver) -> None:
        self.resolver = resolver

    async def _records(self, name: str, rdtype: str) -> list[dns.rdata.Rdata] | None:
        """The records, [] when the name exists without them, None on NXDOMAIN."""
        try:
            answer = await self.resolver.resolve(name, rdtype, search=False)
        except dns.resolver.NXDOMAIN:
            return None
        except dns.resolver.NoAnswer:
            return []
        return list(answer)

    async def addresses(self, host: str) -> tuple[str, ...]:
        """A then AAAA records (asked at once); () when the host does not exist."""

        async def one(rdtype: str) -> list[dns.rdata.Rdata] | None:
            try:
                return await self._records(host, rdtype)
            except dns.exception.DNSException:
                return []

        v4, v6 = await asyncio.gather(one("A"), one("AAAA"))
        if v4 is None or v6 is None:
            return ()
        return tuple(record.to_text() for record in (*v4, *v6))

    async def route(self, domain: str) -> MailRoute:
        try:
            mx = await self._records(domain, "MX")
            if mx is None:
                return MailRoute(domain, RouteStatus.NXDOMAIN)
            if not mx:
                addresses = await self.addresses(domain)
                if not addresses:
                    return MailRoute(domain, RouteStatus.NO_MAIL)
                host = MailHost(domain, 0, addresses)
                return MailRoute(domain, RouteStatus.OK, (host,), implicit=True)
        except dns.exception.DNSException:
            return MailRoute(domain, RouteStatus.DNS_ERROR)
        exchanges = sorted(
            ((int(r.preference), r.exchange.to_text(omit_final_dot=True).lower()) for r in mx),  # type: ignore[attr-defined]
            key=lambda item: item[0],
        )
        real = [(pref, name) for pref, name in exchanges if name not in ("", ".")]
        if not real:
            return MailRoute(domain, RouteStatus.NULL_MX)
        resolved = await asyncio.gather(*(self.addresses(name) for _, name in real))
        hosts = tuple(
            MailHost(name, pref, addrs) for (pref, name), addrs in zip(real, resolved, strict=True)
        )
        if not any(host.addresses for host in hosts):
            return MailRoute(domain, RouteStatus.NO_MAIL, hosts)
        return MailRoute(domain, RouteStatus.OK, hosts)
