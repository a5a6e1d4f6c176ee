"""What an SMTP reply means for the recipient: by reply code first, then enhanced status
code (RFC 3463), and only then by text. Text-first classifiers read Postfix's greylisting
reply ("450 4.2.0 ... Recipient address rejected: Greylisted") as an unknown user."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class ReplyKind(StrEnum):
    ACCEPTED = "accepted"
    USER_UNKNOWN = "user_unknown"  # permanent: no such mailbox (or disabled, or full)
    GREYLISTED = "greylisted"  # temporary, expected to clear on a later attempt
    TEMPORARY = "temporary"  # other 4xx
    TOO_MANY_RECIPIENTS = "too_many_recipients"  # 452 / 4.5.3: open a fresh session
    UNAVAILABLE = "unavailable"  # 421: the server is closing the session
    POLICY = "policy"  # 5xx that is about us (blocklist, relaying, auth), not the user
    REJECTED = "rejected"  # 5xx we cannot attribute
    TIMEOUT = "timeout"  # no reply in time (synthetic)
    NO_CONNECTION = "no_connection"  # no MX would talk to us (synthetic)

    @property
    def temporary(self) -> bool:
        return self in _TEMPORARY


_TEMPORARY = frozenset(
    {
        ReplyKind.GREYLISTED,
        ReplyKind.TEMPORARY,
        ReplyKind.TOO_MANY_RECIPIENTS,
        ReplyKind.UNAVAILABLE,
        ReplyKind.TIMEOUT,
        ReplyKind.NO_CONNECTION,
    }
)

_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")

_GREYLIST_TEXT = (
    "greylist",
    "graylist",
    "grey-list",
    "gray-list",
    "postgrey",
    "try again later",
    "try later",
    "please retry",
    "deferred",
    "temporarily rejected",
)
_TOO_MANY_TEXT = ("too many recipients", "too many rcpt", "recipient limit")
_POLICY_TEXT = (
    "spamhaus",
    "blacklist",
    "blocklist",
    "block list",
    "black list",
    "dnsbl",
    "rbl",
    "barracuda",
    "spamcop",
    "sorbs",
    "listed at",
    "listed on",
    "blocked",
    "reputation",
    "relay access denied",
    "relaying denied",
    "relay not permitted",
    "not permitted to relay",
    "reverse dns",
    "rdns",
    "ptr record",
    "helo",
    "authentication required",
    "spf",
    "access denied",
    "policy",
    "poor reputation",
)
_USER_TEXT = (
    "user unknown",
    "unknown user",
    "no such user",
    "no such recipient",
    "no such mailbox",
    "mailbox unavailable",
    "mailbox not found",
    "mailbox does not exist",
    "does not exist",
    "doesn't exist",
    "invalid recipient",
    "invalid mailbox",
    "invalid address",
    "recipient not found",
    "recipient unknown",
    "unknown recipient",
    "address rejected",
    "not a valid mailbox",
    "undeliverable address",
    "unrouteable address",
    "disabled",
    "deactivated",
    "inactive",
    "mailbox full",
    "over quota",
    "quota exceeded",
    "account has been",
    "no mailbox",
    "user not found",
    "not found",
)


@dataclass(frozen=True, slots=True)
class Reply:
    code: int
    text: str
    kind: ReplyKind
    enhanced: str | None = None

    def summary(self) -> str:
        return f"{self.code} {self.text}".strip()[:200] if self.code else self.kind.value


def enhanced_code(text: str) -> str | None:
    match = _ENHANCED.match(text)
    return ".".join(match.groups()) if match else None


def _has(text: str, needles: tuple[str, ...]) -> bool:
    return any(needle in text for needle in needles)


def classify(code: int, text: str) -> Reply:
    """Classify a reply to RCPT (also used for MAIL and greetings)."""
    lowered = text.lower()
    enhanced = enhanced_code(text)
    kind: ReplyKind
    if 200 <= code < 300:
        kind = ReplyKind.ACCEPTED
    elif 400 <= code < 500:
        if code == 421:
            kind = ReplyKind.UNAVAILABLE
        elif code == 452 or enhanced == "4.5.3" or _has(lowered, _TOO_MANY_TEXT):
            kind = ReplyKind.TOO_MANY_RECIPIENTS
        elif _has(lowered, _GREYLIST_TEXT) or (enhanced or "").startswith("4.7."):
            kind = ReplyKind.GREYLISTED
        else:
            kind = ReplyKind.TEMPORARY
    elif 500 <= code < 600:
        kind = _permanent(code, enhanced, lowered)
    else:
        kind = ReplyKind.REJECTED
    return Reply(code=code, text=text.strip(), kind=kind, enhanced=enhanced)


def _permanent(code: int, enhanced: str | None, lowered: str) -> ReplyKind:
    if enhanced is not None:
        subject = enhanced.split(".")[1]
        if enhanced == "5.5.3" or _has(lowered, _TOO_MANY_TEXT):
            return ReplyKind.TOO_MANY_RECIPIENTS
        if subject == "1" and enhanced not in ("5.1.7", "5.1.8"):
            # 5.1.1 bad mailbox, 5.1.0/5.1.6/5.1.10 (Microsoft 365); 5.1.7/5.1.8 are the sender.
            return ReplyKind.USER_UNKNOWN
        if enhanced in ("5.2.1", "5.2.2"):  # disabled, full
            return ReplyKind.USER_UNKNOWN
        if subject == "7" or enhanced in ("5.1.7", "5.1.8", "5.5.1", "5.5.2", "5.3.0"):
            return ReplyKind.POLICY
    if _has(lowered, _POLICY_TEXT):
        return ReplyKind.POLICY
    if _has(lowered, _TOO_MANY_TEXT):
        return ReplyKind.TOO_MANY_RECIPIENTS
    if code in (550, 551, 553) and _has(lowered, _USER_TEXT):
        return ReplyKind.USER_UNKNOWN
    if code in (550, 551, 552, 553) and enhanced is None and not lowered.strip():
        return ReplyKind.USER_UNKNOWN  # a bare "550": mailbox unavailable per RFC 5321
    if code == 550 and enhanced is None:
        return ReplyKind.USER_UNKNOWN
    return ReplyKind.REJECTED
