"""Verify an address, or find one from a name, as a few typed steps: the route (one
preamble for both), RCPT probes with greylisting retries, the catch-all probe, each with
cached domain facts. The engine gathers the details; `verdict.py` decides the status."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import string
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import dns.asyncresolver

from openenrich.db import utcnow
from openenrich.domain import EmailStatus
from openenrich.netpolicy import AllowList, refusal
from openenrich.verification.details import (
    CatchAllCheck,
    FindDetails,
    Guess,
    RcptCheck,
    Refusal,
    RouteCheck,
    VerifyDetails,
)
from openenrich.verification.domains import (
    DomainError,
    is_disposable,
    is_free_mail,
    is_role,
    registrable_domain,
    split_email,
)
from openenrich.verification.facts import DomainFacts, DomainFactsStore, MemoryFactsStore
from openenrich.verification.mailhosts import accept_all_host
from openenrich.verification.names import NameParts, name_parts
from openenrich.verification.patterns import candidates, learn_pattern
from openenrich.verification.proxies import ProxyConnector
from openenrich.verification.replies import Reply, ReplyKind
from openenrich.verification.routes import MailResolver, MailRoute, RouteStatus, build_resolver
from openenrich.verification.settings import VerificationSettings
from openenrich.verification.smtp import SmtpConfig, SmtpProber, Waiting, acquire
from openenrich.verification.verdict import (
    FindResult,
    Verification,
    find_verdict,
    unverifiable,
    verify_verdict,
)

log = logging.getLogger(__name__)

# A random local part no one owns: the catch-all probe.
_PROBE_ALPHABET = string.ascii_lowercase + string.digits


def probe_local() -> str:
    """14 random letters and digits (one urandom call)."""
    return "".join(_PROBE_ALPHABET[b % len(_PROBE_ALPHABET)] for b in secrets.token_bytes(14))


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
        waiting: Waiting | None = None,
    ) -> None:
        self.settings = s = settings or VerificationSettings()
        self.facts: DomainFactsStore = facts if facts is not None else MemoryFactsStore()
        self.allow = AllowList.parse(s.verify_allow_hosts)
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
                allow=self.allow,
                host_budget_seconds=s.smtp_host_budget_seconds,
                pipelining=s.smtp_pipelining,
                connector=ProxyConnector(s.smtp_proxies) if s.smtp_proxies else None,
            ),
            **({"waiting": waiting} if waiting is not None else {}),
        )
        self._waiting = self.prober.waiting
        self._clock = clock
        self._sleep = sleep
        self._flights: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}
        # What the address policy says about each route seen (routes are immutable).
        self._refusals: dict[MailRoute, tuple[Refusal, ...]] = {}

    @contextlib.asynccontextmanager
    async def _single_flight(self, kind: str, domain: str) -> AsyncIterator[None]:
        """One DNS lookup / one catch-all probe per domain at a time: concurrent checks of
        the same company wait for the first and then read its facts."""
        key = (kind, domain)
        lock, users = self._flights.get(key, (asyncio.Lock(), 0))
        self._flights[key] = (lock, users + 1)
        try:
            # Waiting behind another contact's lookup or probe gives the worker slot back.
            await acquire(lock, self._waiting)
            try:
                yield
            finally:
                lock.release()
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
        the route came from the store. Fresh facts are read without the domain's lock;
        only a lookup is single-flight."""
        facts = await self.facts.get(domain)
        if facts is not None and self._route_fresh(facts):
            return facts, True
        async with self._single_flight("route", domain):
            facts = await self.facts.get(domain) or DomainFacts(domain)
            if self._route_fresh(facts):
                return facts, True
            return await self._resolve(facts)

    def _route_fresh(self, facts: DomainFacts) -> bool:
        s, route = self.settings, facts.route
        if route is None or route.status is RouteStatus.DNS_ERROR:
            return False
        ttl = s.fact_invalid_domain_ttl if route.status.invalid_domain else s.fact_route_ttl
        return self._fresh(facts.route_checked_at, ttl)

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

    # -- the steps ---------------------------------------------------------------------

    async def _route_step(self, domain: str) -> tuple[DomainFacts, RouteCheck]:
        """The preamble of every check: where the domain's mail goes (stored facts when
        fresh, else DNS), and whether one of its hosts accepts every recipient."""
        facts, cached = await self.domain_facts(domain)
        route = facts.route
        assert route is not None
        refused = self._refusals.get(route)
        if refused is None:
            refused = tuple(
                Refusal(host.name, address, reason)
                for host in route.hosts
                for address in host.addresses
                if (reason := refusal(address, host.name, self.allow)) is not None
            )
            if len(self._refusals) > 10_000:
                self._refusals.clear()
            self._refusals[route] = refused
        if refused:
            log.info("%s: MX addresses refused by the address policy: %d", domain, len(refused))
        accepts_all = accept_all_host(route, self.settings.smtp_accept_all_mx)
        return facts, RouteCheck(route, cached, accepts_all, refused)

    async def _rcpt_step(
        self,
        route: MailRoute,
        recipients: Sequence[str],
        stop: Callable[[str, Reply], bool] | None = None,
        retry: bool = True,
    ) -> RcptCheck:
        """RCPT the recipients; retry the ones that got a temporary reply (or were never
        reached because of one) on the greylisting schedule (unless `retry` is False)."""
        replies: dict[str, Reply] = {}
        delays = list(self.settings.greylist_retry_seconds) if retry else []
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
                trail = tuple(outcome.trail)
                return RcptCheck(replies, outcome.host, outcome.address, attempts, trail)
            await self._sleep(delays.pop(0))

    async def _catch_all_step(
        self, route: MailRoute, facts: DomainFacts, retry: bool = True
    ) -> CatchAllCheck:
        """Stored facts when fresh, else the random probe: once per domain (concurrent
        checks wait for it and read its result)."""
        known = self._catch_all(facts)
        if known is not None:
            return CatchAllCheck(known)
        domain = route.domain
        async with self._single_flight("probe", domain):
            known = self._catch_all(await self.facts.get(domain) or facts)
            if known is not None:
                return CatchAllCheck(known)
            probe = f"{probe_local()}@{domain}"
            reply = (await self._rcpt_step(route, [probe], retry=retry)).replies[probe]
            return CatchAllCheck(await self._settle_catch_all(domain, reply), reply)

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

    # -- verification -----------------------------------------------------------------------

    async def verify(
        self,
        email: str,
        *,
        corroborated: bool = False,
        time_limit: float | None = None,
        retry: bool = True,
    ) -> Verification:
        """The status of one address. `corroborated`: another source also gave it, which
        lifts an address on a catch-all domain to HIGH_PROBABILITY. `retry=False`: one
        attempt, no greylisting retries (the synchronous API's first answer)."""
        email = email.strip()
        try:
            local, domain = split_email(email)
        except DomainError as exc:
            return verify_verdict(VerifyDetails(email, syntax_error=str(exc)))
        details = VerifyDetails(
            email,
            f"{local}@{domain}",
            corroborated=corroborated,
            personal=is_free_mail(domain),
            disposable=is_disposable(domain),
            role=is_role(local),
        )
        try:
            async with asyncio.timeout(time_limit or self.settings.verify_timeout):
                details = await self._verify(details, domain, retry)
        except TimeoutError:
            details = dataclasses.replace(details, timed_out=True)
        return verify_verdict(details)

    async def _verify(self, d: VerifyDetails, domain: str, retry: bool) -> VerifyDetails:
        """Each step runs only when the ones before it leave the verdict open: the address
        first (on as many sessions as the host allows), the catch-all probe only when it
        is accepted."""
        facts, route = await self._route_step(domain)
        d = dataclasses.replace(d, route=route)
        if not route.routable or route.private or route.accepts_all is not None:
            return d
        probe_route = route.probe_route
        rcpt = await self._rcpt_step(probe_route, [d.address], retry=retry)
        d = dataclasses.replace(d, rcpt=rcpt)
        if d.reply is None or d.reply.kind is not ReplyKind.ACCEPTED:
            return d
        catch_all = await self._catch_all_step(probe_route, facts, retry)
        return dataclasses.replace(d, catch_all=catch_all)

    # -- finding ----------------------------------------------------------------------------

    async def find(
        self, first_name: str, last_name: str, domain: str, *, time_limit: float | None = None
    ) -> FindResult:
        try:
            async with asyncio.timeout(time_limit or self.settings.verify_timeout):
                return await self._find(first_name, last_name, domain)
        except TimeoutError:
            return find_verdict(FindDetails(timed_out=True))

    async def _find(self, first_name: str, last_name: str, raw_domain: str) -> FindResult:
        try:
            domain = registrable_domain(raw_domain)
        except DomainError as exc:
            return find_verdict(FindDetails(domain_error=str(exc)))
        parts = name_parts(first_name, last_name)
        facts, route = await self._route_step(domain)
        d = FindDetails(domain, route=route)
        if not route.routable or route.private:
            return find_verdict(d)
        if self._catch_all(facts) is None and route.accepts_all is None:
            async with self._single_flight("probe", domain):
                facts = await self.facts.get(domain) or facts
                if self._catch_all(facts) is None:
                    return await self._rcpt_find(parts, d, facts)
        return await self._rcpt_find(parts, d, facts)

    async def _rcpt_find(self, parts: NameParts, d: FindDetails, facts: DomainFacts) -> FindResult:
        """The guesses in rank order, stopping at the first accepted; the random probe goes
        first when the domain's catch-all status is not known."""
        route = d.route
        assert route is not None
        learned = self._pattern(facts)
        ranked = candidates(parts, learned, self.settings.finder_max_candidates)
        guesses = tuple(Guess(f"{c.local}@{d.domain}", c.pattern) for c in ranked)
        d = dataclasses.replace(d, learned_pattern=learned, guesses=guesses)
        catch_all = self._catch_all(facts)
        if catch_all is not None:
            d = dataclasses.replace(d, catch_all=CatchAllCheck(catch_all))
        if not guesses or unverifiable(d):
            return find_verdict(d)

        probe = f"{probe_local()}@{d.domain}"
        emails = [g.email for g in guesses]
        recipients = emails if catch_all is False else [probe, *emails]

        def stop(recipient: str, reply: Reply) -> bool:
            return reply.kind is ReplyKind.ACCEPTED

        rcpt = await self._rcpt_step(route.probe_route, recipients, stop)
        d = dataclasses.replace(d, rcpt=rcpt)
        reply = rcpt.replies.get(probe)
        if reply is not None:
            settled = await self._settle_catch_all(d.domain, reply)
            d = dataclasses.replace(d, catch_all=CatchAllCheck(settled, reply))
        result = find_verdict(d)
        if result.status is EmailStatus.DELIVERABLE and result.pattern is not None:
            await self._update(d.domain, pattern=result.pattern, pattern_learned_at=self._clock())
        return result
