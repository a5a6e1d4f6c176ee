"""Finding work emails from a name and a domain, and proving them with the domain's own
mail server: names and patterns, domains, DNS routes, SMTP probes, reply classification,
cached domain facts, and the engine that ties them together."""

from openenrich.verification.details import Reason
from openenrich.verification.engine import EmailEngine
from openenrich.verification.facts import (
    DomainFacts,
    DomainFactsStore,
    MemoryFactsStore,
    SqlFactsStore,
)
from openenrich.verification.results import FindResult, Verification
from openenrich.verification.settings import VerificationSettings

__all__ = [
    "DomainFacts",
    "DomainFactsStore",
    "EmailEngine",
    "FindResult",
    "MemoryFactsStore",
    "Reason",
    "SqlFactsStore",
    "Verification",
    "VerificationSettings",
]
