"""Uploaded files: read into rows, mapped, checked, started in batches of 100 through the
same use case as the API's bulk endpoint, followed, canceled and exported.

Rows are read and written in bounded chunks everywhere, so neither reading a file nor
exporting its result holds the whole file in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts.models import LedgerEntry
from openenrich.dashboard import csvfile
from openenrich.dashboard.models import Upload, UploadRow, UploadStatus
from openenrich.db import Database, rows_affected, utcnow
from openenrich.enrichment import validation
from openenrich.enrichment.models import Contact, ContactStatus, Enrichment, EnrichmentStatus
from openenrich.enrichment.validation import BulkRequest, ContactInput
from openenrich.errors import AppError

BATCH = validation.MAX_CONTACTS  # contacts per enrichment, the API's own limit
WRITE_CHUNK = 500
READ_CHUNK = 1000
FIELD_LABELS = {
    "contact.work_emails": "Work email",
    "contact.personal_emails": "Personal email",
    "contact.phones": "Mobile phone",
}
TARGET_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "domain": "Company domain",
    "company_name": "Company name",
    "linkedin_url": "LinkedIn URL",
}
RESULT_COLUMNS = (
    "work_email",
    "work_email_status",
    "personal_email",
    "personal_email_status",
    "mobile_phone",
    "phone_region",
    "enrichment_status",
)
Starter = Callable[[BulkRequest], Awaitable[Enrichment]]


async def ingest(
    db: Database,
    workspace_id: str,
    member_id: str,
    sandbox: bool,
    path: Path,
    filename: str,
) -> Upload:
    """Read a CSV into an upload's rows, committed a chunk at a time (the write lock is
    never held for a whole file). A malformed file leaves nothing behind."""
    encoding = csvfile.detect_encoding(path)
    separator = csvfile.detect_separator(path, encoding)
    records = csvfile.records(path, encoding, separator)
    first = next(records, None)
    if first is None:
        raise csvfile.MalformedFile(1, "the file is empty")
    header = [cell or f"Column {i + 1}" for i, cell in enumerate(first[1])]
    async with db.transaction() as session:
        upload = Upload(
            workspace_id=workspace_id,
            member_id=member_id,
            sandbox=sandbox,
            filename=filename or "upload.csv",
            encoding=encoding,
            delimiter=separator,
            header=header,
            mapping={k: v for k, v in csvfile.guess_mapping(header).items()},
            fields=["contact.work_emails"],
            status=UploadStatus.READING,
        )
        session.add(upload)
    count = 0
    try:
        chunk: list[dict[str, Any]] = []
        for line, cells in records:
            chunk.append({"upload_id": upload.id, "line": line, "cells": cells})
            if len(chunk) >= WRITE_CHUNK:
                count += await _write(db, chunk)
                chunk = []
        count += await _write(db, chunk)
        if not count:
            raise csvfile.MalformedFile(2, "no data rows below the header")
    except csvfile.MalformedFile:
        async with db.transaction() as session:
            await session.execute(delete(Upload).where(Upload.id == upload.id))
        raise
    async with db.transaction() as session:
        await session.execute(
            update(Upload)
            .where(Upload.id == upload.id)
            .values(row_count=count, status=UploadStatus.READY)
        )
    upload.row_count, upload.status = count, UploadStatus.READY
    return upload


async def _write(db: Database, chunk: list[dict[str, Any]]) -> int:
    if chunk:
        async with db.transaction() as session:
            await session.execute(insert(UploadRow), chunk)
    return len(chunk)


async def get_upload(session: AsyncSession, upload_id: str, workspace_id: str) -> Upload | None:
    upload = await session.get(Upload, upload_id)
    if upload is None or upload.workspace_id != workspace_id:
        return None
    if upload.status == UploadStatus.READING:
        return None
    return upload


async def list_uploads(session: AsyncSession, workspace_id: str, limit: int) -> list[Upload]:
    query = (
        select(Upload)
        .where(Upload.workspace_id == workspace_id, Upload.status != UploadStatus.READING)
        .order_by(Upload.created_at.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def rows(db: Database, upload_id: str) -> AsyncIterator[Sequence[UploadRow]]:
    """The upload's rows in file order, a chunk per short read transaction."""
    after = 0
    while True:
        async with db.read() as session:
            chunk = (
                (
                    await session.execute(
                        select(UploadRow)
                        .where(UploadRow.upload_id == upload_id, UploadRow.line > after)
                        .order_by(UploadRow.line)
                        .limit(READ_CHUNK)
                    )
                )
                .scalars()
                .all()
            )
        if not chunk:
            return
        yield chunk
        after = chunk[-1].line


