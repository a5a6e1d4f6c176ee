"""Finding work emails from a name and a domain, and proving them with the domain's own
mail server: names and patterns, domains, DNS routes, SMTP probes, reply classification,
cached domain facts, the engine that ties them together, its typed step details and the
pure verdict functions that turn them into a status."""

from openenrich.verification.details import Reason
from openenrich.verification.engine import EmailEngine
from openenrich.verification.facts import (
    DomainFacts,
    DomainFactsStore,
    MemoryFactsStore,
    SqlFactsStore,
)
from openenrich.verification.settings import VerificationSettings
from openenrich.verification.verdict import FindResult, Verification

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
