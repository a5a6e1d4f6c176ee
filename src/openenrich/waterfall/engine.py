"""Per-field waterfalls over ordered sources, run concurrently for one contact.

Each field asks its sources in order and stops when its rule is met (`stop.StopRules`).
Every email a source returns is verified before it is accepted, unless the source's own
status is trusted; an INVALID address sends the waterfall on. A source is asked once per
contact for all the requested fields it serves, so findings for another field (a phone in
a person match) are used, not paid for again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from openenrich.domain import (
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
from openenrich.waterfall.calllog import CallLog
from openenrich.waterfall.guard import SourceGuard
from openenrich.waterfall.ordering import AdaptiveRanker, expected_cost
from openenrich.waterfall.sources import CACHE_SCOPE, GuardedProvider
from openenrich.waterfall.stop import StopRules, field_satisfied, with_line_type

log = logging.getLogger(__name__)

__all__ = ["Waterfall", "WaterfallOutcome", "field_satisfied"]


@dataclass(slots=True)
class WaterfallOutcome:
    """Every finding kept for one contact, and what the sources cost.

    Emails carry their final status; candidates that failed verification (INVALID,
    UNKNOWN) are kept too, so only `status.is_found` ones count as found."""

    findings: list[Finding] = field(default_factory=list)
    cost: float = 0.0
    # The source each kept value came from, by `source_key`, for the audit trail.
    found_by: dict[str, str] = field(default_factory=dict)


def source_key(finding: Finding) -> str:
    """What identifies a finding's value across sources (as `_Contact.add` dedupes)."""
    if isinstance(finding, EmailFinding):
        return "email:" + finding.email.strip().lower()
    if isinstance(finding, PhoneFinding):
        return "phone:" + "".join(ch for ch in finding.number if ch.isdigit())
    network = finding.person.get("social_profiles", {}).get("professional_network", {})
    return "profile:" + str(network.get("url", ""))


class _Contact:
    """The running state of one contact: findings deduplicated, spend so far."""

    def __init__(self) -> None:
        self.outcome = WaterfallOutcome()
        self._emails: dict[str, int] = {}
        self._phones: dict[str, int] = {}
        self.taken: dict[str, asyncio.Future[None]] = {}
        self.sources: dict[str, set[str]] = {}  # address -> sources that returned it

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

    def add(self, finding: Finding, source: str) -> None:
        items = self.outcome.findings
        kept = False
        if isinstance(finding, EmailFinding):
            key = finding.email.strip().lower()
            index = self._emails.get(key)
            if index is None:
                self._emails[key] = len(items)
                items.append(finding)
                kept = True
            elif _email_better(finding, items[index]):
                items[index] = finding
                kept = True
        elif isinstance(finding, PhoneFinding):
            key = "".join(ch for ch in finding.number if ch.isdigit())
            if key not in self._phones:
                self._phones[key] = len(items)
                items.append(finding)
                kept = True
        elif finding not in items:
            items.append(finding)
            kept = True
        if kept:
            self.outcome.found_by[source_key(finding)] = source


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
    ) -> None:
        self.order = order
        self.verifiers = list(verifiers)
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

    async def run(
        self, query: ContactQuery, fields: frozenset[Field], *, workspace_id: str = ""
    ) -> WaterfallOutcome:
        """Enrich one contact. `workspace_id` matters only when answers are cached per
        workspace."""
        token = CACHE_SCOPE.set(workspace_id if self.per_workspace_cache else "")
        try:
            contact = _Contact()
            # A task group: if one field's waterfall fails, the others stop with it rather
            # than go on paying vendors for a contact that is being given up.
            async with asyncio.TaskGroup() as group:
                for wanted in fields:
                    group.create_task(self._one_field(query, wanted, fields, contact))
        finally:
            CACHE_SCOPE.reset(token)
        contact.corroborate()
        # Corroboration first: two sources agreeing may lift a CATCH_ALL that the rules
        # (safe_only) would otherwise drop.
        findings = contact.outcome.findings
        contact.outcome.findings = [f for f in findings if self.rules.keeps(f)]
        return contact.outcome

    def _sources(self, wanted: Field) -> Sequence[Provider]:
        sources = self.order.get(wanted, ())
        return self.ranker.order(wanted, sources) if self.ranker else sources

    async def _one_field(
        self, query: ContactQuery, wanted: Field, fields: frozenset[Field], contact: _Contact
    ) -> None:
        cap = self.max_cost_per_contact
        for provider in self._sources(wanted):
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
                relevant = [f for f in usable(result.findings) if kind_of(f) in fields]
                contact.returned_by(provider.name, relevant)
                found = False
                for finding in await self._accept(provider, relevant, contact, query):
                    contact.add(finding, provider.name)
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

        async def one(finding: Finding) -> Finding:
            if isinstance(finding, PhoneFinding):
                return with_line_type(finding)
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
        answers: list[Verdict] = []
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
                return verdict
            answers.append(verdict)
        if not answers:
            return Verdict(email=email, status=EmailStatus.UNKNOWN)
        return min(answers, key=lambda verdict: verdict.status.rank)

    async def aclose(self) -> None:
        """Flush the call log and the cache to the database."""
        for close in self._closers:
            await close()


def _learner(provider: Provider) -> Learner | None:
    """The source behind `provider` if it learns from addresses found elsewhere."""
    source = provider.source if isinstance(provider, GuardedProvider) else provider
    return source if isinstance(source, Learner) else None


def _counts(finding: Finding) -> bool:
    if isinstance(finding, EmailFinding):
        return finding.status is None or finding.status.is_found
    return isinstance(finding, PhoneFinding | ProfileFinding)
