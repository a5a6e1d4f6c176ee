"""Enriching a CSV file through the API, streaming and resumable.

Memory stays flat whatever the file size: the input is read twice side by side (one pass
forms and submits batches of 100, the other writes rows out in input order), and only the
results of the batches in flight are held.

Resuming: a state file beside the output (`OUT.csv.state`, JSON lines, fsynced) records, in
this order, the intent to submit batch k (with its idempotency key), its enrichment id once
the POST answered, and a checkpoint (output byte offset, rows written) each time a batch's
rows are durably in the output. A rerun with the same arguments truncates the output to the
last checkpoint, polls the jobs it already started instead of starting them again, and
re-sends only batches whose POST never answered, with the same `Idempotency-Key` and the same
body, so a server that honours the key answers the first job. Against a server that ignores
the key, the one gap is a kill between the server committing a job and the id reaching the
state file (the length of one HTTP answer); that batch is then enriched twice.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from openenrich.client import AsyncClient, EnrichmentRecord, EnrichmentStatus
from openenrich.client._base import Backoff
from openenrich.files import columns
from openenrich.files.mapping import Prepared, prepare
from openenrich.files.reading import CsvFormat, Row, rows

# FullEnrich's standard prices: the most a found item can cost.
PRICES = {"contact.work_emails": 1, "contact.personal_emails": 3, "contact.phones": 10}
ROW_KEY = "row"  # the custom field that ties a record back to its input row


class StateMismatch(Exception):
    """The state file beside the output belongs to another input or other options."""


class CreditsExhausted(Exception):
    """The workspace ran out of credits; what was done is written and checkpointed."""


@dataclass
class Plan:
    """What a run would send, known before anything is spent."""

    rows: int = 0
    sendable: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def batches(self, size: int = 100) -> int:
        return -(-self.sendable // size)

    def max_cost(self, fields: list[str]) -> int:
        return self.sendable * sum(PRICES.get(f, 0) for f in fields)


@dataclass
class Stats:
    rows_total: int
    rows_done: int = 0
    sent: int = 0
    found_work: int = 0
    found_personal: int = 0
    found_phone: int = 0
    credits: float = 0.0
    jobs_started: int = 0
    jobs_reused: int = 0
    rate_limited: int = 0


def plan(path: Path, fmt: CsvFormat, mapping: dict[str, int]) -> Plan:
    result = Plan()
    _, data = rows(path, fmt)
    for row in data:
        result.rows += 1
        prepared = prepare(row.values, mapping)
        if prepared.contact is not None:
            result.sendable += 1
        elif prepared.reason:
            result.reasons[prepared.reason] = result.reasons.get(prepared.reason, 0) + 1
    return result


def state_path(output: Path) -> Path:
    return output.with_name(output.name + ".state")


@dataclass
class _Batch:
    number: int
    rows: list[Row]
    contacts: list[dict[str, Any]]
    enrichment_id: str | None = None


class _State:
    """The append-only journal. Every line is flushed and fsynced before the action that
    depends on it (the POST after an intent, the next batch after a checkpoint)."""

    def __init__(self, path: Path, identity: dict[str, Any]) -> None:
        self.path = path
        self.run = uuid.uuid4().hex
        self.intents: dict[int, str] = {}
        self.ids: dict[int, str] = {}
        self.checkpoint: dict[str, Any] = {"batch": -1, "offset": 0, "rows": 0}
        self.done = False
        if path.exists():
            self._load(identity)
            self.handle: IO[str] = path.open("a", encoding="utf-8")
        else:
            self.handle = path.open("w", encoding="utf-8")
            self._append({"identity": identity, "run": self.run})

    def _load(self, identity: dict[str, Any]) -> None:
        with self.path.open(encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        entries = []
        for text in lines:
            try:
                entries.append(json.loads(text))
            except ValueError:
                break  # a line cut by the kill: everything after it never happened
        if not entries or entries[0].get("identity") != identity:
            raise StateMismatch(
                f"{self.path} belongs to another input file or other options; "
                "delete it to start over, or choose another output"
            )
        self.run = entries[0]["run"]
        for entry in entries[1:]:
            if "intent" in entry:
                self.intents[entry["intent"]] = entry["key"]
            elif "submitted" in entry:
                self.ids[entry["submitted"]] = entry["id"]
            elif "checkpoint" in entry:
                self.checkpoint = entry["checkpoint"]
            elif "done" in entry:
                self.done = True

    def _append(self, entry: dict[str, Any]) -> None:
        self.handle.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def intent(self, batch: int) -> str:
        key = self.intents.get(batch) or f"openenrich-csv-{self.run}-{batch}"
        if batch not in self.intents:
            self.intents[batch] = key
            self._append({"intent": batch, "key": key})
        return key

    def submitted(self, batch: int, enrichment_id: str) -> None:
        self.ids[batch] = enrichment_id
        self._append({"submitted": batch, "id": enrichment_id})

    def save_checkpoint(self, batch: int, offset: int, rows_written: int) -> None:
        self.checkpoint = {"batch": batch, "offset": offset, "rows": rows_written}
        self._append({"checkpoint": self.checkpoint})

    def finish(self) -> None:
        self.done = True
        self._append({"done": True})

    def close(self) -> None:
        self.handle.close()


def _batches(
    path: Path, fmt: CsvFormat, mapping: dict[str, int], fields: list[str]
) -> Iterator[_Batch]:
    _, data = rows(path, fmt)
    current: list[tuple[Row, dict[str, str]]] = []
    number = 0
    for row in data:
        prepared = prepare(row.values, mapping)
        if prepared.contact is None:
            continue
        current.append((row, prepared.contact))
        if len(current) == 100:
            yield _batch(number, current, fields)
            number += 1
            current = []
    if current:
        yield _batch(number, current, fields)


def _batch(number: int, items: list[tuple[Row, dict[str, str]]], fields: list[str]) -> _Batch:
    contacts = [
        {**contact, "enrich_fields": fields, "custom": {ROW_KEY: str(row.index)}}
        for row, contact in items
    ]
    return _Batch(number, [row for row, _ in items], contacts)


async def enrich_file(
    client: AsyncClient,
    source: Path,
    fmt: CsvFormat,
    mapping: dict[str, int],
    output: Path,
    fields: list[str],
    *,
    total_rows: int,
    max_pending: int = 20,
    on_progress: Callable[[Stats], None] | None = None,
) -> Stats:
    """Enrich `source` into `output`; resumes from `output`'s state file when one exists.
    Raises `CreditsExhausted` (after writing what came back) when credits run out."""
    identity = {
        "input_sha256": fmt.sha256,
        "fields": fields,
        "mapping": [[name, index] for name, index in sorted(mapping.items())],
        "output": output.name,
    }
    state = _State(state_path(output), identity)
    stats = Stats(rows_total=total_rows)
    try:
        if _finished(state, output):
            stats.rows_done = total_rows
            return stats
        await _run(
            client, source, fmt, mapping, output, fields, state, stats, max_pending, on_progress
        )
        state.finish()
    finally:
        state.close()
    return stats


async def _run(
    client: AsyncClient,
    source: Path,
    fmt: CsvFormat,
    mapping: dict[str, int],
    output: Path,
    fields: list[str],
    state: _State,
    stats: Stats,
    max_pending: int,
    on_progress: Callable[[Stats], None] | None,
) -> None:
    header, data = rows(source, fmt)
    out = _open_output(output, fmt, state, header)
    done_batch = int(state.checkpoint["batch"])
    rows_written = int(state.checkpoint["rows"])
    writer = csv.writer(out, delimiter=fmt.delimiter, lineterminator="\r\n")
    for _ in range(rows_written):  # rows already in the output
        next(data)
    stats.rows_done = rows_written
    batches = _batches(source, fmt, mapping, fields)
    pending: deque[_Batch] = deque()
    backoff = Backoff(client.poll_interval, client.max_poll_interval)
    exhausted = False
    out_of_credits = False
    report = on_progress or (lambda _: None)

    def write_until(limit: int | None, records: dict[int, EnrichmentRecord], status: str) -> None:
        """Write input rows up to row index `limit` (None: to the end); rows that were not
        sendable get their reason, rows of the batch get their record."""
        nonlocal rows_written
        for row in data:
            prepared: Prepared = prepare(row.values, mapping)
            if prepared.contact is None:
                cells = columns.not_sent(prepared.reason or "not sendable")
            else:
                record = records.get(row.index)
                cells = columns.result_cells(record, status)
                stats.found_work += bool(cells[0])
                stats.found_personal += bool(cells[2])
                stats.found_phone += bool(cells[4])
            writer.writerow([*row.values, *cells])
            rows_written += 1
            stats.rows_done = rows_written
            if limit is not None and row.index >= limit:
                return

    try:
        while True:
            while not exhausted and not out_of_credits and len(pending) < max_pending:
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                    break
                if batch.number <= done_batch:
                    continue
                known = state.ids.get(batch.number)
                if known is not None:
                    batch.enrichment_id = known
                    stats.jobs_reused += 1
                else:
                    key = state.intent(batch.number)
                    batch.enrichment_id = await client.start_enrichment(
                        batch.contacts,
                        fields,
                        name=f"{output.name} #{batch.number + 1}",
                        silent_fail=True,
                        idempotency_key=key,
                    )
                    state.submitted(batch.number, batch.enrichment_id)
                    stats.jobs_started += 1
                stats.sent += len(batch.rows)
                pending.append(batch)
            if not pending:
                break
            head = pending[0]
            assert head.enrichment_id is not None
            result = await client.get_enrichment(head.enrichment_id)
            stats.rate_limited = client.rate_limited
            if not result.status.terminal:
                report(stats)
                await asyncio.sleep(backoff.next())
                continue
            backoff.reset()
            pending.popleft()
            records: dict[int, EnrichmentRecord] = {}
            for record in result.data or []:
                tag = (record.custom or {}).get(ROW_KEY)
                if isinstance(tag, str) and tag.isdigit():
                    records[int(tag)] = record
            write_until(head.rows[-1].index, records, result.status.value)
            stats.credits += result.cost.credits if result.cost else 0
            out.flush()
            os.fsync(out.fileno())
            state.save_checkpoint(head.number, _size(out), rows_written)
            report(stats)
            if result.status is EnrichmentStatus.CREDITS_INSUFFICIENT:
                out_of_credits = True
        if out_of_credits:
            raise CreditsExhausted(
                f"the workspace ran out of credits after {rows_written} rows; add credits "
                "and run the same command again to continue"
            )
        write_until(None, {}, "FINISHED")
        out.flush()
        os.fsync(out.fileno())
        report(stats)
    finally:
        out.close()


def _finished(state: _State, output: Path) -> bool:
    return state.done and output.exists()


def _open_output(output: Path, fmt: CsvFormat, state: _State, header: list[str]) -> IO[str]:
    """The output, cut back to the last checkpoint (a kill may have left half a batch)."""
    encoding = "utf-8-sig" if fmt.bom else "utf-8"
    offset = int(state.checkpoint["offset"])
    if offset and output.exists() and output.stat().st_size >= offset:
        with output.open("r+b") as raw:
            raw.truncate(offset)
        return output.open("a", encoding="utf-8", newline="")
    state.checkpoint = {"batch": -1, "offset": 0, "rows": 0}
    out = output.open("w", encoding=encoding, newline="")
    csv.writer(out, delimiter=fmt.delimiter, lineterminator="\r\n").writerow(
        [*header, *columns.RESULT_COLUMNS]
    )
    out.flush()
    os.fsync(out.fileno())
    state.save_checkpoint(-1, _size(out), 0)
    return out


def _size(out: IO[str]) -> int:
    """Bytes durably written (the output is only ever appended to, and was flushed)."""
    return os.fstat(out.fileno()).st_size
