"""Which network addresses the server may connect to on a tenant's behalf: webhook
receivers and the mail servers the verifier probes. One classification for both, so a
webhook and an MX record cannot reach different parts of the internal network.

The decision rests on `ipaddress`'s own properties (global, private, reserved, loopback,
link-local, multicast, site-local), applied to the address and to any IPv4 address an
IPv6 one carries (mapped, 6to4, Teredo, NAT64), plus what those properties miss: CGNAT
(100.64.0.0/10) and cloud metadata endpoints, some of which sit on public addresses.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IETF protocol assignments: no receiver lives there, and Python versions disagree on which
# of their addresses count as global (3.11.7 calls 192.0.0.8 global, 3.12.4+ 192.0.0.9).
_PROTOCOL_ASSIGNMENTS = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("2001::/23"))
# Instance-metadata and platform endpoints, some of them on otherwise public addresses.
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server
        "192.0.0.192",  # Oracle Cloud
    )
)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo client, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why an address must not be connected to on a tenant's behalf, or None for a public
    one. Decided by `ipaddress`'s own classification (anything not global, or private,
    reserved, site-local, multicast...), by the IPv4 address an IPv6 one carries, and by
    the few public addresses that are cloud metadata endpoints."""
    if ip in METADATA:
        return "cloud metadata"
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            reason = forbidden_reason(inner)
            return f"{reason} (inside IPv6)" if reason else None
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "carrier-grade NAT"),
        (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "site-local"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not globally routable"),
        (any(ip in net for net in _PROTOCOL_ASSIGNMENTS), "IETF protocol assignment"),
    )
    return next((label for hit, label in checks if hit), None)


def is_forbidden_address(ip: IPAddress) -> bool:
    """Whether `ip` is internal (see `forbidden_reason`); the operator's allow list aside."""
    return forbidden_reason(ip) is not None


def parse_address(text: str) -> IPAddress | None:
    """An address literal (brackets and a zone index tolerated), else None."""
    try:
        return ipaddress.ip_address(text.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AllowList:
    """The operator's exceptions: host names, addresses and CIDR ranges, comma-separated
    (`OPENENRICH_WEBHOOK_ALLOW_HOSTS`, `OPENENRICH_VERIFY_ALLOW_HOSTS`)."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> AllowList:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in text.split(","):
            item = raw.strip().lower()
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
            except ValueError:
                hosts.add(item.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, ip: IPAddress) -> bool:
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        return any(
            c in net for c in candidates for net in self.networks if c.version == net.version
        )


def refusal(address: str, host: str, allow: AllowList) -> str | None:
    """Why a connection to `address` (reached through the name `host`) is refused, or
    None when it may go ahead: a public address, or one the operator allows by address,
    range or host name. Text that is not an address is refused."""
    ip = parse_address(address)
    if ip is None:
        return "not an address"
    reason = forbidden_reason(ip)
    if reason is None or allow.allows_address(ip) or allow.allows_host(host):
        return None
    return reason