def contact_of(upload: Upload, cells: Sequence[str], fields: Sequence[str]) -> ContactInput:
    """Validate one row as the API validates a contact (raises AppError)."""
    item: dict[str, Any] = {"enrich_fields": list(fields)}
    for target, index in upload.mapping.items():
        if isinstance(index, int) and 0 <= index < len(cells) and cells[index]:
            item[target] = cells[index]
    return validation.contact(item)


@dataclass
class Check:
    """What starting would do: valid rows, why others are not, the most it can cost."""

    valid: int = 0
    invalid: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    max_cost: int = 0


async def check(db: Database, upload: Upload, prices: Mapping[str, int]) -> Check:
    result = Check()
    async for chunk in rows(db, upload.id):
        for row in chunk:
            try:
                contact_of(upload, row.cells, upload.fields)
            except AppError as error:
                result.invalid += 1
                if len(result.problems) < 5:
                    result.problems.append((row.line, error.message))
            else:
                result.valid += 1
    per_row = sum(prices.get(f, 0) for f in upload.fields)
    result.max_cost = result.valid * per_row
    return result


async def save_choice(
    db: Database, upload: Upload, mapping: dict[str, int], fields: list[str]
) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Upload)
            .where(Upload.id == upload.id, Upload.status == UploadStatus.READY)
            .values(mapping=mapping, fields=fields)
        )
    upload.mapping, upload.fields = mapping, fields


async def start(db: Database, upload: Upload, start_job: Starter) -> int:
    """Start every valid row, 100 per enrichment, each through `start_job` (the API's use
    case); returns how many enrichments were started. Claiming the upload first makes a
    double submit start nothing twice."""
    async with db.transaction() as session:
        claimed = await session.execute(
            update(Upload)
            .where(Upload.id == upload.id, Upload.status == UploadStatus.READY)
            .values(status=UploadStatus.STARTED, started_at=utcnow())
        )
    if not rows_affected(claimed):
        return 0
    upload.status = UploadStatus.STARTED
    started = 0
    pending: list[tuple[int, ContactInput]] = []
    problems: list[tuple[int, str]] = []

    async def flush() -> None:
        nonlocal started
        if pending:
            started += 1
            name = f"{upload.filename} ({started})"
            bulk = BulkRequest(name, None, None, [c for _, c in pending])
            enrichment = await start_job(bulk)
            await _link(db, upload.id, enrichment.id, [line for line, _ in pending])
            pending.clear()
        if problems:
            await _problems(db, upload.id, problems)
            problems.clear()

    async for chunk in rows(db, upload.id):
        for row in chunk:
            try:
                pending.append((row.line, contact_of(upload, row.cells, upload.fields)))
            except AppError as error:
                problems.append((row.line, error.message[:200]))
            if len(pending) == BATCH:
                await flush()
    await flush()
    return started


async def _link(db: Database, upload_id: str, enrichment_id: str, lines: list[int]) -> None:
    async with db.transaction() as session:
        for idx, line in enumerate(lines):
            await session.execute(
                update(UploadRow)
                .where(UploadRow.upload_id == upload_id, UploadRow.line == line)
                .values(enrichment_id=enrichment_id, contact_idx=idx)
            )


async def _problems(db: Database, upload_id: str, problems: list[tuple[int, str]]) -> None:
    async with db.transaction() as session:
        for line, message in problems:
            await session.execute(
                update(UploadRow)
                .where(UploadRow.upload_id == upload_id, UploadRow.line == line)
                .values(problem=message)
            )


async def enrichment_ids(session: AsyncSession, upload_id: str) -> list[str]:
    found = await session.execute(
        select(UploadRow.enrichment_id)
        .where(UploadRow.upload_id == upload_id, UploadRow.enrichment_id.is_not(None))
        .distinct()
    )
    return [str(value) for value in found.scalars()]


