"""The verify API's use cases: one address answered synchronously, and bulk jobs started
through the same `JobStarter` (and so the same workers, leases and webhooks) as
enrichments. Raises the typed errors of `openenrich.errors`; never commits for a caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from openenrich import errors
from openenrich.accounts import repository as accounts
from openenrich.accounts.models import LedgerEntry
from openenrich.accounts.repository import Caller
from openenrich.db import Database
from openenrich.domain import Field
from openenrich.enrichment.models import Enrichment, JobKind
from openenrich.enrichment.service import JobStarter
from openenrich.enrichment.validation import BulkRequest, ContactInput
from openenrich.verification.details import Reason
from openenrich.verification.processor import verified
from openenrich.verification.report import report
from openenrich.verification.sandbox import sandbox_verification
from openenrich.verification.validation import FIELDS
from openenrich.verification.verdict import Verification

# Reasons that a later attempt may settle: the synchronous answer hands the address to a
# one-address job that retries it on the greylisting schedule.
RETRIED = frozenset({Reason.GREYLISTED, Reason.TEMPORARY, Reason.TOO_MANY_RECIPIENTS})

# One attempt at an address within a time limit (the live engine, no greylisting retries).
FirstAttempt = Callable[[str, float], Awaitable[Verification]]


class VerifyService:
    def __init__(
        self,
        db: Database,
        starter: JobStarter,
        first_attempt: FirstAttempt,
        *,
        price: int = 0,
        timeout: float = 25.0,
    ) -> None:
        self.db = db
        self.starter = starter
        self.first_attempt = first_attempt
        self.price = price
        self.timeout = timeout

    async def verify_one(self, caller: Caller, api_key: str, email: str) -> dict[str, Any]:
        """The address's status now. A greylisted (or otherwise temporarily refused)
        address answers UNKNOWN at once with `retrying: true` and the id of the job that
        retries it; a conclusive answer costs `price` credits (nothing is charged for
        UNKNOWN), refused with 402 when the balance cannot pay."""
        if self.price:
            async with self.db.read() as session:
                funds = await accounts.balance(session, caller.workspace_id, caller.sandbox)
            if funds < self.price:
                raise errors.CreditsInsufficient()
        if caller.sandbox:
            result = sandbox_verification(email)
        else:
            result = await self.first_attempt(email, self.timeout)
        retrying = result.reason in RETRIED
        body = report(result, retrying=retrying)
        if retrying:
            job = await self.start(caller, api_key, _one(email), name="retry")
            body["retry"] = {"id": job.id, "url": f"/api/v2/email/verify/bulk/{job.id}"}
        if self.price and verified(result):
            await self._charge(caller)
        return body

    async def _charge(self, caller: Caller) -> None:
        async with self.db.transaction() as session:
            ws, sandbox = caller.workspace_id, caller.sandbox
            if not await accounts.try_debit(session, ws, sandbox, self.price):
                raise errors.CreditsInsufficient()
            session.add(
                LedgerEntry(
                    workspace_id=ws,
                    sandbox=sandbox,
                    amount=-self.price,
                    reason="charge",
                    item=Field.VERIFIED_EMAIL.key,
                )
            )

    async def start(
        self, caller: Caller, api_key: str, bulk: BulkRequest, name: str | None = None
    ) -> Enrichment:
        if name is not None:
            bulk.name = name
        return await self.starter.start(caller, api_key, bulk, kind=JobKind.VERIFY_EMAIL)


def _one(email: str) -> BulkRequest:
    return BulkRequest("retry", None, None, [ContactInput(email=email, fields=FIELDS)])
