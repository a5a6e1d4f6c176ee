"""`openenrich doctor`: can this machine verify addresses at all? Checks DNS resolution,
whether outbound SMTP (port 25, directly or through the configured proxies) connects,
whether the HELO name resolves and its address points back to it (forward-confirmed
reverse DNS), and whether the sending address's domain resolves, with the fix for each
failure. "Port 25 blocked, every result unknown" is what self-hosted verifiers hit most.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum

import dns.asyncresolver
import dns.exception
import dns.resolver
import dns.reversename

from openenrich.netpolicy import AllowList, refusal
from openenrich.verification.domains import DomainError, registrable_domain, split_email
from openenrich.verification.proxies import ProxyConnector
from openenrich.verification.routes import MailResolver, RouteStatus, build_resolver
from openenrich.verification.settings import VerificationSettings
from openenrich.verification.smtp import Outbound, ProxyError
from openenrich.verification.smtpwire import Wire, WireError


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    level: Level
    detail: str
    fix: str | None = None


class Doctor:
    def __init__(
        self,
        settings: VerificationSettings,
        resolver: dns.asyncresolver.Resolver | None = None,
    ) -> None:
        self.settings = settings
        self.dns = resolver or build_resolver(settings.dns_nameservers, settings.dns_timeout)
        self.mail = MailResolver(self.dns)

    async def _addresses(self, name: str) -> tuple[str, ...]:
        return await self.mail.addresses(name)

    async def _ptr(self, address: str) -> list[str]:
        try:
            answer = await self.dns.resolve(dns.reversename.from_address(address), "PTR")
        except dns.exception.DNSException:
            return []
        return [r.to_text().rstrip(".").lower() for r in answer]

    async def check_dns(self, domain: str) -> tuple[Check, list[tuple[str, str]]]:
        """The probe domain's mail route; returns its (MX host, address) pairs."""
        route = await self.mail.route(domain)
        if route.status is RouteStatus.DNS_ERROR:
            return Check(
                "dns",
                Level.FAIL,
                f"no answer resolving {domain}",
                "set OPENENRICH_DNS_NAMESERVERS to resolvers this machine can reach",
            ), []
        if route.status is not RouteStatus.OK:
            return Check(
                "dns",
                Level.FAIL,
                f"{domain}: {route.status.value}",
                "choose a --domain that receives mail",
            ), []
        targets = [(h.name, a) for h in route.hosts for a in h.addresses]
        hosts = ", ".join(h.name for h in route.hosts)
        return Check("dns", Level.OK, f"{domain} MX: {hosts}"), targets

    async def check_port(self, targets: list[tuple[str, str]]) -> Check:
        """Does an SMTP greeting come back from the probe domain's MX (through the proxies
        when configured)? Internal MX addresses follow the verifier's address policy."""
        s = self.settings
        allow = AllowList.parse(s.verify_allow_hosts)
        connector = ProxyConnector(s.smtp_proxies) if s.smtp_proxies else None
        via = " through the SOCKS5 proxy" if connector else ""
        problems: list[str] = []
        for host, address in targets[:3]:
            refused = refusal(address, host, allow)
            if refused is not None:
                problems.append(f"{host} [{address}]: {refused} address, not probed")
                continue
            outbound = Outbound()
            try:
                if connector is not None:
                    outbound = await connector.connect(
                        address, s.smtp_port, host, s.smtp_connect_timeout
                    )
                wire, greeting = await Wire.open(
                    address, s.smtp_port, s.smtp_connect_timeout, outbound.sock
                )
            except (TimeoutError, OSError, WireError, ProxyError) as exc:
                outbound.release()
                problems.append(f"{host} [{address}]:{s.smtp_port}: {type(exc).__name__}")
                continue
            wire.close()
            outbound.release()
            return Check(
                "port",
                Level.OK,
                f"{host} [{address}]:{s.smtp_port}{via} greets {greeting.code}",
            )
        fix = (
            "outbound port 25 looks blocked (most clouds and ISPs block it): ask the provider "
            "to open it, or set OPENENRICH_SMTP_PROXIES to a SOCKS5 proxy that has it open; "
            "until then every result is UNKNOWN"
        )
        if problems and all("not probed" in p for p in problems):
            fix = "allow the host with OPENENRICH_VERIFY_ALLOW_HOSTS (local mail rigs only)"
        return Check("port", Level.FAIL, "; ".join(problems) or "no MX address", fix)

    async def check_helo(self) -> Check:
        """The HELO name must resolve, and its address's PTR must name it back (receivers
        check forward-confirmed reverse DNS before they answer RCPT honestly)."""
        names = {p.helo for p in self.settings.smtp_proxies if p.helo} or {self.settings.smtp_helo}
        for helo in sorted(names):
            if helo in ("localhost", "") or "." not in helo:
                return Check(
                    "helo",
                    Level.FAIL,
                    f"HELO name {helo!r} is not a public host name",
                    "set OPENENRICH_SMTP_HELO to this machine's public name (its PTR)",
                )
            addresses = await self._addresses(helo)
            if not addresses:
                return Check(
                    "helo",
                    Level.FAIL,
                    f"{helo} does not resolve",
                    f"add an A record for {helo} pointing at this machine's public address",
                )
            for address in addresses:
                ptr = await self._ptr(address)
                if helo.lower() not in ptr:
                    named = ", ".join(ptr) or "nothing"
                    return Check(
                        "helo",
                        Level.FAIL,
                        f"{helo} -> {address}, whose PTR names {named}",
                        f"set the PTR of {address} to {helo}, or OPENENRICH_SMTP_HELO to "
                        f"{ptr[0] if ptr else 'the name its PTR gives'}",
                    )
        return Check("helo", Level.OK, f"{', '.join(sorted(names))} resolves and its PTR matches")

    async def check_sender(self) -> Check:
        """The MAIL FROM domain must take mail itself; a different organisation than the
        HELO name's is worth a warning (receivers compare them)."""
        s = self.settings
        try:
            _, domain = split_email(s.smtp_mail_from)
        except DomainError:
            return Check(
                "sender",
                Level.FAIL,
                f"{s.smtp_mail_from!r} is not an address",
                "set OPENENRICH_SMTP_MAIL_FROM to an address at your own domain",
            )
        route = await self.mail.route(domain)
        if route.status is not RouteStatus.OK:
            return Check(
                "sender",
                Level.FAIL,
                f"{domain} (of {s.smtp_mail_from}) does not take mail: {route.status.value}",
                "use a MAIL FROM at a domain with MX records (bounces and checks go there)",
            )
        try:
            same = registrable_domain(s.smtp_helo) == registrable_domain(domain)
        except DomainError:
            same = False
        if not same:
            return Check(
                "sender",
                Level.WARN,
                f"{domain} takes mail, but the HELO name {s.smtp_helo} is another domain",
                "use a HELO name and a MAIL FROM of the same domain",
            )
        return Check("sender", Level.OK, f"{domain} takes mail and matches the HELO name")

    async def run(self, domain: str) -> list[Check]:
        dns_check, targets = await self.check_dns(domain)
        checks = [dns_check]
        if targets:
            checks.append(await self.check_port(targets))
        helo, sender = await asyncio.gather(self.check_helo(), self.check_sender())
        return [*checks, helo, sender]
