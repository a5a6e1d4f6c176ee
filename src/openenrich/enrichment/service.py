"""The job use cases: start one (v1 and v2, enrich and reverse) and read its result.

Both raise the typed errors of `openenrich.errors`; endpoints only translate HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from cachetools import LRUCache
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich import errors
from openenrich.accounts.repository import Caller
from openenrich.accounts.team_models import WorkspaceSettings
from openenrich.db import Database, is_uuid, utcnow
from openenrich.enrichment import repository
from openenrich.enrichment.bodies import dumps, envelope
from openenrich.enrichment.events import JobWebhooks
from openenrich.enrichment.jobs import ContactJobs, records_of
from openenrich.enrichment.models import (
    Contact,
    Enrichment,
    EnrichmentStatus,
    JobKind,
)
from openenrich.enrichment.validation import BulkRequest
from openenrich.queue.wake import Wakeup

# What each kind of job answers for an id its caller cannot see.
NOT_FOUND: dict[JobKind, type[errors.JobNotFound]] = {
    JobKind.ENRICH: errors.EnrichmentNotFound,
    JobKind.REVERSE_EMAIL: errors.ReverseEmailNotFound,
    JobKind.VERIFY_EMAIL: errors.VerifyJobNotFound,
}


class JobStarter:
    """Starting a job: every start endpoint, v1 and v2, enrich and reverse, comes here."""

    def __init__(
        self, db: Database, contact_jobs: ContactJobs, webhooks: JobWebhooks, wakeup: Wakeup
    ) -> None:
        self.db = db
        self.jobs = contact_jobs
        self.webhooks = webhooks
        self.wakeup = wakeup

    async def start(
        self,
        caller: Caller,
        api_key: str,
        bulk: BulkRequest,
        *,
        kind: JobKind = JobKind.ENRICH,
        api_version: str = "v2",
    ) -> Enrichment:
        """Write the job, its contacts and its webhook signing state in one transaction,
        then wake the workers (never before: a job must not run against rows that may
        roll back). A job without contacts is closed at once. A job started in a
        sub-account scope belongs to it; an archived sub-account starts nothing."""
        if caller.sub_account_archived:
            raise errors.SubAccountArchived()
        self.webhooks.check_destinations(bulk.webhook_url, bulk.contact_webhook_url)
        async with self.db.transaction(short=True) as session:
            enrichment = await self._write(session, caller, bulk, kind, api_version)
            await self.webhooks.attach(session, enrichment, api_key)
            if not bulk.contacts:
                await self.jobs.close_if_done(session, enrichment)
        await self.wakeup.notify()
        return enrichment

    @staticmethod
    async def _write(
        session: AsyncSession, caller: Caller, request: BulkRequest, kind: JobKind, version: str
    ) -> Enrichment:
        """The enrichment and all its contacts (queued), flushed, not committed."""
        provenance = request.provenance
        if provenance is None:  # the workspace's default
            settings = await session.get(WorkspaceSettings, caller.workspace_id)
            provenance = settings is not None and settings.provenance
        enrichment = Enrichment(
            workspace_id=caller.workspace_id,
            sub_account_id=caller.sub_account_id,
            max_credits=request.max_credits,
            provenance=provenance,
            api_key_id=caller.api_key_id,
            sandbox=caller.sandbox,
            kind=kind,
            api_version=version,
            name=request.name,
            webhook_url=request.webhook_url,
            contact_webhook_url=request.contact_webhook_url,
            contact_count=len(request.contacts),
        )
        session.add(enrichment)
        await session.flush()
        for idx, item in enumerate(request.contacts):
            session.add(
                Contact(
                    enrichment_id=enrichment.id,
                    idx=idx,
                    input=item.stored(),
                    fields=list(item.fields),
                    custom=item.custom,
                    dedup_key=item.dedup_key(),
                )
            )
        await session.flush()
        return enrichment


def _cache_key(caller: Caller, enrichment_id: str, kind: JobKind) -> tuple[str, str, str, str]:
    return (caller.workspace_id, caller.scope, kind.value, enrichment_id)


CacheKey = tuple[str, str, str, str]
Answer = tuple[int, bytes]
# What one kept answer costs besides its body: the key, the tuple, the cache's bookkeeping.
ENTRY_OVERHEAD = 512


def answer_size(answer: Answer) -> int:
    """The bytes one kept answer holds, for the cache's byte bound."""
    return len(answer[1]) + ENTRY_OVERHEAD


