"""Normalised inputs: two queries that mean the same person hash to the same cache key."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import orjson
from anyascii import anyascii

from openenrich.domain import CompanyQuery, ContactQuery, Field
from openenrich.verification import domains

_SPACES = re.compile(r"\s+")
_LINKEDIN_HANDLE = re.compile(r"linkedin\.com/(?:in|pub)/([^/?#]+)", re.IGNORECASE)
_LINKEDIN_COMPANY = re.compile(r"linkedin\.com/company/([^/?#]+)", re.IGNORECASE)


def _name(value: str) -> str:
    return _SPACES.sub(" ", anyascii(value).strip().lower())


def normalise_domain(value: str) -> str:
    """`https://www.Acme.com/about` -> `acme.com`; what is not a domain is kept, lowered."""
    try:
        return domains.normalise_domain(value)
    except domains.DomainError:
        return value.strip().lower()


def normalise_linkedin(value: str) -> str:
    """Any profile URL form -> `linkedin.com/in/<handle>` (other URLs are kept, lowered)."""
    match = _LINKEDIN_HANDLE.search(value)
    if match:
        return f"linkedin.com/in/{match.group(1).lower()}"
    return value.strip().lower()


def normalise_query(query: ContactQuery) -> ContactQuery:
    return ContactQuery(
        first_name=_name(query.first_name),
        last_name=_name(query.last_name),
        domain=normalise_domain(query.domain),
        company_name=_name(query.company_name),
        linkedin_url=normalise_linkedin(query.linkedin_url),
        email=query.email.strip().lower(),
    )


def _digest(*parts: object) -> str:
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()


@lru_cache(maxsize=8192)
def query_hash(query: ContactQuery) -> str:
    """Digest of the normalised input, logged instead of the personal data itself (memoised:
    one contact asks several sources in a row)."""
    q = normalise_query(query)
    return _digest(q.first_name, q.last_name, q.domain, q.company_name, q.linkedin_url, q.email)


def company_hash(query: CompanyQuery) -> str:
    """Digest of a normalised company lookup: any spelling of a domain or of a LinkedIn
    company page means the same company."""
    page = query.professional_network_url
    match = _LINKEDIN_COMPANY.search(page)
    page = f"linkedin.com/company/{match.group(1).lower()}" if match else page.strip().lower()
    domain = normalise_domain(query.domain)
    return _digest("company", domain, page, query.professional_network_id)


def find_key(scope: str, provider: str, fields: frozenset[Field], digest: str) -> str:
    """Cache key of a finder's answer; `digest` is the input's `query_hash`."""
    return _digest("find", scope, provider, sorted(fields), digest)


def company_key(scope: str, provider: str, digest: str) -> str:
    """Cache key of a company lookup's answer; `digest` is the input's `company_hash`."""
    return _digest("company", scope, provider, digest)


def verify_key(scope: str, verifier: str, email: str) -> str:
    return _digest("verify", scope, verifier, email.strip().lower())


def key_id(api_key: str) -> str:
    """A short digest naming an API key in logs and limiter keys (never the key itself)."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:12] if api_key else ""
