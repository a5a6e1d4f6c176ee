"""The verify API's answer for one address: the status and the details a user needs to
act on it (syntax and a typo suggestion, the domain's mail route and provider, the SMTP
reply, flags), as JSON and as a CSV row. `docs/email-verification.md` documents each
field and compares them with Reacher's."""

from __future__ import annotations

from typing import Any

from openenrich.verification.details import VerifyDetails
from openenrich.verification.domains import DomainError, split_email, suggest_domain
from openenrich.verification.mailhosts import provider_of
from openenrich.verification.replies import Reply, ReplyKind
from openenrich.verification.routes import RouteStatus
from openenrich.verification.verdict import Verification

_FULL_TEXT = ("mailbox full", "over quota", "quota exceeded", "mailbox is full", "insufficient")
_DISABLED_TEXT = ("disabled", "deactivated", "inactive", "account has been", "suspended")


def _full_inbox(reply: Reply | None) -> bool:
    if reply is None or reply.kind is ReplyKind.ACCEPTED:
        return False
    return reply.enhanced in ("5.2.2", "4.2.2") or any(t in reply.text.lower() for t in _FULL_TEXT)


def _disabled(reply: Reply | None) -> bool:
    if reply is None or reply.kind is ReplyKind.ACCEPTED:
        return False
    return reply.enhanced == "5.2.1" or any(t in reply.text.lower() for t in _DISABLED_TEXT)


def _syntax(d: VerifyDetails) -> dict[str, Any]:
    if d.syntax_error is not None:
        local, _, domain = d.email.rpartition("@")
        suggestion = None
        try:
            _, normalised = split_email(f"x@{domain}")
            fix = suggest_domain(normalised)
            suggestion = f"{local}@{fix}" if fix and local else None
        except DomainError:
            pass
        return {"valid": False, "error": d.syntax_error, "suggestion": suggestion}
    local, _, domain = d.address.rpartition("@")
    fix = suggest_domain(domain)
    return {
        "valid": True,
        "address": f"{local.lower()}@{domain}",
        "local_part": local,
        "domain": domain,
        "suggestion": f"{local.lower()}@{fix}" if fix else None,
    }


def _domain(d: VerifyDetails) -> dict[str, Any] | None:
    if d.route is None:
        return None
    route = d.route.route
    provider = provider_of(route)
    return {
        "mx": [{"host": h.name, "preference": h.preference} for h in route.hosts],
        "accepts_mail": d.route.routable,
        "null_mx": route.status is RouteStatus.NULL_MX,
        "exists": route.status is not RouteStatus.NXDOMAIN,
        "implicit_mx": route.implicit,  # no MX: the domain's own A/AAAA (RFC 5321 §5.1)
        "provider": provider.key if provider else None,
        "provider_name": provider.name if provider else None,
        "accepts_all_at_rcpt": d.route.accepts_all is not None,
        "refused_hosts": [r.summary() for r in d.route.refused],
        "cached": d.route.cached,
    }


def _smtp(d: VerifyDetails) -> dict[str, Any]:
    reply = d.reply
    rcpt = d.rcpt
    catch_all = d.catch_all.verdict if d.catch_all is not None else None
    if d.route is not None and d.route.accepts_all is not None:
        catch_all = True
    greylisted = bool(rcpt and rcpt.attempts > 1) or bool(
        reply and reply.kind is ReplyKind.GREYLISTED
    )
    return {
        "checked": rcpt is not None,
        "host": rcpt.host if rcpt else None,
        "connected": bool(rcpt and rcpt.host),
        "code": reply.code if reply and reply.code else None,
        "enhanced_code": reply.enhanced if reply else None,
        "reply": reply.summary() if reply and reply.code else None,
        "catch_all": catch_all,
        "greylisted": greylisted,
        "full_inbox": _full_inbox(reply),
        "disabled": _disabled(reply),
        "attempts": rcpt.attempts if rcpt else 0,
        "failures": list(rcpt.failures) if rcpt else [],
    }


def report(result: Verification, *, retrying: bool = False) -> dict[str, Any]:
    """The JSON object of `POST /email/verify` and of each bulk record. `email` and
    `status` always come first (scripts rely on them)."""
    d = result.details
    return {
        "email": d.email,
        "status": result.status.value,
        "reason": result.reason.value if result.reason is not None else None,
        "retrying": retrying,
        "syntax": _syntax(d),
        "domain": _domain(d),
        "smtp": _smtp(d),
        "flags": {"role": d.role, "disposable": d.disposable, "free": d.personal},
    }


CSV_COLUMNS = (
    "email",
    "status",
    "reason",
    "retrying",
    "normalized",
    "suggestion",
    "mx",
    "provider",
    "smtp_code",
    "smtp_enhanced_code",
    "catch_all",
    "greylisted",
    "full_inbox",
    "disabled",
    "role",
    "disposable",
    "free",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_cells(record: dict[str, Any]) -> list[str]:
    """A report flattened into `CSV_COLUMNS` (a record never verified has only `email`)."""
    syntax = record.get("syntax") or {}
    domain = record.get("domain") or {}
    smtp = record.get("smtp") or {}
    flags = record.get("flags") or {}
    values = (
        record.get("email"),
        record.get("status"),
        record.get("reason"),
        record.get("retrying"),
        syntax.get("address"),
        syntax.get("suggestion"),
        " ".join(mx["host"] for mx in domain.get("mx", [])) or None,
        domain.get("provider"),
        smtp.get("code"),
        smtp.get("enhanced_code"),
        smtp.get("catch_all"),
        smtp.get("greylisted"),
        smtp.get("full_inbox"),
        smtp.get("disabled"),
        flags.get("role"),
        flags.get("disposable"),
        flags.get("free"),
    )
    return [_cell(v) for v in values]
