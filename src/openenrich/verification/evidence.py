"""The typed results flattened into the evidence dictionaries that verdicts have always
carried (cached verdicts, `openenrich verify --json`): the one place that knows the old
keys and their order."""

from __future__ import annotations

from typing import Any

from openenrich.domain import Verdict
from openenrich.verification.details import RcptCheck, Reason, RouteCheck
from openenrich.verification.verdict import FindResult, Verification, unverifiable


def _reason(reason: Reason | None, detail: str | None = None) -> str | None:
    if reason is None:
        return None
    return f"{reason.value}: {detail}" if detail is not None else reason.value


def _route(route: RouteCheck) -> dict[str, Any]:
    hosts = [f"{h.preference} {h.name}" for h in route.route.hosts]
    evidence: dict[str, Any] = {"mx_records": hosts, "facts_cached": route.cached}
    if route.refused:
        evidence["refused"] = [r.summary() for r in route.refused]
    return evidence


def _rcpt(rcpt: RcptCheck) -> dict[str, Any]:
    return {"mx": rcpt.host, "mx_address": rcpt.address, "attempts": rcpt.attempts}


def verify_evidence(result: Verification) -> dict[str, Any]:
    d, reason = result.details, result.reason
    if d.syntax_error is not None:
        return {"reason": _reason(reason, d.syntax_error)}
    if d.timed_out or d.route is None:
        return {"reason": _reason(reason)}
    evidence = _route(d.route)
    if not d.route.routable or d.route.private:
        return {**evidence, "reason": _reason(reason)}
    if d.route.route.implicit:
        evidence["implicit_mx"] = True
    if d.route.accepts_all is not None:
        return {**evidence, "reason": _reason(reason), "mx": d.route.accepts_all}
    if d.rcpt is not None:
        evidence.update(_rcpt(d.rcpt), reply=d.reply.summary() if d.reply else None)
        if d.rcpt.failures:
            evidence["failures"] = list(d.rcpt.failures)
    if reason is not None:
        return {**evidence, "reason": _reason(reason)}
    if d.catch_all is not None:
        if d.catch_all.reply is not None:
            evidence["probe_reply"] = d.catch_all.reply.summary()
        evidence["catch_all_cached"] = d.catch_all.cached
        evidence["catch_all"] = d.catch_all.verdict
    return evidence


def find_evidence(result: FindResult) -> dict[str, Any]:
    d = result.details
    if d.timed_out:
        return {"reason": _reason(result.reason)}
    if d.domain_error is not None:
        return {"reason": _reason(result.reason, d.domain_error)}
    evidence: dict[str, Any] = {"domain": d.domain}
    if d.route is not None:
        evidence.update(_route(d.route))
    if d.route is None or not d.route.routable or d.route.private or not d.guesses:
        return {**evidence, "reason": _reason(result.reason)}
    evidence["learned_pattern"] = d.learned_pattern
    if d.rcpt is not None:
        evidence.update(_rcpt(d.rcpt))
        if d.rcpt.failures:
            evidence["failures"] = list(d.rcpt.failures)
    if d.catch_all is not None and d.catch_all.reply is not None:
        evidence["probe_reply"] = d.catch_all.reply.summary()
    if unverifiable(d):
        evidence.update(catch_all=True, pattern=result.pattern)
        if d.route.accepts_all is not None:
            evidence.update(reason=_reason(result.reason), mx=d.route.accepts_all)
        return evidence
    replies = d.rcpt.replies if d.rcpt is not None else {}
    evidence["replies"] = {email: replies[email].summary() for email in result.tried}
    if result.email is not None:
        evidence.update(
            pattern=result.pattern, catch_all=d.catch_all.verdict if d.catch_all else None
        )
    else:
        evidence["reason"] = _reason(result.reason)
    return evidence


def as_verdict(result: Verification) -> Verdict:
    """The verifier's answer in the shape every verifier gives the waterfall."""
    return Verdict(
        result.details.email,
        result.status,
        verify_evidence(result),
        personal=result.details.personal,
        disposable=result.details.disposable,
        role=result.details.role,
    )
