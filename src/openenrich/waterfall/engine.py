"""Per-field waterfalls over ordered sources, run concurrently for one contact.

Each field asks its sources in order and stops when its rule is met (`stop.StopRules`).
Every email a source returns is verified before it is accepted, unless the source's own
status is trusted; an INVALID address sends the waterfall on. A source is asked once per
contact for all the requested fields it serves, so findings for another field (a phone in
a person match) are used, not paid for again.

A company lookup (`Waterfall.company`) asks the company sources in order, under the same
guards, cache, cost cap and call log, until one knows the company.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from openenrich.domain import (
    CompanyQuery,
    ContactQuery,
    EmailFinding,
    EmailStatus,
    Field,
    Finding,
    PhoneFinding,
    ProfileFinding,
    Verdict,
    kind_of,
    usable,
)
from openenrich.providers.base import (
    Learner,
    PricedVerifier,
    Provider,
    ProviderError,
    TrustingSource,
    Verifier,
)
from openenrich.waterfall import metrics
from openenrich.waterfall.cache import ResultCache
from openenrich.waterfall.calllog import CALL_WORKSPACE, CallLog
from openenrich.waterfall.guard import SourceGuard
from openenrich.waterfall.ordering import AdaptiveRanker, expected_cost
from openenrich.waterfall.sources import CACHE_SCOPE, GuardedProvider
from openenrich.waterfall.stop import StopRules, field_satisfied, with_line_type
from openenrich.waterfall.store import BatchWriter

log = logging.getLogger(__name__)

__all__ = [
    "CompanyAnswer",
    "Origin",
    "OwnSource",
    "Waterfall",
    "WaterfallOutcome",
    "field_satisfied",
    "origin_key",
]


@dataclass(frozen=True, slots=True)
class OwnSource:
    """A vendor key a workspace brought, as one contact's waterfall uses it: a guarded
    provider of its own (same policies as the server's source of that vendor), placed by
    `zone` and `priority` among the server's sources."""

    provider: Provider
    vendor: str  # the BYOK `provider` value, the `byok_provider` marker
    adapter: str  # registry name: the server's sources of the same adapter come after it
    fields: frozenset[Field]
    verify: bool = True
    zone: str = "auto"  # front | back | auto (just before the server's source of that vendor)
    priority: int = 1


@dataclass(slots=True)
class Origin:
    """Where one kept value came from: the sources that returned it (first first), the
    verifier whose verdict stands, and the workspace's own vendor key when it found it."""

    found_by: list[str] = field(default_factory=list)
    verified_by: str | None = None
    own_key: str | None = None


def origin_key(finding: Finding) -> str:
    """The identity of a value across sources (as `_Contact.add` deduplicates them)."""
    if isinstance(finding, EmailFinding):
        return "e:" + finding.email.strip().lower()
    if isinstance(finding, PhoneFinding):
        return "p:" + "".join(ch for ch in finding.number if ch.isdigit())
    return "profile"


@dataclass(slots=True)
class WaterfallOutcome:
    """Every finding kept for one contact, and what the sources cost.

    Emails carry their final status; candidates that failed verification (INVALID,
    UNKNOWN) are kept too, so only `status.is_found` ones count as found. `origins`
    says, by `origin_key`, where each kept value came from."""

    findings: list[Finding] = field(default_factory=list)
    cost: float = 0.0
    origins: dict[str, Origin] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CompanyAnswer:
    """A company lookup's match: the spec's `Company` (without `id`), the source that knew
    it (the vendor, for the workspace's own key), and what the lookup cost."""

    company: dict[str, Any]
    source: str
    cost: float = 0.0


class _Contact:
    """The running state of one contact: findings deduplicated, spend so far."""

    def __init__(self) -> None:
        self.outcome = WaterfallOutcome()
        self._emails: dict[str, int] = {}
        self._phones: dict[str, int] = {}
        self.taken: dict[str, asyncio.Future[None]] = {}
        self.sources: dict[str, set[str]] = {}  # address -> sources that returned it
        self.own: dict[str, OwnSource] = {}  # provider name -> the workspace's own key
        self.found_by: dict[str, list[str]] = {}  # origin_key -> sources, first first
        self.verified_by: dict[str, str] = {}  # address -> verifier whose verdict stands

    def note(self, finding: Finding, source: str) -> None:
        names = self.found_by.setdefault(origin_key(finding), [])
        if source not in names:
            names.append(source)

    def origins(self) -> dict[str, Origin]:
        result = {}
        for finding in self.outcome.findings:
            key = origin_key(finding)
            names = self.found_by.get(key, [])
            own = self.own.get(names[0]) if names else None
            address = key[2:] if isinstance(finding, EmailFinding) else ""
            result[key] = Origin(
                found_by=[self.own[n].vendor if n in self.own else n for n in names],
                verified_by=self.verified_by.get(address),
                own_key=own.vendor if own is not None else None,
            )
        return result

    def returned_by(self, source: str, findings: Iterable[Finding]) -> None:
        for finding in findings:
            if isinstance(finding, EmailFinding):
                self.sources.setdefault(finding.email.strip().lower(), set()).add(source)

    def corroborate(self) -> None:
        """A catch-all address that two independent sources agree on is more than a guess:
        HIGH_PROBABILITY, as FullEnrich grades such addresses."""
        items = self.outcome.findings
        for key, index in self._emails.items():
            finding = items[index]
            assert isinstance(finding, EmailFinding)
            if finding.status is EmailStatus.CATCH_ALL and len(self.sources.get(key, ())) > 1:
                items[index] = replace(finding, status=EmailStatus.HIGH_PROBABILITY)

    def add(self, finding: Finding) -> None:
        items = self.outcome.findings
        if isinstance(finding, EmailFinding):
            key = finding.email.strip().lower()
            index = self._emails.get(key)
            if index is None:
                self._emails[key] = len(items)
                items.append(finding)
            elif _email_better(finding, items[index]):
                items[index] = finding
        elif isinstance(finding, PhoneFinding):
            key = "".join(ch for ch in finding.number if ch.isdigit())
            if key not in self._phones:
                self._phones[key] = len(items)
                items.append(finding)
        elif finding not in items:
            items.append(finding)


def _email_better(new: EmailFinding, old: Finding) -> bool:
    assert isinstance(old, EmailFinding)
    if old.status is None:
        return new.status is not None
    return new.status is not None and new.status.rank < old.status.rank


class Waterfall:
    """Runs one waterfall per requested field, concurrently, over `order[field]`.

    `Waterfall(order)` with plain providers applies no verification and no policies (the
    sandbox); `build_waterfall` wraps configured sources in the engine's policies."""

    def __init__(
        self,
        order: Mapping[Field, Sequence[Provider]],
        *,
        verifiers: Sequence[Verifier] = (),
        rules: StopRules | None = None,
        max_cost_per_contact: float | None = None,
        ranker: AdaptiveRanker | None = None,
        per_workspace_cache: bool = False,
        closers: Sequence[Callable[[], Awaitable[None]]] = (),
        companies: Sequence[GuardedProvider] = (),
    ) -> None:
        self.order = order
        self.verifiers = list(verifiers)
        self.companies = list(companies)
        self.rules = rules or StopRules()
        self.max_cost_per_contact = max_cost_per_contact
        self.ranker = ranker
        self.per_workspace_cache = per_workspace_cache
        self._closers = list(closers)
        # Sources that learn a domain's address pattern from a confirmed address (the
        # built-in finder): they are told about deliverable work emails found elsewhere.
        self._learners = [
            (provider.name, learner)
            for provider in order.get(Field.WORK_EMAIL, ())
            if (learner := _learner(provider)) is not None
        ]
        # Set by `build_waterfall`, for introspection (CLI, tests).
        self.guards: dict[str, SourceGuard] = {}
        self.call_log: CallLog | None = None
        self.cache: ResultCache | None = None
        self.writer: BatchWriter | None = None

    async def run(
        self,
        query: ContactQuery,
        fields: frozenset[Field],
        *,
        workspace_id: str = "",
        own: Sequence[OwnSource] = (),
        private_cache: bool = False,
    ) -> WaterfallOutcome:
        """Enrich one contact. `workspace_id` keys the call log, and the cache when answers
        are cached per workspace (server-wide by configuration, or for this workspace:
        `private_cache`); `own` are the workspace's own vendor keys."""
        private = self.per_workspace_cache or private_cache
        token = CACHE_SCOPE.set(workspace_id if private else "")
        logged = CALL_WORKSPACE.set(workspace_id)
        try:
            contact = _Contact()
            contact.own = {o.provider.name: o for o in own}
            # A task group: if one field's waterfall fails, the others stop with it rather
            # than go on paying vendors for a contact that is being given up.
            async with asyncio.TaskGroup() as group:
                for wanted in fields:
                    group.create_task(self._one_field(query, wanted, fields, contact))
        finally:
            CALL_WORKSPACE.reset(logged)
            CACHE_SCOPE.reset(token)
        contact.corroborate()
        # Corroboration first: two sources agreeing may lift a CATCH_ALL that the rules
        # (safe_only) would otherwise drop.
        findings = contact.outcome.findings
        contact.outcome.findings = [f for f in findings if self.rules.keeps(f)]
        contact.outcome.origins = contact.origins()
        return contact.outcome

    def _sources(self, wanted: Field, own: Iterable[OwnSource] = ()) -> Sequence[Provider]:
        sources = self.order.get(wanted, ())
        server = self.ranker.order(wanted, sources) if self.ranker else sources
        return _placed(server, [o for o in own if wanted in o.fields])

    async def company(
        self,
        query: CompanyQuery,
        *,
        workspace_id: str = "",
        own: Sequence[OwnSource] = (),
        private_cache: bool = False,
    ) -> CompanyAnswer | None:
        """Look one company up: the company sources in order, the workspace's own keys
        (`own`) placed among them as in a contact's waterfall, until one knows it. The
        cache scope, call-log attribution and cost cap are a contact's; a source that fails
        (after its guard's retries) or cannot take this input is passed over."""
        private = self.per_workspace_cache or private_cache
        token = CACHE_SCOPE.set(workspace_id if private else "")
        logged = CALL_WORKSPACE.set(workspace_id)
        try:
            return await self._company(query, own)
        finally:
            CALL_WORKSPACE.reset(logged)
            CACHE_SCOPE.reset(token)

    async def _company(self, query: CompanyQuery, own: Sequence[OwnSource]) -> CompanyAnswer | None:
        vendors = {o.provider.name: o.vendor for o in own}
        mine = [o for o in own if _enriches_companies(o.provider)]
        cap = self.max_cost_per_contact
        spent = 0.0
        for provider in _placed(self.companies, mine):
            if not isinstance(provider, GuardedProvider):
                continue
            expected = expected_cost(provider)
            if cap is not None and expected > 0 and spent + expected > cap:
                metrics.SKIPPED.labels(provider.name, "cost_cap").inc()
                continue
            try:
                company, cost = await provider.lookup_company(query)
            except ProviderError as exc:
                log.info("%s skipped for a company: %s", provider.name, exc.outcome)
                continue
            spent += cost
            if company:
                source = vendors.get(provider.name, provider.name)
                return CompanyAnswer(company, source, spent)
        return None

    async def _one_field(
        self, query: ContactQuery, wanted: Field, fields: frozenset[Field], contact: _Contact
    ) -> None:
        cap = self.max_cost_per_contact
        for provider in self._sources(wanted, contact.own.values()):
            if self.rules.satisfied(wanted, contact.outcome.findings):
                return
            expected = expected_cost(provider)
            already_paid = provider.name in contact.taken  # another field asked it: free now
            if (
                cap is not None
                and expected > 0
                and not already_paid
                and contact.outcome.cost + expected > cap
            ):
                metrics.SKIPPED.labels(provider.name, "cost_cap").inc()
                continue
            asked = (fields & provider.fields) or frozenset({wanted})
            try:
                result = await provider.find(query, asked)
            except ProviderError as exc:
                log.info("%s skipped for %s: %s", provider.name, wanted, exc.outcome)
                continue
            contact.outcome.cost += result.cost
            # Several fields' waterfalls may reach the same source: its findings are taken
            # in once, and the others wait for that before judging their stop rule.
            taken = contact.taken.get(provider.name)
            if taken is not None:
                await asyncio.shield(taken)
                continue
            taken = asyncio.get_running_loop().create_future()
            contact.taken[provider.name] = taken
            try:
                own = contact.own.get(provider.name)
                allowed = fields if own is None else fields & (own.fields | {Field.PROFILE})
                relevant = [f for f in usable(result.findings) if kind_of(f) in allowed]
                contact.returned_by(provider.name, relevant)
                found = False
                for finding in await self._accept(provider, relevant, contact, query):
                    contact.add(finding)
                    contact.note(finding, provider.name)
                    kept = _counts(finding) and self.rules.keeps(finding)
                    found = found or (kind_of(finding) is wanted and kept)
            finally:
                taken.set_result(None)
            if self.ranker is not None:
                self.ranker.observe(provider.name, wanted, result.cost, found)

    async def _accept(
        self, provider: Provider, findings: list[Finding], contact: _Contact, query: ContactQuery
    ) -> list[Finding]:
        """Verify emails (unless trusted) and classify phones; the rules filter at the end."""
        trusted = provider.trusted_statuses if isinstance(provider, TrustingSource) else frozenset()
        own = contact.own.get(provider.name)
        unverified = own is not None and not own.verify

        async def one(finding: Finding) -> Finding:
            if isinstance(finding, PhoneFinding):
                return with_line_type(finding)
            if isinstance(finding, EmailFinding) and unverified:  # the workspace's choice
                return EmailFinding(finding.email, finding.field, EmailStatus.UNVERIFIED)
            if not isinstance(finding, EmailFinding) or not self.verifiers:
                return finding
            if finding.status is not None and finding.status in trusted:
                return finding
            verdict = await self.verify(finding.email, contact)
            return EmailFinding(finding.email, finding.field, verdict.status)

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(f)) for f in findings]
        accepted = [task.result() for task in tasks]
        for finding in accepted:
            if (
                isinstance(finding, EmailFinding)
                and finding.field is Field.WORK_EMAIL
                and finding.status is EmailStatus.DELIVERABLE
            ):
                await self._teach(provider.name, finding.email, query)
        return accepted

    async def _teach(self, found_by: str, email: str, query: ContactQuery) -> None:
        for name, learner in self._learners:
            if name == found_by:
                continue
            try:
                await learner.learn(email, query.first_name, query.last_name)
            except Exception:  # learning is a bonus; it never fails an enrichment
                log.debug("%s could not learn from a found address", name, exc_info=True)

    async def verify(self, email: str, contact: _Contact | None = None) -> Verdict:
        """Ask the verifiers in turn: any INVALID settles it, so does a DELIVERABLE; a
        CATCH_ALL or UNKNOWN asks the next one for a second opinion, and the best answer
        wins. A verifier that fails counts as UNKNOWN."""
        answers: list[tuple[Verdict, str]] = []
        address = email.strip().lower()
        for verifier in self.verifiers:
            try:
                if isinstance(verifier, PricedVerifier):
                    verdict, cost = await verifier.check(email)
                else:
                    verdict, cost = await verifier.verify(email), 0.0
            except ProviderError as exc:
                log.info("verifier %s failed: %s", verifier.name, exc.outcome)
                continue
            if contact is not None:
                contact.outcome.cost += cost
            if verdict.status.refutes or verdict.status is EmailStatus.DELIVERABLE:
                if contact is not None:
                    contact.verified_by[address] = verifier.name
                return verdict
            answers.append((verdict, verifier.name))
        if not answers:
            return Verdict(email=email, status=EmailStatus.UNKNOWN)
        best, name = min(answers, key=lambda answer: answer[0].status.rank)
        if contact is not None:
            contact.verified_by[address] = name
        return best

    async def flush(self) -> None:
        """Write out buffered call-log rows and cache entries now."""
        if self.writer is not None:
            await self.writer.flush()

    def forget_held(self) -> None:
        """Drop answers held in this process's memory (after an erasure)."""
        if self.cache is not None:
            self.cache.forget_held()

    async def aclose(self) -> None:
        """Flush the call log and the cache to the database."""
        for close in self._closers:
            await close()


