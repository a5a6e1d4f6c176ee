"""Verify an address, or find one from a name: DNS route, cached domain facts, RCPT probes
with a catch-all check and greylisting retries, and the status that follows."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
import string
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import dns.asyncresolver

from openenrich.db import utcnow
from openenrich.domain import EmailStatus, Verdict
from openenrich.verification.domains import (
    DomainError,
    is_disposable,
    is_free_mail,
    is_role,
    registrable_domain,
    split_email,
)
from openenrich.verification.facts import DomainFacts, DomainFactsStore, MemoryFactsStore
from openenrich.verification.names import NameParts, name_parts
from openenrich.verification.patterns import candidates, learn_pattern
from openenrich.verification.replies import Reply, ReplyKind
from openenrich.verification.routes import MailResolver, MailRoute, RouteStatus, build_resolver
from openenrich.verification.settings import VerificationSettings
from openenrich.verification.smtp import RcptOutcome, SmtpConfig, SmtpProber

# A random local part no one owns: the catch-all probe.
_PROBE_ALPHABET = string.ascii_lowercase + string.digits


def probe_local() -> str:
    """14 random letters and digits (one urandom call)."""
    return "".join(_PROBE_ALPHABET[b % len(_PROBE_ALPHABET)] for b in secrets.token_bytes(14))


@dataclass(frozen=True, slots=True)
class FindResult:
    """The best address found for a name at a domain (`email` is None when none was)."""

    email: str | None
    status: EmailStatus
    evidence: dict[str, Any] = field(default_factory=dict)
    tried: tuple[str, ...] = ()


@dataclass(slots=True)
class _Probe:
    replies: dict[str, Reply]
    outcome: RcptOutcome
    attempts: int


def _evidence_route(route: MailRoute) -> list[str]:
    return [f"{h.preference} {h.name}" for h in route.hosts]


class EmailEngine:
    """Shared by the finder and the verifier. `resolver` and `smtp_port` are injectable so
    tests talk to loopback servers; `sleep` and `clock` so retries and TTLs can be driven."""

    def __init__(
        self,
        settings: VerificationSettings | None = None,
        facts: DomainFactsStore | None = None,
        *,
        resolver: dns.asyncresolver.Resolver | None = None,
        smtp_port: int | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = s = settings or VerificationSettings()
        self.facts: DomainFactsStore = facts if facts is not None else MemoryFactsStore()
        self.resolver = MailResolver(resolver or build_resolver(s.dns_nameservers, s.dns_timeout))
        self.prober = SmtpProber(
            SmtpConfig(
                helo=s.smtp_helo,
                mail_from=s.smtp_mail_from,
                port=smtp_port if smtp_port is not None else s.smtp_port,
                starttls=s.smtp_starttls,
                connect_timeout=s.smtp_connect_timeout,
                command_timeout=s.smtp_command_timeout,
                max_per_host=s.smtp_max_per_host,
                max_rcpt_per_session=s.smtp_max_rcpt_per_session,
                idle_seconds=s.smtp_idle_seconds,
                host_backoff_seconds=s.smtp_host_backoff_seconds,
            )
        )
        self._clock = clock
        self._sleep = sleep
        self._flights: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def _single_flight(self, kind: str, domain: str) -> AsyncIterator[None]:
        """One DNS lookup / one catch-all probe per domain at a time: concurrent checks of
        the same company wait for the first and then read its facts."""
        key = (kind, domain)
        lock, users = self._flights.get(key, (asyncio.Lock(), 0))
        self._flights[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._flights[key]
            if users == 1:
                del self._flights[key]
            else:
                self._flights[key] = (lock, users - 1)

    async def aclose(self) -> None:
        await self.prober.aclose()

    # -- domain facts -------------------------------------------------------------------

    def _fresh(self, at: datetime | None, ttl: float) -> bool:
        return at is not None and (self._clock() - at).total_seconds() < ttl

    async def domain_facts(self, domain: str) -> tuple[DomainFacts, bool]:
        """Facts with a fresh route (from the store when fresh, else from DNS), and whether
        the route came from the store."""
        s = self.settings
        async with self._single_flight("route", domain):
            facts = await self.facts.get(domain) or DomainFacts(domain)
            route = facts.route
            if route is not None:
                ttl = s.fact_invalid_domain_ttl if route.status.invalid_domain else s.fact_route_ttl
                if route.status is not RouteStatus.DNS_ERROR and self._fresh(
                    facts.route_checked_at, ttl
                ):
                    return facts, True
            return await self._resolve(facts)

    async def _resolve(self, facts: DomainFacts) -> tuple[DomainFacts, bool]:
        domain = facts.domain
        route = await self.resolver.route(domain)
        facts = dataclasses.replace(facts, route=route, route_checked_at=self._clock())
        if route.status is not RouteStatus.DNS_ERROR:
            await self.facts.put(facts)
        return facts, False

    def _catch_all(self, facts: DomainFacts) -> bool | None:
        if self._fresh(facts.catch_all_checked_at, self.settings.fact_catch_all_ttl):
            return facts.catch_all
        return None

    def _pattern(self, facts: DomainFacts) -> str | None:
        if self._fresh(facts.pattern_learned_at, self.settings.fact_pattern_ttl):
            return facts.pattern
        return None

    async def _update(self, domain: str, **changes: Any) -> None:
        current = await self.facts.get(domain) or DomainFacts(domain)
        await self.facts.put(dataclasses.replace(current, **changes))

    def _accept_all_host(self, route: MailRoute) -> str | None:
        for host in route.hosts:
            for suffix in self.settings.smtp_accept_all_mx:
                if host.name == suffix or host.name.endswith("." + suffix):
                    return host.name
        return None

    async def learn(self, email: str, first_name: str, last_name: str) -> str | None:
        """Record the pattern of an address confirmed elsewhere (another source, a reply)."""
        try:
            local, domain = split_email(email)
        except DomainError:
            return None
        pattern = learn_pattern(local, name_parts(first_name, last_name))
        if pattern is not None:
            await self._update(domain, pattern=pattern, pattern_learned_at=self._clock())
        return pattern

    # -- probing with greylisting retries ---------------------------------------------------

    async def _probe(
        self,
        route: MailRoute,
        recipients: Sequence[str],
        stop: Callable[[str, Reply], bool],
    ) -> _Probe:
        """RCPT the recipients; retry the ones that got a temporary reply (or were never
        reached because of one) on the greylisting schedule."""
        replies: dict[str, Reply] = {}
        delays = list(self.settings.greylist_retry_seconds)
        attempts = 0
        while True:
            attempts += 1
            pending = [r for r in recipients if r not in replies or replies[r].kind.temporary]
            outcome = await self.prober.rcpt(route, pending, stop)
            replies.update(outcome.replies)
            final_stop = outcome.stopped and not any(
                replies[r].kind.temporary for r in outcome.replies
            )
            still = [r for r in recipients if r not in replies or replies[r].kind.temporary]
            if final_stop or not still or not delays:
                return _Probe(replies, outcome, attempts)
            await self._sleep(delays.pop(0))

    # -- verification -----------------------------------------------------------------------

    async def verify(
        self, email: str, *, corroborated: bool = False, time_limit: float | None = None
    ) -> Verdict:
        """The status of one address. `corroborated`: another source also gave it, which
        lifts an address on a catch-all domain to HIGH_PROBABILITY."""
        email = email.strip()
        try:
            local, domain = split_email(email)
        except DomainError as exc:
            return Verdict(email, EmailStatus.INVALID, {"reason": f"syntax: {exc}"})
        flags = {
            "personal": is_free_mail(domain),
            "disposable": is_disposable(domain),
            "role": is_role(local),
        }
        address = f"{local}@{domain}"
        try:
            async with asyncio.timeout(time_limit or self.settings.verify_timeout):
                status, evidence = await self._verify(address, domain, corroborated)
        except TimeoutError:
            status, evidence = EmailStatus.UNKNOWN, {"reason": "timeout"}
        return Verdict(email, status, evidence, **flags)

    async def _verify(
        self, address: str, domain: str, corroborated: bool
    ) -> tuple[EmailStatus, dict[str, Any]]:
        facts, cached = await self.domain_facts(domain)
        route = facts.route
        assert route is not None
        evidence: dict[str, Any] = {"mx_records": _evidence_route(route), "facts_cached": cached}
        if route.status.invalid_domain:
            return EmailStatus.INVALID_DOMAIN, {**evidence, "reason": route.status.value}
        if route.status is RouteStatus.DNS_ERROR:
            return EmailStatus.UNKNOWN, {**evidence, "reason": "dns_error"}
        if route.implicit:
            evidence["implicit_mx"] = True
        accept_all = self._accept_all_host(route)
        if accept_all is not None:
            evidence.update(reason="host accepts every recipient", mx=accept_all)
            status = EmailStatus.HIGH_PROBABILITY if corroborated else EmailStatus.CATCH_ALL
            return status, evidence

        # The address first, on as many sessions as the host allows; the catch-all probe
        # only when it is accepted, once per domain (concurrent checks wait for it).
        result = await self._probe(route, [address], lambda _r, _x: False)
        user = result.replies.get(address)
        evidence.update(
            mx=result.outcome.host,
            mx_address=result.outcome.address,
            attempts=result.attempts,
            reply=user.summary() if user else None,
        )
        if result.outcome.trail:
            evidence["failures"] = result.outcome.trail
        if user is None or user.kind.temporary:
            return EmailStatus.UNKNOWN, {**evidence, "reason": user.kind.value if user else "none"}
        if user.kind is ReplyKind.POLICY:
            return EmailStatus.UNKNOWN, {**evidence, "reason": "refused by policy"}
        if user.kind is not ReplyKind.ACCEPTED:
            return EmailStatus.INVALID, {**evidence, "reason": user.kind.value}

        catch_all = self._catch_all(facts)
        if catch_all is None:
            catch_all, probe_reply = await self._catch_all_check(route, facts)
            if probe_reply is not None:
                evidence["probe_reply"] = probe_reply
        evidence["catch_all_cached"] = "probe_reply" not in evidence and catch_all is not None
        evidence["catch_all"] = catch_all
        if catch_all is False:
            return EmailStatus.DELIVERABLE, evidence
        if catch_all and corroborated:
            return EmailStatus.HIGH_PROBABILITY, evidence
        return EmailStatus.CATCH_ALL, evidence

    async def _catch_all_check(
        self, route: MailRoute, facts: DomainFacts
    ) -> tuple[bool | None, str | None]:
        """(catch-all verdict, the probe's reply or None when another check settled it)."""
        domain = route.domain
        async with self._single_flight("probe", domain):
            known = self._catch_all(await self.facts.get(domain) or facts)
            if known is not None:
                return known, None
            probe = f"{probe_local()}@{domain}"
            result = await self._probe(route, [probe], lambda _r, _x: False)
            reply = result.replies[probe]
            return await self._settle_catch_all(domain, reply), reply.summary()

    async def _settle_catch_all(self, domain: str, reply: Reply) -> bool | None:
        """Only a permanent rejection of the random address proves "not catch-all"; an
        accepted probe proves catch-all; anything else proves nothing and is not cached."""
        if reply.kind is ReplyKind.ACCEPTED:
            verdict: bool | None = True
        elif 500 <= reply.code < 600:
            verdict = False
        else:
            return None
        await self._update(domain, catch_all=verdict, catch_all_checked_at=self._clock())
        return verdict

    # -- finding ----------------------------------------------------------------------------

    async def find(
        self, first_name: str, last_name: str, domain: str, *, time_limit: float | None = None
    ) -> FindResult:
        try:
            async with asyncio.timeout(time_limit or self.settings.verify_timeout):
                return await self._find(first_name, last_name, domain)
        except TimeoutError:
            return FindResult(None, EmailStatus.UNKNOWN, {"reason": "timeout"})

    async def _find(self, first_name: str, last_name: str, raw_domain: str) -> FindResult:
        try:
            domain = registrable_domain(raw_domain)
        except DomainError as exc:
            return FindResult(None, EmailStatus.INVALID_DOMAIN, {"reason": f"domain: {exc}"})
        parts = name_parts(first_name, last_name)
        facts, cached = await self.domain_facts(domain)
        route = facts.route
        assert route is not None
        evidence: dict[str, Any] = {
            "domain": domain,
            "mx_records": _evidence_route(route),
            "facts_cached": cached,
        }
        if route.status.invalid_domain:
            return FindResult(
                None, EmailStatus.INVALID_DOMAIN, {**evidence, "reason": route.status.value}
            )
        if route.status is RouteStatus.DNS_ERROR:
            return FindResult(None, EmailStatus.UNKNOWN, {**evidence, "reason": "dns_error"})
        if self._catch_all(facts) is None and self._accept_all_host(route) is None:
            async with self._single_flight("probe", domain):
                facts = await self.facts.get(domain) or facts
                if self._catch_all(facts) is None:
                    return await self._rcpt_find(parts, route, facts, evidence)
        return await self._rcpt_find(parts, route, facts, evidence)

    async def _rcpt_find(
        self, parts: NameParts, route: MailRoute, facts: DomainFacts, evidence: dict[str, Any]
    ) -> FindResult:
        domain = route.domain
        learned = self._pattern(facts)
        ranked = candidates(parts, learned, self.settings.finder_max_candidates)
        if not ranked:
            return FindResult(None, EmailStatus.UNKNOWN, {**evidence, "reason": "no usable name"})
        emails = [f"{c.local}@{domain}" for c in ranked]
        evidence["learned_pattern"] = learned
        catch_all = self._catch_all(facts)
        accept_all = self._accept_all_host(route)
        if accept_all is not None or catch_all:
            return self._unverifiable(emails[0], ranked[0].pattern, learned, evidence, accept_all)

        probe = f"{probe_local()}@{domain}"
        recipients = emails if catch_all is False else [probe, *emails]

        def stop(recipient: str, reply: Reply) -> bool:
            return reply.kind is ReplyKind.ACCEPTED

        result = await self._probe(route, recipients, stop)
        evidence.update(
            mx=result.outcome.host, mx_address=result.outcome.address, attempts=result.attempts
        )
        if result.outcome.trail:
            evidence["failures"] = result.outcome.trail
        if probe in result.replies:
            evidence["probe_reply"] = result.replies[probe].summary()
            catch_all = await self._settle_catch_all(domain, result.replies[probe])
            if catch_all:
                return self._unverifiable(emails[0], ranked[0].pattern, learned, evidence, None)
        tried = tuple(e for e in emails if e in result.replies)
        evidence["replies"] = {e: result.replies[e].summary() for e in tried}
        for email, cand in zip(emails, ranked, strict=True):
            reply = result.replies.get(email)
            if reply is not None and reply.kind is ReplyKind.ACCEPTED:
                evidence.update(pattern=cand.pattern, catch_all=catch_all)
                if catch_all is False:
                    await self._update(
                        domain, pattern=cand.pattern, pattern_learned_at=self._clock()
                    )
                    return FindResult(email, EmailStatus.DELIVERABLE, evidence, tried)
                return FindResult(email, EmailStatus.CATCH_ALL, evidence, tried)
        temporary = [e for e in tried if result.replies[e].kind.temporary]
        if temporary or not tried or any(result.replies[e].kind is ReplyKind.POLICY for e in tried):
            return FindResult(
                None, EmailStatus.UNKNOWN, {**evidence, "reason": "unresolved"}, tried
            )
        return FindResult(
            None, EmailStatus.INVALID, {**evidence, "reason": "every candidate rejected"}, tried
        )

    def _unverifiable(
        self,
        email: str,
        pattern: str,
        learned: str | None,
        evidence: dict[str, Any],
        accept_all: str | None,
    ) -> FindResult:
        """A domain that accepts any recipient: the likeliest candidate, HIGH_PROBABILITY
        when it follows the pattern learned from a confirmed address there."""
        evidence = {**evidence, "catch_all": True, "pattern": pattern}
        if accept_all is not None:
            evidence.update(reason="host accepts every recipient", mx=accept_all)
        status = (
            EmailStatus.HIGH_PROBABILITY
            if learned and pattern == learned
            else EmailStatus.CATCH_ALL
        )
        return FindResult(email, status, evidence, ())
