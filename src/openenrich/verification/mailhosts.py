"""Mail providers recognised by their MX hosts, and what an accepted RCPT means at each.

One row per provider, each with its source. `policy` decides what a 250 proves:

- `probe`: the usual rule. A 250 counts only when the same host rejects a random address
  (the catch-all probe); otherwise the address is CATCH_ALL.
- `accepts_all`: the host answers 250 for any recipient and bounces later, so a 250
  proves nothing and no RCPT is sent at all: the address is CATCH_ALL (HIGH_PROBABILITY
  when another source corroborates it).

`OPENENRICH_SMTP_ACCEPT_ALL_MX` (MX suffixes) defaults to the accept-all rows; an
operator may extend or replace it.
`docs/email-verification.md` shows this table; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from openenrich.verification.routes import MailRoute


class RcptPolicy(StrEnum):
    PROBE = "probe"
    ACCEPTS_ALL = "accepts_all"


@dataclass(frozen=True, slots=True)
class MailProvider:
    key: str  # stable identifier, shown in API results
    name: str
    mx_suffixes: tuple[str, ...]
    policy: RcptPolicy
    note: str
    source: str


PROVIDERS: tuple[MailProvider, ...] = (
    MailProvider(
        "google",
        "Google (Gmail, Workspace)",
        ("google.com", "googlemail.com"),
        RcptPolicy.PROBE,
        "Unknown users get 550 5.1.1 NoSuchUser at RCPT; a 2024 report of blanket 250s "
        "was disputed, so the random probe still decides.",
        "kakshay21/verify_email#47 (log); zytzagoo/smtp-validate-email#84; "
        "reacherhq/check-if-email-exists core/src/mx/mod.rs",
    ),
    MailProvider(
        "outlook",
        "Outlook.com / Hotmail (consumer)",
        ("olc.protection.outlook.com",),
        RcptPolicy.PROBE,
        "May answer 452 to a second RCPT in one session: the prober then opens a fresh "
        "session (the 452 rule), so probe-then-user does not misreport.",
        "AfterShip/email-verifier#72; reacherhq/check-if-email-exists core/src/mx/mod.rs",
    ),
    MailProvider(
        "microsoft365",
        "Microsoft 365",
        ("mail.protection.outlook.com", "protection.outlook.com"),
        RcptPolicy.PROBE,
        "Tenant-dependent: some tenants reject unknown users (550 5.1.10 / 5.4.1), some "
        "accept all and bounce later; the random probe tells them apart.",
        "py3-validate-email PR #63 (comment); reacherhq/check-if-email-exists core/src/mx/mod.rs",
    ),
    MailProvider(
        "yahoo",
        "Yahoo / AOL",
        ("yahoodns.net", "yahoo.com", "aol.com"),
        RcptPolicy.ACCEPTS_ALL,
        "Accepts any recipient at RCPT, nonexistent ones included.",
        "reacherhq/check-if-email-exists#580; AfterShip/email-verifier#57; "
        "py3-validate-email PR #63",
    ),
    MailProvider(
        "mailru",
        "Mail.ru",
        ("mail.ru",),
        RcptPolicy.ACCEPTS_ALL,
        "Accepts any recipient at RCPT.",
        "reacherhq/check-if-email-exists#1208",
    ),
    MailProvider(
        "yandex",
        "Yandex",
        ("yandex.net", "yandex.ru"),
        RcptPolicy.PROBE,
        "Reported as catch-all for whole domains; the random probe finds that out per "
        "domain rather than assuming it.",
        "reacherhq/check-if-email-exists#940",
    ),
    MailProvider(
        "proofpoint",
        "Proofpoint (gateway)",
        ("pphosted.com", "ppe-hosted.com"),
        RcptPolicy.PROBE,
        "A filtering gateway in front of the real mailbox host; recipient checks depend "
        "on the customer's set-up, so the random probe decides.",
        "reacherhq/check-if-email-exists core/src/mx/mod.rs",
    ),
    MailProvider(
        "mimecast",
        "Mimecast (gateway)",
        ("mimecast.com",),
        RcptPolicy.PROBE,
        "A filtering gateway; recipient validation is a customer setting, so the random "
        "probe decides.",
        "reacherhq/check-if-email-exists core/src/mx/mod.rs",
    ),
)

ACCEPT_ALL_SUFFIXES: tuple[str, ...] = tuple(
    suffix for p in PROVIDERS if p.policy is RcptPolicy.ACCEPTS_ALL for suffix in p.mx_suffixes
)


def _matches(host: str, suffix: str) -> bool:
    return host == suffix or host.endswith("." + suffix)


def provider_of_host(host: str) -> MailProvider | None:
    """The provider whose MX suffix matches `host` (the longest suffix wins)."""
    best: tuple[int, MailProvider] | None = None
    for provider in PROVIDERS:
        for suffix in provider.mx_suffixes:
            if _matches(host, suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), provider)
    return best[1] if best else None


def provider_of(route: MailRoute) -> MailProvider | None:
    """The provider of the domain's most preferred recognised MX host."""
    for host in route.hosts:
        found = provider_of_host(host.name)
        if found is not None:
            return found
    return None


def accept_all_host(route: MailRoute, suffixes: tuple[str, ...] | list[str]) -> str | None:
    """The first MX host where a 250 proves nothing. `suffixes` is the setting
    `OPENENRICH_SMTP_ACCEPT_ALL_MX`, which defaults to this table's accept-all rows."""
    for host in route.hosts:
        if any(_matches(host.name, suffix) for suffix in suffixes):
            return host.name
    return None


def markdown_rows() -> list[str]:
    """The table's rows as `docs/email-verification.md` shows them."""
    return [
        f"| {p.key} | {p.name} | {', '.join(p.mx_suffixes)} | {p.policy.value} | {p.note} "
        f"| {p.source} |"
        for p in PROVIDERS
    ]
