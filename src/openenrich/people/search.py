"""Running a search: filters compiled into one full-text expression plus range conditions,
ranked by relevance with the record id as the tie-break.

Relevance is how many of the request's text values a record holds exactly (case
ignored); the id breaks ties, so the order is total and `offset` or `search_after`
never repeat or skip a record while the data stays the same.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.people import terms
from openenrich.people.fields import Field, RangeField, TextField, Unit
from openenrich.people.models import CompanyRow, PersonRow
from openenrich.people.requests import Cursor, RangeItem, Search, TextItem

Table = type[PersonRow] | type[CompanyRow]
# Relevance counts at most this many values, which bounds the work per row.
MAX_SCORED = 20


@dataclass(frozen=True, slots=True)
class Term:
    term: str


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Any_:
    parts: tuple[Expr, ...]


Expr = Term | All | Any_


def item_expr(spec: TextField, item: TextItem) -> Expr | None:
    """What one filter value matches; None when it can match nothing."""
    value = spec.normalise(item.value)
    if spec.identifier or item.exact:
        return Term(terms.exact_term(spec.code, value))
    found = terms.words(value)
    if not found:
        return None
    every = All(tuple(Term(terms.word_term(spec.code, w)) for w in found))
    if not spec.subsets:
        return every
    subsets = [Term(terms.key_term(spec.code, s)) for s in terms.tolerated_subsets(found)]
    return Any_((every, *subsets)) if subsets else every


def _render(expr: Expr, dialect: str) -> str:
    if isinstance(expr, Term):
        return expr.term
    joiner = {"sqlite": (" AND ", " OR "), "postgresql": (" & ", " | ")}[dialect]
    glue = joiner[0] if isinstance(expr, All) else joiner[1]
    inner = [_render(part, dialect) for part in expr.parts]
    return inner[0] if len(inner) == 1 else "(" + glue.join(inner) + ")"


class _Sql:
    """Compiles expressions into conditions for one dialect, naming each bound value once."""

    def __init__(self, table: Table, dialect: str) -> None:
        self.table = table
        self.dialect = dialect
        self.count = 0

    def matches(self, expr: Expr) -> ColumnElement[bool]:
        query = _render(expr, self.dialect)
        name = f"q{self.count}"
        self.count += 1
        table = self.table.__tablename__
        if self.dialect == "postgresql":
            # The same expression as the GIN index, so the index answers it.
            simple: ColumnElement[str] = literal_column("'simple'")
            document = func.to_tsvector(simple, self.table.doc)
            matched: ColumnElement[bool] = document.op("@@", return_type=Boolean)(
                func.to_tsquery(simple, bindparam(name, query))
            )
            return matched
        # `table` is one of the model's own table names, never input.
        rows = text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :{name}")  # noqa: S608
        return self.table.seq.in_(
            rows.bindparams(**{name: query}).columns(column("rowid", Integer))
        )


def _years_ago(today: date, years: int) -> date:
    year = today.year - max(-1000, min(1000, years))
    return today.replace(year=year, day=min(today.day, calendar.monthrange(year, today.month)[1]))


def _days_ago(today: date, days: int) -> date:
    return today - timedelta(days=max(-700_000, min(700_000, days)))


def range_bounds(spec: RangeField, item: RangeItem, today: date) -> tuple[Any, Any]:
    """The item as bounds on the column: numbers as they are; years or days since a date
    as the dates between which that date must fall (inclusive, ISO strings)."""
    if spec.unit is Unit.NUMBER:
        return item.low, item.high
    if spec.unit is Unit.YEARS:
        # `low` whole years or more since the date: on or before `today - low` years;
        # at most `high`: after `today - (high + 1)` years, i.e. from the day after.
        latest = _years_ago(today, item.low).isoformat() if item.low is not None else None
        earliest = (
            (_years_ago(today, item.high + 1) + timedelta(days=1)).isoformat()
            if item.high is not None
            else None
        )
        return earliest, latest
    latest = _days_ago(today, item.low).isoformat() if item.low is not None else None
    earliest = _days_ago(today, item.high).isoformat() if item.high is not None else None
    return earliest, latest


def _in_range(column: Any, bounds: tuple[Any, Any]) -> ColumnElement[bool]:
    low, high = bounds
    parts = [column.is_not(None)]
    if low is not None:
        parts.append(column >= low)
    if high is not None:
        parts.append(column <= high)
    return and_(*parts)


@dataclass(frozen=True, slots=True)
class Compiled:
    where: tuple[ColumnElement[bool], ...]
    score: ColumnElement[int]
    empty: bool = False  # a filter none of whose values can match anything


def compile_search(
    table: Table, fields: Mapping[str, Field], search: Search, dialect: str, today: date
) -> Compiled:
    sql = _Sql(table, dialect)
    where: list[ColumnElement[bool]] = []
    wanted: list[Expr] = []
    unwanted: list[Expr] = []
    scored: list[Term] = []
    nothing = Compiled((), literal_score(0), empty=True)
    for name, items in search.text.items():
        spec = fields[name]
        assert isinstance(spec, TextField)
        either: list[Expr] = []
        for item in items:
            expr = item_expr(spec, item)
            if item.exclude:
                unwanted.extend([expr] if expr is not None else [])
                continue
            either.extend([expr] if expr is not None else [])
            if not spec.identifier:
                scored.append(Term(terms.exact_term(spec.code, spec.normalise(item.value))))
        if any(not item.exclude for item in items):
            if not either:
                return nothing
            wanted.append(either[0] if len(either) == 1 else Any_(tuple(either)))
    if wanted:
        where.append(sql.matches(wanted[0] if len(wanted) == 1 else All(tuple(wanted))))
    if unwanted:
        where.append(
            not_(sql.matches(unwanted[0] if len(unwanted) == 1 else Any_(tuple(unwanted))))
        )
    for name, ranges in search.ranges.items():
        spec = fields[name]
        assert isinstance(spec, RangeField)
        column = getattr(table, spec.column)
        inside = [_in_range(column, range_bounds(spec, r, today)) for r in ranges if not r.exclude]
        outside = [_in_range(column, range_bounds(spec, r, today)) for r in ranges if r.exclude]
        if inside:
            where.append(or_(*inside))
        if outside:
            where.append(not_(or_(*outside)))
    score: ColumnElement[int] = literal_score(0)
    if scored:
        score = sum(
            (case((sql.matches(term), 1), else_=0) for term in scored[:MAX_SCORED]),
            start=literal_score(0),
        )
    return Compiled(tuple(where), score)


def literal_score(value: int) -> ColumnElement[int]:
    return literal(value, Integer)


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    next: Cursor | None


@dataclass(frozen=True, slots=True)
class Statements:
    """The two queries of a search: how many match, and the page."""

    count: Select[Any]
    page: Select[Any]


def statements(
    table: Table,
    fields: Mapping[str, Field],
    search: Search,
    visible: ColumnElement[bool],
    dialect: str,
    today: date,
) -> Statements | None:
    """The search's queries; None when a filter can match nothing."""
    compiled = compile_search(table, fields, search, dialect, today)
    if compiled.empty:
        return None
    where = (visible, *compiled.where)
    count = select(func.count()).select_from(table).where(*where)
    ranked = (
        select(table.id.label("id"), table.data.label("data"), compiled.score.label("score"))
        .where(*where)
        .subquery()
    )
    page: Select[Any] = select(ranked.c.id, ranked.c.data, ranked.c.score)
    if search.after is not None:
        page = page.where(
            or_(
                ranked.c.score < search.after.score,
                and_(ranked.c.score == search.after.score, ranked.c.id > search.after.id),
            )
        )
    page = (
        page.order_by(ranked.c.score.desc(), ranked.c.id).offset(search.offset).limit(search.limit)
    )
    return Statements(count, page)


async def run(
    session: AsyncSession,
    table: Table,
    fields: Mapping[str, Field],
    search: Search,
    visible: ColumnElement[bool],
    today: date,
) -> Page:
    """One page of the records `visible` lets the caller see that match `search`."""
    dialect = session.get_bind().dialect.name
    found = statements(table, fields, search, visible, dialect, today)
    if found is None:
        return Page([], 0, None)
    total = await session.scalar(found.count)
    rows = (await session.execute(found.page)).all()
    last = Cursor(int(rows[-1].score), rows[-1].id) if rows else None
    return Page([dict(row.data) for row in rows], int(total or 0), last)
