"""Generated stores and generated searches: what `/people/search` and `/company/search`
return is exactly what a plain-Python reading of the filters' rules returns over the same
records, in relevance order, and paging by `offset` or by `search_after` (any page size)
gives every match once, in that order.

The reference reads records only through `openenrich.people.fields` (which values a filter
looks at) and `openenrich.people.terms` (`tolerant_match`, `fold`, `words`); the range
rules (whole years and days since a date, unknown values) are written here with `datetime`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from anyascii import anyascii
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from tests.harness import Api, make_settings, running_api

from openenrich.accounts.repository import Caller
from openenrich.db import utcnow
from openenrich.people import terms
from openenrich.people.fields import (
    COMPANIES,
    PEOPLE,
    Field,
    Record,
    TextField,
    current_job,
)
from openenrich.people.models import CompanyRow, Export, PersonRow
from openenrich.people.service import Kind
from openenrich.people.store import EVERYONE, upsert_companies, upsert_people

T = TypeVar("T")

OTHER = "0ther000-0000-4000-8000-000000000000"  # another workspace: never visible

# ---- vocabularies: accents, several words, shared words --------------------------------

FIRST = ["José", "Zoë", "Ana María", "Jean-Luc", "Björn", "Chloé", "Li", "Mary Ann", "Ólafur"]
LAST = ["García Márquez", "Müller", "O'Brien", "Nguyễn", "Dupont", "Smith", "de la Cruz", "Ng"]
COMPANY_NAMES = [
    ("Société Générale", "societegenerale.com", 4242, "societe-generale"),
    ("Acme Corp", "acme.example", 31337, "acme-corp"),
    ("Acme Labs", "acmelabs.example", 31338, "acme-labs"),
    ("Mistral AI", "mistral.ai", 9001, "mistralai"),
    ("Deutsche Bank AG", "db.com", 77, "deutsche-bank"),
    ("Crédit Agricole", "credit-agricole.fr", 78, "credit-agricole"),
    ("Bank of America", "bankofamerica.com", 81, "bank-of-america"),
    ("Zürich Versicherung", "zurich.ch", 82, "zurich"),
]
TITLES = [
    "Senior Software Engineer",
    "Software Engineer",
    "Head of Sales",
    "Directeur Général",
    "VP Marketing",
    "Chief Technology Officer",
    "Sales Manager",
    "Ingénieur Logiciel",
    "Data Scientist",
]
PLACES = [
    ("São Paulo", "São Paulo", "Brazil", "BR"),
    ("Paris", "Île-de-France", "France", "FR"),
    ("Zürich", "Zürich", "Switzerland", "CH"),
    ("New York", "New York", "United States", "US"),
    ("San Francisco", "California", "United States", "US"),
    ("Kraków", "Lesser Poland", "Poland", "PL"),
    ("Montréal", "Québec", "Canada", "CA"),
]
SKILLS = ["Python", "Machine Learning", "Project Management", "B2B Sales", "Négociation", "Rust"]
LANGUAGES = ["English", "French", "Français", "German", "Español", "Portuguese"]
SCHOOLS = ["École Polytechnique", "Stanford University", "ETH Zürich", "HEC Paris"]
INDUSTRIES = ["Software Development", "Banking", "Financial Services", "Food and Beverage"]
TYPES = ["Privately Held", "Public Company", "Partnership", "Nonprofit"]
SPECIALTIES = ["artificial intelligence", "machine learning", "retail banking", "coffee", "data"]
SENIORITIES = ["Senior", "Manager", "Director", "VP", "C-Level", "Head"]
FUNCTIONS = [("Engineering", "Software Engineering"), ("Sales", "Business Development")]
DESCRIPTIONS = [
    "AI research company building reliable systems.",
    "Specialty coffee roasted in Zürich since 1998.",
    "One of the leading European banks and financial services groups.",
    "Software for data teams; machine learning at scale.",
]
WORDS = sorted(
    {
        word
        for text in (
            *FIRST,
            *LAST,
            *(c[0] for c in COMPANY_NAMES),
            *TITLES,
            *(p for place in PLACES for p in place),
            *SKILLS,
            *LANGUAGES,
            *INDUSTRIES,
            *SPECIALTIES,
        )
        for word in text.split()
    }
)
# Days worth drawing: leap days and their neighbours, year ends.
SPECIAL_DAYS = [
    date(2020, 2, 28),
    date(2020, 2, 29),
    date(2020, 3, 1),
    date(2021, 2, 28),
    date(2021, 3, 1),
    date(2023, 12, 31),
    date(2024, 2, 29),
    date(2024, 3, 1),
]
TODAYS = [date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2026, 3, 15)]


def present(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@cache
def _between(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


class Pick:
    """Draws for building records, through a few strategies made once: a store takes
    thousands of draws, and a strategy built per draw would cost most of the time."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def number(self, low: int, high: int) -> int:
        return self.draw(_between(low, high))

    def one(self, items: Sequence[T]) -> T:
        return items[self.number(0, len(items) - 1)]

    def chance(self) -> bool:
        return self.number(0, 1) == 1

    def maybe(self, value: T) -> T | None:
        return value if self.chance() else None

    def some(self, items: Sequence[T], most: int) -> list[T]:
        chosen = [self.one(items) for _ in range(self.number(0, most))]
        return list(dict.fromkeys(chosen))


