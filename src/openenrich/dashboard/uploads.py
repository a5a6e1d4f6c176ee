"""Uploaded files: read into rows, mapped, checked, started in batches of 100 through the
same use case as the API's bulk endpoint, followed, canceled and exported. Reading, the
column mapping and the result columns are `openenrich.files`, shared with `openenrich enrich`.

Rows are read and written in bounded chunks everywhere, so neither reading a file nor
exporting its result holds the whole file in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.accounts.models import LedgerEntry
from openenrich.client import EnrichmentRecord
from openenrich.dashboard.models import Upload, UploadRow, UploadStatus
from openenrich.db import Database, rows_affected, utcnow
from openenrich.enrichment import validation
from openenrich.enrichment.models import Contact, ContactStatus, Enrichment, EnrichmentStatus
from openenrich.enrichment.validation import BulkRequest, ContactInput
from openenrich.errors import AppError
from openenrich.files import columns, mapping, reading

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
    "full_name": "Full name",
    "company_name": "Company name",
    "domain": "Company domain",
    "website": "Company website",
    "linkedin_url": "LinkedIn URL",
}
assert set(TARGET_LABELS) == set(mapping.FIELDS)


class UnreadableFile(ValueError):
    """The file is not CSV we can read; the message names the line when there is one."""

    @classmethod
    def of(cls, error: reading.CsvFormatError) -> UnreadableFile:
        if error.line:
            return cls(f"Line {error.line}: {error.reason}.")
        return cls(f"{error.reason[:1].upper()}{error.reason[1:]}.")


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
    never held for a whole file). An unreadable file leaves nothing behind."""
    try:
        found = reading.detect(path)
        header, records = reading.rows(path, found)
    except reading.CsvFormatError as error:
        raise UnreadableFile.of(error) from None
    header = [cell or f"Column {i + 1}" for i, cell in enumerate(header)]
    async with db.transaction() as session:
        upload = Upload(
            workspace_id=workspace_id,
            member_id=member_id,
            sandbox=sandbox,
            filename=filename or "upload.csv",
            encoding=found.encoding,
            delimiter=found.delimiter,
            header=header,
            mapping=mapping.auto_map(header),
            fields=["contact.work_emails"],
            status=UploadStatus.READING,
        )
        session.add(upload)
    count = 0
    try:
        chunk: list[dict[str, Any]] = []
        for row in records:
            chunk.append({"upload_id": upload.id, "line": row.line, "cells": row.values})
            if len(chunk) >= WRITE_CHUNK:
                count += await _write(db, chunk)
                chunk = []
        count += await _write(db, chunk)
        if not count:
            raise UnreadableFile("There are no data rows below the header.")
    except (reading.CsvFormatError, UnreadableFile) as error:
        async with db.transaction() as session:
            await session.execute(delete(Upload).where(Upload.id == upload.id))
        if isinstance(error, reading.CsvFormatError):
            raise UnreadableFile.of(error) from None
        raise
    async with db.transaction() as session:
        await session.execute(
            update(Upload)
            .where(Upload.id == upload.id)
            .values(row_count=count, status=UploadStatus.READY)
        )
    upload.row_count, upload.status = count, UploadStatus.READY
    await summarise(db, upload)
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


async def first_rows(session: AsyncSession, upload_id: str, count: int) -> list[list[str]]:
    query = (
        select(UploadRow.cells)
        .where(UploadRow.upload_id == upload_id)
        .order_by(UploadRow.line)
        .limit(count)
    )
    return [list(cells) for cells in (await session.execute(query)).scalars()]


def contact_of(upload: Upload, cells: Sequence[str], fields: Sequence[str]) -> ContactInput:
    """A row as the `enrich` command prepares it, then validated as the API validates a
    contact; raises RowRefused with the reason."""
    prepared = mapping.prepare(cells, dict(upload.mapping))
    if prepared.contact is None:
        raise RowRefused(prepared.reason or "not enough to search with")
    try:
        return validation.contact({**prepared.contact, "enrich_fields": list(fields)})
    except AppError as error:
        raise RowRefused(error.message) from None


class RowRefused(ValueError):
    """A row that cannot be sent, with the reason shown to the member."""


@dataclass
class Check:
    """What starting would do: valid rows, why others are not, the most it can cost."""

    valid: int = 0
    invalid: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    max_cost: int = 0


