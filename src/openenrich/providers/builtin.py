"""The built-in source: guesses work emails from a name and a company domain and proves
them with the domain's own mail server; and verifies any address other sources found.
No vendor, no key, no cost."""

from __future__ import annotations

import dns.asyncresolver

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field, Verdict
from openenrich.providers.base import ErrorKind, ProviderError, ProviderResult
from openenrich.verification.details import Reason
from openenrich.verification.domains import DomainError, is_free_mail, registrable_domain
from openenrich.verification.engine import EmailEngine
from openenrich.verification.evidence import as_verdict
from openenrich.verification.facts import DomainFactsStore
from openenrich.verification.settings import VerificationSettings


def _engine(
    settings: VerificationSettings | None,
    facts: DomainFactsStore | None,
    resolver: dns.asyncresolver.Resolver | None,
    smtp_port: int | None,
    engine: EmailEngine | None,
) -> EmailEngine:
    if engine is not None:
        return engine
    return EmailEngine(settings, facts, resolver=resolver, smtp_port=smtp_port)


class BuiltinFinder:
    """`Provider` for work emails. Pass one `engine` to a finder and a verifier so they
    share SMTP sessions and domain facts."""

    name = "builtin"
    fields = frozenset({Field.WORK_EMAIL})

    def __init__(
        self,
        settings: VerificationSettings | None = None,
        facts: DomainFactsStore | None = None,
        *,
        resolver: dns.asyncresolver.Resolver | None = None,
        smtp_port: int | None = None,
        engine: EmailEngine | None = None,
    ) -> None:
        self.engine = _engine(settings, facts, resolver, smtp_port, engine)

    async def find(self, query: ContactQuery, fields: frozenset[Field]) -> ProviderResult:
        if Field.WORK_EMAIL not in fields or not query.domain or not query.first_name:
            return ProviderResult()
        try:
            domain = registrable_domain(query.domain)
        except DomainError:
            return ProviderResult()
        if is_free_mail(domain):
            return ProviderResult()  # a webmail domain is nobody's employer
        found = await self.engine.find(query.first_name, query.last_name, domain)
        if found.email is not None and found.status.is_found:
            return ProviderResult([EmailFinding(found.email, Field.WORK_EMAIL, found.status)])
        if found.status is EmailStatus.UNKNOWN and found.reason is not Reason.NO_USABLE_NAME:
            # Greylisting, timeouts, DNS failures: not a clean miss (worth another try on a
            # later enrichment, so nothing is cached), and not the finder's fault either.
            reason = found.reason.value if found.reason is not None else "unknown"
            raise ProviderError(ErrorKind.INCONCLUSIVE, reason)
        return ProviderResult()

    async def learn(self, email: str, first_name: str, last_name: str) -> str | None:
        """Teach the domain's pattern from an address another source confirmed."""
        return await self.engine.learn(email, first_name, last_name)

    async def aclose(self) -> None:
        await self.engine.aclose()


class BuiltinVerifier:
    """`Verifier` for any address: SMTP proof on the domain's own MX."""

    name = "builtin"

    def __init__(
        self,
        settings: VerificationSettings | None = None,
        facts: DomainFactsStore | None = None,
        *,
        resolver: dns.asyncresolver.Resolver | None = None,
        smtp_port: int | None = None,
        engine: EmailEngine | None = None,
    ) -> None:
        self.engine = _engine(settings, facts, resolver, smtp_port, engine)

    async def verify(self, email: str, *, corroborated: bool = False) -> Verdict:
        """`corroborated`: more than one source gave this address (evidence on catch-all)."""
        return as_verdict(await self.engine.verify(email, corroborated=corroborated))

    async def aclose(self) -> None:
        await self.engine.aclose()