def anniversary(today: date, years: int) -> date:
    """The same day `years` years before `today` (the 28th for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)


MALFORMED = ["2020-13-45T00:00:00Z", "2019-02-30T00:00:00Z", "2021-07", "sometime"]


def start_at(pick: Pick, today: date) -> str:
    """A start date as providers send it, often on or beside a boundary of the years and
    days filters, some in the future, now and then malformed (then unknown)."""
    way = pick.number(0, 9)
    if way == 9:
        return pick.one(MALFORMED)
    if way < 4:
        day = anniversary(today, pick.number(-1, 6))
    elif way < 5:
        day = anniversary(today, pick.number(-1, 6)) + timedelta(days=pick.one([-1, 1]))
    elif way < 6:
        day = date(1995, 1, 1) + timedelta(days=pick.number(0, 12_400))
    elif way < 7:
        day = pick.one(SPECIAL_DAYS)
    else:
        day = today - timedelta(days=pick.number(-30, 12_000))
    return day.isoformat() if pick.chance() else f"{day.isoformat()}T00:00:00Z"


def network(pick: Pick, section: str, handle: str, number: int) -> dict[str, Any] | None:
    url = pick.one(
        [
            f"https://www.linkedin.com/{section}/{handle}",
            f"linkedin.com/{section}/{handle.upper()}/",
            f"https://fr.linkedin.com/{section}/{handle}?trk=x",
        ]
    )
    return present({"id": pick.maybe(number), "url": pick.maybe(url)}) or None


def place(pick: Pick) -> dict[str, Any]:
    city, region, country, code = pick.one(PLACES)
    return present(
        {
            "city": pick.maybe(city),
            "region": pick.maybe(region),
            "country": pick.maybe(country),
            "country_code": pick.maybe(code),
        }
    )


def company(pick: Pick, job: bool = False) -> dict[str, Any]:
    name, domain, number, handle = pick.one(COMPANY_NAMES)
    headquarters = place(pick)
    profile = network(pick, "company", handle, number)
    industry = pick.maybe(pick.one(INDUSTRIES))
    return present(
        {
            "name": pick.maybe(pick.one([name, name.upper(), f"{name} Group"])),
            "domain": pick.maybe(pick.one([domain, f"https://www.{domain}/about"])),
            "description": None if job else pick.maybe(pick.one(DESCRIPTIONS)),
            "year_founded": pick.maybe(pick.one([0, pick.number(1850, 2027)])),
            "headcount": pick.maybe(pick.one([0, pick.number(1, 200_000)])),
            "company_type": pick.maybe(pick.one(TYPES)),
            "industry": {"main_industry": industry} if industry else None,
            "specialties": pick.some(SPECIALTIES, 3),
            "locations": {"headquarters": headquarters} if headquarters else None,
            "social_profiles": {"professional_network": profile} if profile else None,
        }
    )


def job(pick: Pick, today: date, company_id: str, current: dict[str, Any] | None) -> dict[str, Any]:
    # Past jobs are now and then at the current company (same name or domain).
    at = (
        {k: current["company"][k] for k in ("name", "domain") if k in current["company"]}
        if current is not None and "company" in current and pick.chance()
        else {"id": company_id, **company(pick, job=True)}
    )
    functions = [
        present({"function": function, "sub_function": pick.maybe(sub)})
        for function, sub in pick.some(FUNCTIONS, 2)
    ]
    return present(
        {
            "title": pick.maybe(pick.one(TITLES)),
            "seniority": pick.maybe(pick.one(SENIORITIES)),
            "job_functions": functions or None,
            "company": at or None,
            "start_at": start_at(pick, today) if pick.chance() else None,
        }
    )


def person(pick: Pick, today: date, index: int) -> dict[str, Any]:
    first, last = pick.one(FIRST), pick.one(LAST)
    handle = anyascii(f"{first}-{last}").lower().replace(" ", "-").replace("'", "")
    number = pick.number(1, 400)
    profile = network(pick, "in", f"{handle}-{number}", 10_000 + number)
    current = job(pick, today, _uuid(3, index * 10), None) if pick.chance() else None
    past = [
        {**job(pick, today, _uuid(3, index * 10 + n + 1), current), "is_current": False}
        for n in range(pick.number(0, 3))
    ]
    layout = pick.one(["both", "current only", "all only"])
    employment: dict[str, Any] | None = None
    if current is not None or past:
        employment = {}
        if current is not None and layout != "all only":
            employment["current"] = current
        listed = [{**current, "is_current": True}] if current and layout != "current only" else []
        employment["all"] = listed + past
    full = pick.chance()
    return present(
        {
            "id": _uuid(1, index),
            "full_name": f"{first} {last}" if full else None,
            "first_name": first,
            "last_name": None if full and pick.chance() else last,
            "location": place(pick) or None,
            "social_profiles": {"professional_network": profile} if profile else None,
            "skills": pick.some(SKILLS, 3),
            "languages": [{"language": name} for name in pick.some(LANGUAGES, 2)],
            "educations": [{"school_name": name} for name in pick.some(SCHOOLS, 2)],
            "employment": employment,
        }
    )


def _uuid(kind: int, index: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{index:012x}"


OWNERS = ["workspace", EVERYONE, EVERYONE, OTHER]
Owned = list[tuple[str, dict[str, Any]]]
Store = tuple[Owned, Owned]


@st.composite
def store(draw: st.DrawFn, today: date) -> Store:
    pick = Pick(draw)
    companies = [
        (pick.one(OWNERS), {"id": _uuid(2, i), **company(pick)}) for i in range(pick.number(10, 25))
    ]
    people = [(pick.one(OWNERS), person(pick, today, i)) for i in range(pick.number(15, 40))]
    return companies, people


# ---- the reference -----------------------------------------------------------------------


def day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def whole_years(start: date, today: date) -> int:
    years = today.year - start.year
    return years - 1 if (today.month, today.day) < (start.month, start.day) else years


def known(value: Any) -> int | None:
    """A number the spec does not use for 'unknown' (0 is)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value else None


