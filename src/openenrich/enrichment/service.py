"""Creating enrichment jobs and reading their results."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from openenrich import errors
from openenrich.accounts.repository import Caller
from openenrich.db import Database
from openenrich.enrichment import repository as jobs
from openenrich.enrichment.bodies import dumps, envelope
from openenrich.enrichment.jobs import ContactJobs, records_of
from openenrich.enrichment.models import (
    Contact,
    Enrichment,
    EnrichmentStatus,
    JobKind,
)
from openenrich.enrichment.validation import BulkRequest


async def create(
    session: AsyncSession,
    caller: Caller,
    request: BulkRequest,
    *,
    kind: JobKind = JobKind.ENRICH,
    api_version: str = "v2",
) -> Enrichment:
    """Write the enrichment and all its contacts (queued); the caller commits, then wakes
    the workers, never before."""
    enrichment = Enrichment(
        workspace_id=caller.workspace_id,
        api_key_id=caller.api_key_id,
        sandbox=caller.sandbox,
        kind=kind,
        api_version=api_version,
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


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class ResultReader:
    """GET of a job: terminal bodies are read once and kept, since they never change."""

    def __init__(
        self, db: Database, contact_jobs: ContactJobs, in_progress_as_status: bool
    ) -> None:
        self.db = db
        self.jobs = contact_jobs
        self.in_progress_as_status = in_progress_as_status
        self._terminal: dict[tuple[str, str, str, str], tuple[int, bytes]] = {}

    async def read(
        self,
        caller: Caller,
        enrichment_id: str,
        kind: JobKind,
        force: bool,
        not_found: errors.AppError,
    ) -> tuple[int, bytes]:
        """(HTTP status, body). 402 carries the full body when credits ran out."""
        cache_key = (caller.workspace_id, str(caller.sandbox), kind.value, enrichment_id)
        cached = self._terminal.get(cache_key)
        if cached is not None:
            return cached
        if not _is_uuid(enrichment_id):
            raise not_found
        async with self.db.read() as session:
            enrichment = await jobs.get_enrichment(
                session, enrichment_id, caller.workspace_id, caller.sandbox, kind
            )
            if enrichment is None:
                raise not_found
            status = EnrichmentStatus(enrichment.status)
            if status.terminal and enrichment.result_body is not None:
                code = 402 if status is EnrichmentStatus.CREDITS_INSUFFICIENT else 200
                answer = (code, enrichment.result_body)
                if len(self._terminal) > 10_000:
                    self._terminal.clear()
                self._terminal[cache_key] = answer
                return answer
            if force:
                processor = self.jobs.processors[enrichment.kind]
                records = await records_of(session, enrichment, processor)
                return 200, dumps(envelope(enrichment, records))
        if self.in_progress_as_status or kind is not JobKind.ENRICH:
            return 200, dumps(envelope(enrichment, None))
        raise errors.in_progress()
