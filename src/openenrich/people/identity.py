"""How a person or a company is recognised again: canonical URLs, names and domains."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from openenrich.people.terms import words
from openenrich.verification import domains

_NETWORK_HOST = re.compile(r"^(?:[a-z0-9-]+\.)?linkedin\.com$")


@lru_cache(maxsize=4096)
def network_handle(url: str, section: str) -> str:
    """The handle of a professional-network URL (`section` is `in` for a person,
    `company` for a company), lowercased and decoded, or '' when it is not one.
    Remembered: a record's URL is read several times on its way into the store."""
    text = url.strip()
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if not _NETWORK_HOST.match(host) or len(segments) < 2:
        return ""
    if section == "in" and segments[0] == "sales" and len(segments) >= 3:
        return unquote(segments[2].split(",")[0]).casefold()
    if segments[0] != section:
        return ""
    return unquote(segments[1]).casefold()


def network_url(handle: str, section: str) -> str:
    return f"https://www.linkedin.com/{section}/{handle}"


def domain(value: str) -> str:
    """`https://www.Example.com/about` -> `example.com`, or '' when it is no domain."""
    try:
        return domains.normalise_domain(value)
    except domains.DomainError:
        return ""


def name_key(full_name: str) -> str:
    """A name as merging compares it: its words, sorted (accents, case, order ignored)."""
    return " ".join(sorted(words(full_name)))