def _jobs(record: Record) -> list[Record]:
    employment = record.get("employment") or {}
    jobs: list[Record] = [j for j in employment.get("all") or [] if isinstance(j, dict)]
    current = employment.get("current")
    return jobs + ([current] if isinstance(current, dict) else [])


def _same(a: Record, b: Record) -> bool:
    return any(a.get(k) and a.get(k) == b.get(k) for k in ("id", "domain", "name"))


def range_value(kind: Kind, column: str, record: Record, today: date) -> int | None:
    """What a range filter compares, read here from the record itself."""
    if kind is Kind.COMPANY:
        return known(record.get({"headcount": "headcount", "founded": "year_founded"}[column]))
    current = current_job(record)
    company = current.get("company") or {}
    if column == "headcount":
        return known(company.get("headcount"))
    if column == "founded":
        return known(company.get("year_founded"))
    if column == "position_start":
        start = day(current.get("start_at"))
        return whole_years(start, today) if start else None
    if column == "company_start":
        there = [
            d
            for job in _jobs(record)
            if job is current or _same(job.get("company") or {}, company)
            if (d := day(job.get("start_at")))
        ]
        return whole_years(min(there), today) if there else None
    assert column == "last_change"
    starts = [d for job in _jobs(record) if (d := day(job.get("start_at")))]
    return (today - max(starts)).days if starts else None