def summary(upload: Upload, prices: Mapping[str, int]) -> Check:
    """The stored check of the current mapping: a page view costs no scan of the file."""
    per_row = sum(prices.get(f, 0) for f in upload.fields)
    return Check(
        valid=upload.valid_count,
        invalid=upload.invalid_count,
        problems=[(int(line), str(reason)) for line, reason in upload.problems],
        max_cost=upload.valid_count * per_row,
    )


async def summarise(db: Database, upload: Upload) -> None:
    """Check every row against the current mapping and store the counts, once per change
    of mapping (on upload and on each save), not on every page view."""
    valid = invalid = 0
    problems: list[list[Any]] = []
    after = 0
    while True:
        async with db.read() as session:
            chunk = (
                await session.execute(
                    select(UploadRow.line, UploadRow.cells)
                    .where(UploadRow.upload_id == upload.id, UploadRow.line > after)
                    .order_by(UploadRow.line)
                    .limit(READ_CHUNK)
                )
            ).all()
        if not chunk:
            break
        for line, cells in chunk:
            try:
                contact_of(upload, cells, upload.fields)
            except RowRefused as refused:
                invalid += 1
                if len(problems) < 5:
                    problems.append([line, str(refused)])
            else:
                valid += 1
        after = chunk[-1][0]
    async with db.transaction() as session:
        await session.execute(
            update(Upload)
            .where(Upload.id == upload.id)
            .values(valid_count=valid, invalid_count=invalid, problems=problems)
        )
    upload.valid_count, upload.invalid_count, upload.problems = valid, invalid, problems


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
    await summarise(db, upload)


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
            except RowRefused as refused:
                problems.append((row.line, str(refused)[:200]))
            if len(pending) == BATCH:
                await flush()
    await flush()
    return started


async def _link(db: Database, upload_id: str, enrichment_id: str, lines: list[int]) -> None:
    """Tie each started row to its contact (one bulk UPDATE by primary key)."""
    values = [
        {"upload_id": upload_id, "line": line, "enrichment_id": enrichment_id, "contact_idx": i}
        for i, line in enumerate(lines)
    ]
    async with db.transaction() as session:
        await session.execute(update(UploadRow), values)


async def _problems(db: Database, upload_id: str, problems: list[tuple[int, str]]) -> None:
    values = [{"upload_id": upload_id, "line": line, "problem": p} for line, p in problems]
    async with db.transaction() as session:
        await session.execute(update(UploadRow), values)


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


async def export(db: Database, upload: Upload) -> AsyncIterator[list[str]]:
    """Header, then every input row in file order with the `enrich` command's result
    columns appended (`openenrich.files.columns`)."""
    yield list(upload.header) + list(columns.RESULT_COLUMNS)
    async for chunk in rows(db, upload.id):
        async with db.read() as session:
            results = await _results(session, chunk)
        for row in chunk:
            yield list(row.cells) + _cells(row, results.get(row.line))


def _cells(row: UploadRow, found: tuple[str, dict[str, Any] | None] | None) -> list[str]:
    if row.problem:
        return columns.not_sent(row.problem)
    if row.enrichment_id is None or found is None:
        return columns.not_sent("not started")
    job_status, record = found
    if record is None and not EnrichmentStatus(job_status).terminal:
        return [""] * (len(columns.RESULT_COLUMNS) - 2) + ["pending", "still running"]
    parsed = EnrichmentRecord.model_validate(record or {"contact_info": {}})
    return columns.result_cells(parsed, job_status)


async def _results(
    session: AsyncSession, chunk: Sequence[UploadRow]
) -> dict[int, tuple[str, dict[str, Any] | None]]:
    """(its job's status, its record) for each started row of the chunk."""
    ids = {row.enrichment_id for row in chunk if row.enrichment_id}
    if not ids:
        return {}
    found_statuses = await session.execute(
        select(Enrichment.id, Enrichment.status).where(Enrichment.id.in_(ids))
    )
    statuses = {enrichment_id: status for enrichment_id, status in found_statuses.all()}
    found = await session.execute(
        select(Contact.enrichment_id, Contact.idx, Contact.result).where(
            Contact.enrichment_id.in_(ids)
        )
    )
    by_key = {(e, i): r for e, i, r in found.all()}
    out: dict[int, tuple[str, dict[str, Any] | None]] = {}
    for row in chunk:
        if row.enrichment_id is not None and row.contact_idx is not None:
            key = (row.enrichment_id, row.contact_idx)
            out[row.line] = (statuses.get(row.enrichment_id, ""), by_key.get(key))
    return out
