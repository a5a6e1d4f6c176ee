"""Writing people and companies: one row per person (or company) per owner, merged.

A person is the same person again when their professional-network id or URL matches, or
else their name and current company domain; a company when its network id or URL, its
domain, or (lacking all three) its name matches. A person's current company is kept as a
company too, and the person's record points at it by id. Callers own the transaction;
writers of one owner's records take turns in it (`_take_turn`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    Table,
    TextClause,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import is_uuid, new_id
from openenrich.people.documents import (
    PreparedCompany,
    PreparedPerson,
    prepare_company,
    prepare_person,
)
from openenrich.people.merge import merge, provenance
from openenrich.people.models import CompanyRow, PersonRow

# The owner of the synthetic population that sandbox keys search.
SANDBOX = "sandbox"
# The owner of what the operator imported for every workspace.
EVERYONE = ""

_T = TypeVar("_T")


class Outcome(StrEnum):
    INSERTED = "inserted"
    MERGED = "merged"  # an existing row gained or changed values
    UNCHANGED = "unchanged"  # nothing new: importing the same data twice lands here


def _get(record: Any, key: str) -> Any:
    """A key field of a prepared record or of a stored row."""
    return record.get(key) if isinstance(record, Mapping) else getattr(record, key, None)


def _company_keys(company: PreparedCompany | Mapping[str, Any]) -> list[Hashable]:
    """Keys a company is recognised by; a stored row is also known by its name."""
    stored = isinstance(company, Mapping)
    keys: list[Hashable] = []
    if _get(company, "network_id") is not None:
        keys.append(("n", _get(company, "network_id")))
    if _get(company, "handle"):
        keys.append(("h", _get(company, "handle")))
    if _get(company, "domain"):
        keys.append(("d", _get(company, "domain")))
    if _get(company, "name_key") and (stored or not keys):
        keys.append(("k", _get(company, "name_key")))
    return keys


def _person_keys(person: PreparedPerson | Mapping[str, Any]) -> list[Hashable]:
    keys: list[Hashable] = []
    if _get(person, "network_id") is not None:
        keys.append(("n", _get(person, "network_id")))
    if _get(person, "handle"):
        keys.append(("h", _get(person, "handle")))
    if _get(person, "name_key") and _get(person, "company_domain"):
        keys.append(("p", _get(person, "name_key"), _get(person, "company_domain")))
    return keys


def _company_values(company: PreparedCompany) -> dict[str, Any]:
    return {
        "domain": company.domain,
        "network_id": company.network_id,
        "handle": company.handle,
        "name_key": company.name_key,
        "headcount": company.headcount,
        "founded": company.founded,
        "doc": company.doc,
    }


def _person_values(person: PreparedPerson) -> dict[str, Any]:
    return {
        "network_id": person.network_id,
        "handle": person.handle,
        "name_key": person.name_key,
        "company_domain": person.company_domain,
        "headcount": person.headcount,
        "founded": person.founded,
        "position_start": person.position_start,
        "company_start": person.company_start,
        "last_change": person.last_change,
        "doc": person.doc,
    }


@dataclass(frozen=True, slots=True)
class _Kind:
    """What differs between people and companies; the merging is the same."""

    table: Table
    prepare: Callable[[Mapping[str, Any]], Any]
    keys: Callable[[Any], list[Hashable]]
    values: Callable[[Any], dict[str, Any]]
    # How a batch's candidates are found: (column, key tag) pairs, key values by tag.
    lookups: tuple[tuple[str, str], ...]


PEOPLE = _Kind(
    PersonRow.__table__,  # type: ignore[arg-type]
    prepare_person,
    _person_keys,
    _person_values,
    (("network_id", "n"), ("handle", "h")),
)
COMPANIES = _Kind(
    CompanyRow.__table__,  # type: ignore[arg-type]
    prepare_company,
    _company_keys,
    _company_values,
    (("network_id", "n"), ("handle", "h"), ("domain", "d"), ("name_key", "k")),
)


async def _candidates(
    session: AsyncSession, kind: _Kind, owner: str, wanted: list[list[Hashable]]
) -> dict[Hashable, dict[str, Any]]:
    """The owner's stored rows that share a key with the batch, by each of their keys
    (the oldest row first, when two share one). One query per key column: an OR across
    columns makes SQLite scan every row of the owner, whatever the indexes."""
    table = kind.table
    by_tag: dict[str, set[Any]] = {}
    pairs: set[tuple[str, str]] = set()
    for keys in wanted:
        for key in keys:
            assert isinstance(key, tuple)
            if key[0] == "p":
                pairs.add((key[1], key[2]))
            else:
                by_tag.setdefault(key[0], set()).add(key[1])
    rows: dict[int, dict[str, Any]] = {}
    for column, tag in kind.lookups:
        for chunk in _padded(by_tag.get(tag, ())):
            query = select(table).where(table.c.owner == owner, table.c[column].in_(chunk))
            for row in (await session.execute(query)).mappings():
                rows[row["seq"]] = dict(row)
    if pairs:
        missing = await _seqs_by_name(session, owner, pairs) - rows.keys()
        for chunk in _padded(missing):
            query = select(table).where(table.c.seq.in_(chunk))
            for row in (await session.execute(query)).mappings():
                rows[row["seq"]] = dict(row)
    known: dict[Hashable, dict[str, Any]] = {}
    for seq in sorted(rows):
        for key in kind.keys(rows[seq]):
            known.setdefault(key, rows[seq])
    return known


# The number of values a lookup binds, and the largest number of rows an INSERT writes.
# A statement's SQL text then comes from a small set whatever a batch holds: the driver
# prepares each distinct text and keeps it (Python's sqlite3 keeps 128 a connection, a
# thousand-row INSERT taking 2 MB of them), so texts sized by each batch's content made
# an import's memory grow with the database, batch after batch.
_LOOKUP_SIZES = (8, 64, 1024)
_INSERT_ROWS = 512


def _padded(values: Iterable[_T]) -> Iterator[list[_T]]:
    """`values` in chunks of one of `_LOOKUP_SIZES`, each padded with its last value."""
    ordered = list(values)
    largest = _LOOKUP_SIZES[-1]
    for start in range(0, len(ordered), largest):
        chunk = ordered[start : start + largest]
        size = next(size for size in _LOOKUP_SIZES if size >= len(chunk))
        yield chunk + [chunk[-1]] * (size - len(chunk))


def _pieces(rows: list[_T]) -> Iterator[list[_T]]:
    """`rows` in pieces of a power of two rows (at most `_INSERT_ROWS`), largest first."""
    start = 0
    while start < len(rows):
        size = min(_INSERT_ROWS, 1 << ((len(rows) - start).bit_length() - 1))
        yield rows[start : start + size]
        start += size


def _by_name_and_domain(pairs: int) -> TextClause:
    """People by name and current company domain, `pairs` pairs at a time. Written out so
    each size is compiled once: SQLite probes the index for each pair only when they come
    from a CTE; `(name_key, company_domain) IN (VALUES ...)` scans every row of the owner."""
    return text(
        "WITH wanted(name_key, company_domain) AS (VALUES "  # noqa: S608 (placeholders only)
        + ", ".join(f"(:n{i}, :d{i})" for i in range(pairs))
        + ") SELECT seq FROM people WHERE owner = :owner AND (name_key, company_domain) IN "
        "(SELECT name_key, company_domain FROM wanted)"
    )


_BY_NAME_AND_DOMAIN = {size: _by_name_and_domain(size) for size in _LOOKUP_SIZES}


async def _seqs_by_name(session: AsyncSession, owner: str, pairs: set[tuple[str, str]]) -> set[int]:
    found: set[int] = set()
    for chunk in _padded(sorted(pairs)):
        size = len(chunk)
        params: dict[str, str] = {"owner": owner}
        for index, (name_key, company_domain) in enumerate(chunk):
            params[f"n{index}"] = name_key
            params[f"d{index}"] = company_domain
        found.update(await session.scalars(_BY_NAME_AND_DOMAIN[size], params))
    return found


async def _take_turn(session: AsyncSession, owner: str) -> None:
    """Writers of one owner's records take turns until the transaction ends: two writing
    the same new person at once (identical lookups) would each find no row and insert
    it twice. SQLite's write lock already serialises them; a transaction that writes
    several owners must take them in ascending order."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"people-store:{owner}"},
        )