def _placed(server: Sequence[Provider], own: Iterable[OwnSource]) -> Sequence[Provider]:
    """The workspace's own keys among the server's sources, each zone by priority: `front`
    first, `auto` just before the server's source of the same adapter (first when the
    server has none), `back` last."""
    mine = sorted(own, key=lambda o: o.priority)
    if not mine:
        return server
    adapters = {_adapter_of(p) for p in server}
    front = [
        o for o in mine if o.zone == "front" or (o.zone != "back" and o.adapter not in adapters)
    ]
    placed: list[Provider] = [o.provider for o in front]
    auto = [o for o in mine if o.zone not in ("front", "back") and o.adapter in adapters]
    for provider in server:
        placed += [o.provider for o in auto if o.adapter == _adapter_of(provider)]
        auto = [o for o in auto if o.adapter != _adapter_of(provider)]
        placed.append(provider)
    return placed + [o.provider for o in mine if o.zone == "back"]


def _enriches_companies(provider: Provider) -> bool:
    return isinstance(provider, GuardedProvider) and provider.serves_companies


def _learner(provider: Provider) -> Learner | None:
    """The source behind `provider` if it learns from addresses found elsewhere."""
    source = provider.source if isinstance(provider, GuardedProvider) else provider
    return source if isinstance(source, Learner) else None


def _adapter_of(provider: Provider) -> str:
    """The registry adapter behind a source (a configured name may differ from it)."""
    if isinstance(provider, GuardedProvider):
        return provider.config.adapter or provider.name
    return provider.name


def _counts(finding: Finding) -> bool:
    if isinstance(finding, EmailFinding):
        return finding.status is None or finding.status.is_found
    return isinstance(finding, PhoneFinding | ProfileFinding)