def _values(spec: TextField, record: Record) -> list[str]:
    return [spec.normalise(value) for value in spec.values(record)]


def text_hit(spec: TextField, item: Mapping[str, Any], record: Record) -> bool:
    value = spec.normalise(str(item["value"]).strip())
    stored = _values(spec, record)
    if spec.identifier or item.get("exact_match"):
        return terms.fold(value) in {terms.fold(v) for v in stored}
    if not spec.subsets:  # long texts: every word of the value, anywhere
        wanted = set(terms.words(value))
        return bool(wanted) and wanted <= {w for v in stored for w in terms.words(v)}
    return terms.tolerant_match(value, [terms.words(v) for v in stored])


def range_hit(value: int | None, item: Mapping[str, Any]) -> bool:
    low, high = item.get("min"), item.get("max")
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


def matches(kind: Kind, body: Mapping[str, Any], record: Record, today: date) -> bool:
    fields = PEOPLE if kind is Kind.PERSON else COMPANIES
    for name, items in body.items():
        spec = fields.get(name)
        if spec is None:
            continue
        if isinstance(spec, TextField):
            hits = [text_hit(spec, item, record) for item in items]
        else:
            value = range_value(kind, spec.column, record, today)
            hits = [range_hit(value, item) for item in items]
        wanted = [hit for item, hit in zip(items, hits, strict=True) if not item.get("exclude")]
        unwanted = [hit for item, hit in zip(items, hits, strict=True) if item.get("exclude")]
        if wanted and not any(wanted):
            return False
        if any(unwanted):
            return False
    return True


def relevance(kind: Kind, body: Mapping[str, Any], record: Record) -> int:
    """How many of the request's non-identifier text values the record holds exactly."""
    fields = PEOPLE if kind is Kind.PERSON else COMPANIES
    score = 0
    for name, items in body.items():
        spec = fields.get(name)
        if not isinstance(spec, TextField) or spec.identifier:
            continue
        held = {terms.fold(v) for v in _values(spec, record)}
        for item in items:
            if not item.get("exclude"):
                score += terms.fold(spec.normalise(str(item["value"]).strip())) in held
    return score


def reference(
    kind: Kind, body: Mapping[str, Any], records: Sequence[Record], today: date
) -> list[str]:
    found = [r for r in records if matches(kind, body, r, today)]
    found.sort(key=lambda r: (-relevance(kind, body, r), r["id"]))
    return [r["id"] for r in found]


# ---- generated searches ------------------------------------------------------------------


def _variants(value: str) -> list[str]:
    """A stored value as people type it: whole, another case, without accents, with a
    word dropped, added, or the words in another order."""
    parts = value.split()
    out = [value, value.upper(), value.lower(), value.swapcase(), anyascii(value)]
    if len(parts) > 1:
        out += [" ".join(parts[1:]), " ".join(parts[:-1]), " ".join(reversed(parts))]
    out += [f"{value} Group", f"the {value}", parts[0] if parts else value]
    return [v for v in out if v.strip()]


def _identifier_variants(name: str, value: str) -> list[Any]:
    if name.endswith("professional_network_ids"):
        return [int(value), value]
    if name.endswith("professional_network_urls"):
        handle = value.rstrip("/").rsplit("/", 1)[-1]
        section = "company" if "/company/" in value else "in"
        return [value, value.upper(), f"linkedin.com/{section}/{handle}/", f"{section}/{handle}"]
    return [value, value.upper()]


random_text = st.text(alphabet=st.sampled_from("abcdeéüøß ZÜ-'.&"), min_size=1, max_size=12).filter(
    str.strip
)