async def _free_ids(session: AsyncSession, table: Table, wanted: list[str]) -> set[str]:
    """Which of the records' own ids no row uses yet (they keep them: sandbox ids must
    stay those the sandbox provider gives)."""
    valid = {value.lower() for value in wanted if is_uuid(value)}
    if not valid:
        return set()
    for chunk in _padded(valid):
        valid -= set(await session.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
    return valid


def _own_id(data: Mapping[str, Any], free: set[str]) -> str:
    wanted = str(data.get("id", "")).lower()
    if wanted in free:
        free.discard(wanted)
        return wanted
    return new_id()


def _fill(stored: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields the stored record lacks."""
    return {key: value for key, value in incoming.items() if key not in stored}


async def _upsert(
    session: AsyncSession,
    kind: _Kind,
    owner: str,
    prepared: Sequence[Any],
    source: str,
    seen_at: datetime,
    *,
    fill_only: bool = False,
) -> list[tuple[Outcome, str]]:
    """Merge prepared records (`PreparedPerson` or `PreparedCompany`) of one owner."""
    keys = [kind.keys(p) for p in prepared]
    known = await _candidates(session, kind, owner, keys)
    free = await _free_ids(session, kind.table, [str(p.data.get("id", "")) for p in prepared])
    done: list[tuple[Outcome, str]] = []
    inserts: list[dict[str, Any]] = []
    updates: dict[int, dict[str, Any]] = {}
    for record, record_keys in zip(prepared, keys, strict=True):
        stored = next((known[k] for k in record_keys if k in known), None)
        if stored is None:
            row_id = _own_id(record.data, free)
            data = {"id": row_id, **{k: v for k, v in record.data.items() if k != "id"}}
            values = kind.values(replace(record, data=data))
            values.update(
                id=row_id,
                owner=owner,
                data=data,
                sources=provenance(data, source, seen_at),
                created_at=seen_at,
                updated_at=seen_at,
                seq=None,
            )
            inserts.append(values)
            for key in kind.keys(values):
                known.setdefault(key, values)
            done.append((Outcome.INSERTED, row_id))
            continue
        incoming = _fill(stored["data"], record.data) if fill_only else record.data
        data, marks = merge(stored["data"], stored["sources"], incoming, source, seen_at)
        if data == stored["data"]:
            done.append((Outcome.UNCHANGED, stored["id"]))
            continue
        stored.update(kind.values(kind.prepare(data)), data=data, sources=marks, updated_at=seen_at)
        if stored["seq"] is not None:
            updates[stored["seq"]] = stored
        done.append((Outcome.MERGED, stored["id"]))
    if updates:
        columns = [
            c.name for c in kind.table.columns if c.name not in ("seq", "id", "owner", "created_at")
        ]
        await session.execute(
            update(kind.table)
            .where(kind.table.c.seq == bindparam("_seq"))
            .values({name: bindparam(name) for name in columns}),
            [
                {"_seq": seq, **{name: row[name] for name in columns}}
                for seq, row in updates.items()
            ],
        )
    if inserts:
        for values in inserts:
            values.pop("seq")
        # RETURNING makes SQLAlchemy send multi-row VALUES instead of a statement per row;
        # on SQLite the full-text trigger flushes its index at every statement, and row by
        # row that was most of an insert's cost. Pieces keep the VALUES lists few in size.
        for piece in _pieces(inserts):
            await session.execute(insert(kind.table).returning(kind.table.c.seq), piece)
    return done


async def upsert_companies(
    session: AsyncSession,
    owner: str,
    companies: Sequence[Mapping[str, Any]],
    source: str,
    seen_at: datetime,
) -> list[Outcome]:
    """Merge spec-shaped `Company` dicts into the store, one outcome per record, in order."""
    await _take_turn(session, owner)
    prepared = [prepare_company(company) for company in companies]
    done = await _upsert(session, COMPANIES, owner, prepared, source, seen_at)
    return [outcome for outcome, _ in done]


async def _link_companies(
    session: AsyncSession,
    owner: str,
    people: Sequence[PreparedPerson],
    source: str,
    seen_at: datetime,
) -> None:
    """Keep each person's current company as a company and point the person at it. A
    person's view of their company only fills what the stored company lacks: employees
    disagree about headcounts, and the company's own record knows better."""
    jobs: list[dict[str, Any]] = []
    for person in people:
        employment = person.data.get("employment")
        current = employment.get("current") if isinstance(employment, dict) else None
        company = current.get("company") if isinstance(current, dict) else None
        if isinstance(company, dict) and (company.get("domain") or company.get("name")):
            jobs.append(company)
    if not jobs:
        return
    prepared = [prepare_company(job) for job in jobs]
    ids = await _upsert(session, COMPANIES, owner, prepared, source, seen_at, fill_only=True)
    for company, (_, company_id) in zip(jobs, ids, strict=True):
        company["id"] = company_id
    for person in people:
        employment = person.data.get("employment")
        if not isinstance(employment, dict) or not isinstance(employment.get("current"), dict):
            continue
        current = employment["current"]
        for job in employment.get("all", []):
            if (
                isinstance(job, dict)
                and job.get("is_current")
                and isinstance(job.get("company"), dict)
                and job["company"].get("name") == current.get("company", {}).get("name")
            ):
                job["company"]["id"] = current["company"].get("id")


async def upsert_people(
    session: AsyncSession,
    owner: str,
    people: Sequence[Mapping[str, Any]],
    source: str,
    seen_at: datetime,
) -> list[Outcome]:
    """Merge spec-shaped `Person` dicts into the store, one outcome per record, in order."""
    await _take_turn(session, owner)
    prepared = [prepare_person(person) for person in people]
    await _link_companies(session, owner, prepared, source, seen_at)
    done = await _upsert(session, PEOPLE, owner, prepared, source, seen_at)
    return [outcome for outcome, _ in done]