@dataclass
class Progress:
    total: int = 0
    done: int = 0
    skipped: int = 0
    found: dict[str, int] = field(default_factory=dict)
    credits: int = 0
    finished: bool = False
    canceled: bool = False
    enrichments: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * (self.done + self.skipped) / self.total)


async def progress(session: AsyncSession, upload: Upload) -> Progress:
    ids = await enrichment_ids(session, upload.id)
    result = Progress(enrichments=ids, canceled=upload.status == UploadStatus.CANCELED)
    if not ids:
        result.finished = upload.status != UploadStatus.READY
        return result
    by_status = await session.execute(
        select(Contact.status, func.count())
        .where(Contact.enrichment_id.in_(ids))
        .group_by(Contact.status)
    )
    for status, count in by_status.all():
        result.total += count
        if status in (ContactStatus.DONE, ContactStatus.FAILED):
            result.done += count
        elif status == ContactStatus.SKIPPED:
            result.skipped += count
    items = await session.execute(
        select(LedgerEntry.item, func.count(), func.coalesce(func.sum(LedgerEntry.amount), 0))
        .where(LedgerEntry.enrichment_id.in_(ids))
        .group_by(LedgerEntry.item)
    )
    for item, count, amount in items.all():
        result.found[str(item)] = int(count)
        result.credits -= int(amount)
    statuses = (
        await session.execute(select(Enrichment.status).where(Enrichment.id.in_(ids)))
    ).scalars()
    states = [EnrichmentStatus(s) for s in statuses]
    result.finished = all(s.terminal for s in states)
    return result


async def cancel(
    db: Database, upload: Upload, cancel_job: Callable[[AsyncSession, str], Awaitable[object]]
) -> None:
    """Cancel every enrichment of the upload through the jobs' own cancel."""
    async with db.transaction() as session:
        await session.execute(
            update(Upload)
            .where(Upload.id == upload.id, Upload.status == UploadStatus.STARTED)
            .values(status=UploadStatus.CANCELED)
        )
        for enrichment_id in await enrichment_ids(session, upload.id):
            await cancel_job(session, enrichment_id)


def result_columns(record: Mapping[str, Any] | None) -> list[str]:
    """The found values appended to an input row (blank when nothing was found)."""
    info = (record or {}).get("contact_info") or {}
    work = info.get("most_probable_work_email") or {}
    personal = info.get("most_probable_personal_email") or {}
    phone = info.get("most_probable_phone") or {}
    return [
        work.get("email", ""),
        work.get("status", ""),
        personal.get("email", ""),
        personal.get("status", ""),
        phone.get("number", ""),
        phone.get("region", ""),
    ]


async def export(db: Database, upload: Upload) -> AsyncIterator[list[str]]:
    """Header, then every input row in file order with its found values appended."""
    taken = set(upload.header)
    yield list(upload.header) + [c if c not in taken else f"{c} (found)" for c in RESULT_COLUMNS]
    async for chunk in rows(db, upload.id):
        async with db.read() as session:
            results = await _results(session, chunk)
        for row in chunk:
            status, record = results.get(row.line, ("", None))
            if row.problem:
                status = f"invalid: {row.problem}"
            elif row.enrichment_id is None:
                status = "not started"
            yield list(row.cells) + result_columns(record) + [status]


async def _results(
    session: AsyncSession, chunk: Sequence[UploadRow]
) -> dict[int, tuple[str, dict[str, Any] | None]]:
    ids = {row.enrichment_id for row in chunk if row.enrichment_id}
    if not ids:
        return {}
    found = await session.execute(
        select(Contact.enrichment_id, Contact.idx, Contact.status, Contact.result).where(
            and_(Contact.enrichment_id.in_(ids))
        )
    )
    by_key = {(e, i): (s, r) for e, i, s, r in found.all()}
    out: dict[int, tuple[str, dict[str, Any] | None]] = {}
    for row in chunk:
        hit = by_key.get((row.enrichment_id or "", row.contact_idx or 0))
        if hit is not None:
            out[row.line] = (str(hit[0]), hit[1])
    return out