@st.composite
def text_item(
    draw: st.DrawFn, name: str, spec: TextField, records: Sequence[Record], target: Record
) -> dict[str, Any]:
    """A value of the target record's, of another record's, words of several, or none of
    theirs; whole or as people type it."""
    stored = sorted({v for r in records for v in spec.values(r)})
    own = spec.values(target)
    known = sorted({w for v in stored for w in v.split()})
    choice = draw(_between(0, 9))
    if (own and choice < 4) or (stored and choice < 6):
        base = draw(st.sampled_from(own if own and choice < 4 else stored))
        pool = _identifier_variants(name, base) if spec.identifier else _variants(base)
        value: Any = draw(st.sampled_from(pool))
    elif known and choice < 8 and not spec.identifier:
        # Words of the field's values, mixed: some of one value, some of another.
        value = " ".join(draw(st.lists(st.sampled_from(known), min_size=2, max_size=5)))
    elif name.endswith("professional_network_ids"):
        value = draw(_between(1, 20_000))
    else:
        value = draw(st.sampled_from(WORDS) | random_text | st.sampled_from(WORDS).map(str.upper))
    item: dict[str, Any] = {"value": value}
    if draw(_between(0, 3)) == 0:
        item["exclude"] = True
    if draw(st.booleans()):
        item["exact_match"] = draw(st.booleans())
    return item


@st.composite
def range_item(
    draw: st.DrawFn, anchors: Sequence[int], own: int | None, extreme: int
) -> dict[str, Any]:
    """Bounds mostly on or beside the values records hold (the target's first), where an
    off-by-one shows."""

    def bound() -> int:
        way = draw(_between(0, 9))
        if own is not None and way < 4:
            return own + draw(_between(-1, 1))
        if anchors and way < 8:
            return draw(st.sampled_from(anchors)) + draw(_between(-1, 1))
        if way < 9:
            return draw(_between(-extreme, extreme))
        return draw(st.sampled_from([-(10**9), 10**9]))

    low = bound() if draw(st.booleans()) else None
    high = bound() if low is None or draw(st.booleans()) else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    item = present({"min": low, "max": high})
    if draw(_between(0, 3)) == 0:
        item["exclude"] = True
    return item


@st.composite
def search_body(
    draw: st.DrawFn, kind: Kind, records: Sequence[Record], today: date
) -> dict[str, Any]:
    """One to three filters of one to three items, their values mostly around one target
    record's, so that filters ANDed still find something."""
    fields: Mapping[str, Field] = PEOPLE if kind is Kind.PERSON else COMPANIES
    target = draw(st.sampled_from(records)) if records else {}

    def held(name: str) -> bool:
        spec = fields[name]
        if isinstance(spec, TextField):
            return bool(spec.values(target))
        return range_value(kind, spec.column, target, today) is not None

    # Range filters are few: drawn as often as text ones; fields the target has a value
    # for more often than others.
    ranges = sorted(name for name, spec in fields.items() if not isinstance(spec, TextField))
    texts = sorted(name for name, spec in fields.items() if isinstance(spec, TextField))
    choices = [st.sampled_from(ranges), st.sampled_from(texts)]
    choices += [
        st.sampled_from(part)
        for part in ([n for n in ranges if held(n)], [n for n in texts if held(n)])
        if part
    ]
    count = draw(st.sampled_from([1, 1, 2, 2, 3]))
    names = draw(st.lists(st.one_of(choices), min_size=count, max_size=count, unique=True))
    body: dict[str, Any] = {}
    for name in names:
        spec = fields[name]
        if isinstance(spec, TextField):
            item = text_item(name, spec, records, target)
        else:
            values = [range_value(kind, spec.column, r, today) for r in records]
            anchors = sorted(v for v in values if v is not None)  # common values likelier
            own = range_value(kind, spec.column, target, today) if target else None
            extreme = 300_000 if spec.column == "headcount" else 20_000
            item = range_item(anchors, own, extreme)
        body[name] = draw(st.lists(item, min_size=1, max_size=3))
    return body


# ---- the property ------------------------------------------------------------------------


