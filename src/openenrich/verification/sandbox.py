"""What sandbox keys get from the verify API: answers decided by the address itself, with
no DNS and no SMTP, so integrations can exercise every status for free.

The local part decides (case-insensitive prefix): `invalid` -> INVALID (550 5.1.1),
`catchall` -> CATCH_ALL, `greylisted` -> UNKNOWN (greylisted), `unknown` -> UNKNOWN
(timeout); a domain starting with `nodomain` -> INVALID_DOMAIN; anything else DELIVERABLE.
Syntax, typo suggestions and flags are computed for real."""

from __future__ import annotations

import dataclasses

from openenrich.verification.details import CatchAllCheck, RcptCheck, RouteCheck, VerifyDetails
from openenrich.verification.domains import (
    DomainError,
    is_disposable,
    is_free_mail,
    is_role,
    split_email,
)
from openenrich.verification.replies import Reply, ReplyKind, classify
from openenrich.verification.routes import MailHost, MailRoute, RouteStatus
from openenrich.verification.verdict import Verification, verify_verdict

_MX = "mx.sandbox.openenrich.invalid"


def _reply(local: str) -> Reply:
    lowered = local.lower()
    if lowered.startswith("invalid"):
        return classify(550, "5.1.1 <sandbox>: Recipient address rejected: User unknown")
    if lowered.startswith("greylisted"):
        return classify(450, "4.2.0 <sandbox>: Recipient address rejected: Greylisted")
    if lowered.startswith("unknown"):
        return Reply(0, "RCPT timed out", ReplyKind.TIMEOUT)
    return classify(250, "2.1.5 OK")


def sandbox_verification(email: str) -> Verification:
    email = email.strip()
    try:
        local, domain = split_email(email)
    except DomainError as exc:
        return verify_verdict(VerifyDetails(email, syntax_error=str(exc)))
    address = f"{local}@{domain}"
    details = VerifyDetails(
        email,
        address,
        personal=is_free_mail(domain),
        disposable=is_disposable(domain),
        role=is_role(local),
    )
    if domain.startswith("nodomain"):
        route = RouteCheck(MailRoute(domain, RouteStatus.NXDOMAIN))
        return verify_verdict(dataclasses.replace(details, route=route))
    route = RouteCheck(MailRoute(domain, RouteStatus.OK, (MailHost(_MX, 10, ("192.0.2.1",)),)))
    reply = _reply(local)
    rcpt = RcptCheck({address: reply}, _MX, "192.0.2.1", 1)
    catch_all = CatchAllCheck(local.lower().startswith("catchall"))
    return verify_verdict(dataclasses.replace(details, route=route, rcpt=rcpt, catch_all=catch_all))