class ResultReader:
    """GET of a job: terminal bodies are read once and kept, since they never change, in a
    cache bounded by bytes (`cache_bytes`), least recently read dropped first; except by an
    erasure (which forgets them here; other processes drop theirs within `hold`) or at the
    end of their retention (after which the job answers 404)."""

    def __init__(
        self,
        db: Database,
        contact_jobs: ContactJobs,
        in_progress_as_status: bool,
        cache_bytes: int = 64 * 1024 * 1024,
        parent_sees_sub_accounts: bool = True,
        *,
        retention: timedelta | None = None,
        hold: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.jobs = contact_jobs
        self.in_progress_as_status = in_progress_as_status
        self.parent_sees_sub_accounts = parent_sees_sub_accounts
        self.retention = retention
        self.hold = hold
        self.clock = clock
        # key -> (served from memory until, answer)
        self._terminal: LRUCache[CacheKey, tuple[datetime, Answer]] = LRUCache(
            maxsize=cache_bytes, getsizeof=lambda held: answer_size(held[1])
        )

    @property
    def cached_bytes(self) -> int:
        """What the kept bodies weigh now (never more than `cache_bytes`)."""
        return int(self._terminal.currsize)

    def _keep(self, key: CacheKey, answer: Answer, until: datetime) -> None:
        if answer_size(answer) <= self._terminal.maxsize:  # else it would raise
            self._terminal[key] = (until, answer)

    def cached(self, caller: Caller, enrichment_id: str, kind: JobKind) -> tuple[int, bytes] | None:
        """The answer of a terminal job already read once in this caller's scope (workspace,
        mode and sub-account), while it may still be served from memory."""
        held = self._terminal.get(_cache_key(caller, enrichment_id, kind))
        if held is None or held[0] <= self.clock():
            return None
        return held[1]

    def forget(self, enrichment_ids: Iterable[str] | None = None) -> None:
        """Stop serving held bodies of these jobs (of every job when None)."""
        if enrichment_ids is None:
            self._terminal.clear()
            return
        gone = set(enrichment_ids)
        for key in [k for k in self._terminal if k[3] in gone]:
            del self._terminal[key]

    def _expired(self, enrichment: Enrichment, now: datetime) -> bool:
        return (
            self.retention is not None
            and enrichment.finished_at is not None
            and enrichment.finished_at + self.retention <= now
        )

    async def read(
        self,
        caller: Caller,
        enrichment_id: str,
        kind: JobKind,
        force: bool,
    ) -> tuple[int, bytes]:
        """(HTTP status, body). 402 carries the full body when credits ran out. Raises
        `NOT_FOUND[kind]`, or `EnrichmentInProgress` for a running enrichment read
        without `force` (unless the server answers running jobs with their status)."""
        cached = self.cached(caller, enrichment_id, kind)
        if cached is not None:
            return cached
        cache_key = _cache_key(caller, enrichment_id, kind)
        if not is_uuid(enrichment_id):
            raise NOT_FOUND[kind]()
        async with self.db.read() as session:
            enrichment = await repository.get_enrichment(
                session, enrichment_id, caller.workspace_id, caller.sandbox, kind
            )
            now = self.clock()
            if (
                enrichment is None
                or not self._visible(caller, enrichment)
                or self._expired(enrichment, now)
            ):
                raise NOT_FOUND[kind]()
            status = EnrichmentStatus(enrichment.status)
            if status.terminal and enrichment.result_body is not None:
                code = 402 if status is EnrichmentStatus.CREDITS_INSUFFICIENT else 200
                answer = (code, enrichment.result_body)
                until = now + self.hold
                if self.retention is not None and enrichment.finished_at is not None:
                    until = min(until, enrichment.finished_at + self.retention)
                self._keep(cache_key, answer, until)
                return answer
            if force:
                processor = self.jobs.processors[enrichment.kind]
                records = await records_of(session, enrichment, processor)
                return 200, dumps(envelope(enrichment, records))
        if self.in_progress_as_status or kind is not JobKind.ENRICH:
            return 200, dumps(envelope(enrichment, None))
        raise errors.EnrichmentInProgress()

    def _visible(self, caller: Caller, enrichment: Enrichment) -> bool:
        """A sub-account sees its own jobs only; the workspace itself sees every job of
        its sub-accounts too (unless configured to see only its direct jobs)."""
        if caller.sub_account_id is not None:
            return enrichment.sub_account_id == caller.sub_account_id
        return enrichment.sub_account_id is None or self.parent_sees_sub_accounts