async def _fill(api: Api, drawn: Store) -> tuple[list[Record], list[Record]]:
    """A fresh store of the records drawn; the records the workspace sees."""
    companies, people = drawn
    db = api.services.db
    async with db.transaction() as session:
        for table in (Export, PersonRow, CompanyRow):
            await session.execute(delete(table))
    async with db.transaction() as session:
        for who in ("workspace", EVERYONE, OTHER):
            owner_id = api.workspace_id if who == "workspace" else who
            mine = [c for o, c in companies if o == who]
            if mine:
                await upsert_companies(session, owner_id, mine, "import", utcnow())
            theirs = [p for o, p in people if o == who]
            if theirs:
                await upsert_people(session, owner_id, theirs, "import", utcnow())
    visible = (api.workspace_id, EVERYONE)
    async with db.read() as session:
        found_people: list[Record] = [
            dict(d)
            for d in await session.scalars(
                select(PersonRow.data).where(PersonRow.owner.in_(visible)).order_by(PersonRow.id)
            )
        ]
        found_companies: list[Record] = [
            dict(d)
            for d in await session.scalars(
                select(CompanyRow.data).where(CompanyRow.owner.in_(visible)).order_by(CompanyRow.id)
            )
        ]
    return found_people, found_companies


async def _page(
    api: Api, who: Caller, kind: Kind, body: dict[str, Any]
) -> tuple[list[str], dict[str, Any]]:
    answer = await api.services.people.search(who, body, kind)
    return [r["id"] for r in answer[kind.plural]], answer["metadata"]


async def _check_paging(
    api: Api, who: Caller, kind: Kind, body: dict[str, Any], expected: list[str], size: int
) -> None:
    by_offset: list[str] = []
    for offset in range(0, len(expected) + size, size):
        ids, metadata = await _page(api, who, kind, {**body, "limit": size, "offset": offset})
        assert metadata["total"] == len(expected) and metadata["offset"] == offset
        by_offset += ids
    assert by_offset == expected, ("offset", size)
    by_cursor: list[str] = []
    cursor: str | None = None
    for _ in range(len(expected) // size + 2):
        request = {**body, "limit": size} | ({"search_after": cursor} if cursor else {})
        ids, metadata = await _page(api, who, kind, request)
        assert metadata["total"] == len(expected)
        by_cursor += ids
        if len(ids) < size:
            assert ("search_after" in metadata) == bool(ids)
            break
        cursor = metadata["search_after"]
    assert by_cursor == expected, ("search_after", size)


def test_searches_return_what_the_reference_filter_returns(
    database_url: str, tmp_path: Path
) -> None:
    async def scenario() -> None:
        settings_ = make_settings(database_url, tmp_path, embedded_worker=False)
        async with running_api(settings_, credits=1_000_000) as api:
            loop = asyncio.get_running_loop()
            who = await api.services.auth.caller(api.key)

            def run(coroutine: Coroutine[Any, Any, T]) -> T:
                return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

            @settings(
                max_examples=40,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(data=st.data())
            def one(data: st.DataObject) -> None:
                today = data.draw(
                    st.sampled_from(TODAYS) | st.dates(date(2020, 1, 1), date(2030, 12, 31)),
                    label="today",
                )
                api.services.people.clock = lambda: datetime.combine(today, time(12), tzinfo=UTC)
                drawn = data.draw(store(today), label="store")
                people, companies = run(_fill(api, drawn))
                for kind, records in ((Kind.PERSON, people), (Kind.COMPANY, companies)):
                    for round in range(6):
                        body = data.draw(search_body(kind, records, today), label=kind.value)
                        expected = reference(kind, body, records, today)
                        ids, metadata = run(_page(api, who, kind, {**body, "limit": 100}))
                        assert ids == expected
                        assert metadata["total"] == len(expected)
                        if round == 0:
                            sizes = data.draw(
                                st.lists(st.integers(1, 8), min_size=1, max_size=2), label="sizes"
                            )
                            for size in sizes:
                                size = max(size, -(-len(expected) // 5))
                                run(_check_paging(api, who, kind, body, expected, size))

            await asyncio.to_thread(one)

    asyncio.run(scenario())
