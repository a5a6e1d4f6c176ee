"""`openenrich import people|companies FILE`: JSON Lines and CSV into the store, streamed
in batches, idempotent, every rejected line reported with its number and reason."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner, Result

from openenrich.accounts import repository
from openenrich.db import Database
from openenrich.people import importer
from openenrich.people.cli import register
from openenrich.people.importer import Kind
from openenrich.people.models import CompanyRow, PersonRow
from openenrich.people.store import EVERYONE

BIN = Path(sys.executable).parent / "openenrich"


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def invoke(app: typer.Typer, url: str, *args: str | Path) -> Result:
    return CliRunner().invoke(
        app, ["import", *map(str, args)], env={"OPENENRICH_DATABASE_URL": url}
    )


def run(url: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENENRICH_DATABASE_URL": url}
    return subprocess.run(
        [str(BIN), "import", *map(str, args)], env=env, capture_output=True, text=True, timeout=120
    )


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def summary(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def rows(url: str, table: type[PersonRow] | type[CompanyRow]) -> list[dict[str, Any]]:
    """Every row of `table` as stored, oldest first."""

    async def read() -> list[dict[str, Any]]:
        db = Database(url)
        try:
            async with db.read() as session:
                found = await session.scalars(select(table).order_by(table.seq))
                return [
                    {c.key: getattr(row, c.key) for c in table.__table__.columns} for row in found
                ]
        finally:
            await db.dispose()

    return asyncio.run(read())


def ada(**extra: Any) -> dict[str, Any]:
    person: dict[str, Any] = {
        "full_name": "Ada Lovelace",
        "headline": "Poet of numbers",
        "location": {"city": "London", "country": "United Kingdom"},
        "social_profiles": {"professional_network": {"url": "https://linkedin.com/in/Ada-L/"}},
        "skills": ["Mathematics", "Poetry"],
        "employment": {
            "current": {
                "title": "Head of Engineering",
                "start_at": "2021-05",
                "company": {"name": "Analytical Engines", "domain": "engines.example"},
            }
        },
    }
    person.update(extra)
    return person


GRACE = {
    "full_name": "Grace Hopper",
    "employment": {
        "current": {"title": "Rear Admiral", "company": {"name": "Navy", "domain": "navy.example"}}
    },
}


# ---- JSON Lines ---------------------------------------------------------------------------


def test_jsonl_people_for_every_workspace(
    database_url: str, tmp_path: Path, app: typer.Typer
) -> None:
    source = write_jsonl(tmp_path / "people.jsonl", [ada(), GRACE])
    result = invoke(app, database_url, "people", source)
    assert result.exit_code == 0, result.output
    assert "2 read, 2 inserted, 0 merged, 0 unchanged, 0 rejected" in result.stdout
    people = rows(database_url, PersonRow)
    assert [p["owner"] for p in people] == [EVERYONE, EVERYONE]
    stored = people[0]["data"]
    assert stored["full_name"] == "Ada Lovelace"
    assert stored["social_profiles"]["professional_network"]["url"] == (
        "https://www.linkedin.com/in/ada-l"
    )
    current = stored["employment"]["current"]
    assert current["start_at"] == "2021-05-01T00:00:00Z"  # dates made ISO 8601
    assert current["seniority"] == "Head"  # derived from the title, as the store does
    assert {mark["source"] for mark in people[0]["sources"].values()} == {"import:people.jsonl"}
    # Each person's current company is a company of its own, and the person points at it.
    companies = {c["domain"]: c for c in rows(database_url, CompanyRow)}
    assert set(companies) == {"engines.example", "navy.example"}
    assert current["company"]["id"] == companies["engines.example"]["id"]


def test_jsonl_companies(database_url: str, tmp_path: Path, app: typer.Typer) -> None:
    source = write_jsonl(
        tmp_path / "companies.ndjson",
        [
            {
                "name": "Analytical Engines",
                "website": "https://www.Engines.example/about",
                "headcount": 42,
                "year_founded": 1837,
                "industry": {"main_industry": "Computing"},
                "locations": {"headquarters": {"city": "London", "country_code": "GB"}},
                "stock_ticker": "AE",
            },
            {
                "name": "Difference Co",
                "social_profiles": {
                    "professional_network": {"url": "linkedin.com/company/difference-co"}
                },
            },
            {"name": "Only A Name"},
        ],
    )
    found = summary(invoke(app, database_url, "companies", source, "--json"))
    assert (found["read"], found["inserted"], found["rejected"]) == (3, 3, 0)
    assert found["ignored_fields"] == {"stock_ticker": 1}
    companies = rows(database_url, CompanyRow)
    assert [c["domain"] for c in companies] == ["engines.example", "", ""]
    assert companies[0]["headcount"] == 42 and companies[0]["founded"] == 1837
    assert "stock_ticker" not in companies[0]["data"]
    assert companies[1]["handle"] == "difference-co"
    assert {m["source"] for m in companies[2]["sources"].values()} == {"import:companies.ndjson"}


# ---- CSV ----------------------------------------------------------------------------------


def test_csv_people_with_a_bom_semicolons_and_other_spellings(
    sqlite_url: str, tmp_path: Path, app: typer.Typer
) -> None:
    source = tmp_path / "export.csv"
    source.write_bytes(
        "\ufeffFirst Name;last_name;JOB TITLE;Organization;Company Website;"
        "Person Linkedin Url;Location;Skills;Employees;Start Date;Country Code;Notes\n"
        "Alan;Turing;Cryptanalyst;Bletchley Park;https://www.bletchley.example/;"
        "linkedin.com/in/alan-turing;London, England, United Kingdom;Maths, Logic;"
        "51-200;1939-09;GB;ignored\n"
        "Zoé;Lefèvre;CTO;Acme;acme.example;;Paris, France;;1200;2020-01-15;;\n".encode()
    )
    found = summary(invoke(app, sqlite_url, "people", source, "--json"))
    assert (found["read"], found["inserted"], found["rejected"]) == (2, 2, 0)
    assert found["format"] == "csv"
    assert found["columns"]["Person Linkedin Url"] == "linkedin_url"
    assert found["ignored_columns"] == ["Notes"]
    alan, zoe = (p["data"] for p in rows(sqlite_url, PersonRow))
    assert alan["first_name"] == "Alan" and alan["full_name"] == "Alan Turing"
    assert alan["location"] == {
        "city": "London",
        "region": "England",
        "country": "United Kingdom",
        "country_code": "GB",
    }
    assert alan["skills"] == ["Maths", "Logic"]
    job = alan["employment"]["current"]
    assert job["title"] == "Cryptanalyst"
    assert job["start_at"] == "1939-09-01T00:00:00Z"
    assert job["company"]["name"] == "Bletchley Park"
    assert job["company"]["domain"] == "bletchley.example"
    assert job["company"]["headcount_range"] == "51-200"
    assert alan["social_profiles"]["professional_network"]["handle"] == "alan-turing"
    assert zoe["full_name"] == "Zoé Lefèvre"
    assert zoe["location"] == {"city": "Paris", "country": "France"}
    assert zoe["employment"]["current"]["company"]["headcount"] == 1200


def test_csv_tab_separated_and_quoted(sqlite_url: str, tmp_path: Path, app: typer.Typer) -> None:
    source = tmp_path / "people.tsv"
    source.write_text(
        "Full Name\tPosition\tEmployer\tCompany Domain\tLinkedIn\tLanguages\n"
        'Grace Hopper\t"Rear Admiral, retired"\tNavy\tnavy.example\t\tEnglish; French\n'
        "Linus Torvalds\tMaintainer\tLinux Foundation\t\ttorvalds\t\n",
        encoding="utf-8",
    )
    found = summary(invoke(app, sqlite_url, "people", source, "--json"))
    assert (found["inserted"], found["rejected"]) == (2, 0)
    grace, linus = (p["data"] for p in rows(sqlite_url, PersonRow))
    assert grace["employment"]["current"]["title"] == "Rear Admiral, retired"
    assert grace["languages"] == [{"language": "English"}, {"language": "French"}]
    # A bare handle is a profile URL.
    assert linus["social_profiles"]["professional_network"]["url"] == (
        "https://www.linkedin.com/in/torvalds"
    )


def test_csv_companies(database_url: str, tmp_path: Path, app: typer.Typer) -> None:
    source = tmp_path / "companies.csv"
    source.write_text(
        "Company Name,Website,Headcount,Year Founded,Specialties,Industry,Type,"
        "Description,HQ City,Country,Company LinkedIn URL\n"
        'Acme,acme.example,"1,200",1999,"rockets; anvils",Manufacturing,Private,'
        "Makers of things,Tucson,United States,\n"
        "Globex,,11-50,,,,,,,,https://www.linkedin.com/company/globex/\n",
        encoding="utf-8",
    )
    found = summary(invoke(app, database_url, "companies", source, "--json"))
    assert (found["inserted"], found["rejected"]) == (2, 0)
    acme, globex = (c["data"] for c in rows(database_url, CompanyRow))
    assert acme["domain"] == "acme.example"
    assert acme["headcount"] == 1200 and acme["year_founded"] == 1999
    assert acme["specialties"] == ["rockets", "anvils"]
    assert acme["industry"] == {"main_industry": "Manufacturing"}
    assert acme["company_type"] == "Private"
    assert acme["locations"] == {"headquarters": {"city": "Tucson", "country": "United States"}}
    assert globex["headcount_range"] == "11-50"
    assert globex["social_profiles"]["professional_network"]["handle"] == "globex"


def test_map_overrides_the_header(sqlite_url: str, tmp_path: Path, app: typer.Typer) -> None:
    source = tmp_path / "odd.csv"
    source.write_text(
        "Who,Where,Job,Notes,Name\nAda Lovelace,engines.example,Head of Engineering,hello,x\n",
        encoding="utf-8",
    )
    # `Name` alone would be taken as the full name; without it nothing names anyone.
    refused = invoke(app, sqlite_url, "people", source, "--map", "Name=none")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: no column gives a name or a LinkedIn URL")
    found = summary(
        invoke(
            app,
            sqlite_url,
            "people",
            source,
            "--map",
            "Who=full_name",
            "--map",
            "where=domain",  # column names match ignoring case
            "--map",
            "Job=employment.current.title",  # a dotted path into the spec's Person
            "--map",
            "Notes=headline",
            "--map",
            "Name=none",
            "--json",
        )
    )
    assert found["columns"] == {
        "Who": "full_name",
        "Where": "domain",
        "Job": "employment.current.title",
        "Notes": "headline",
    }
    (person,) = (p["data"] for p in rows(sqlite_url, PersonRow))
    assert person["full_name"] == "Ada Lovelace"
    assert person["headline"] == "hello"
    assert person["employment"]["current"]["title"] == "Head of Engineering"
    assert person["employment"]["current"]["company"]["domain"] == "engines.example"
    for bad, message in (
        ("Who=favourite_colour", "'favourite_colour' is not a field of the spec's Person"),
        ("Nobody=full_name", "no column 'Nobody'"),
        ("Who=employment.current", "holds an object"),
        ("Who", "expected COLUMN=FIELD"),
    ):
        result = invoke(app, sqlite_url, "people", source, "--map", bad)
        assert result.exit_code == 2, bad
        assert message in result.stderr and len(result.stderr.splitlines()) == 1
    jsonl = write_jsonl(tmp_path / "people.jsonl", [ada()])
    result = invoke(app, sqlite_url, "people", jsonl, "--map", "a=full_name")
    assert result.exit_code == 2 and "--map applies to CSV files" in result.stderr


# ---- idempotence ------------------------------------------------------------------------


def test_importing_again_changes_nothing(
    database_url: str, tmp_path: Path, app: typer.Typer
) -> None:
    people = write_jsonl(tmp_path / "people.jsonl", [ada(), GRACE, {"full_name": "No Key"}])
    listing = tmp_path / "people.csv"
    listing.write_text(
        "Name,Title,Company,Domain,LinkedIn URL,Languages\n"
        "Alan Turing,Cryptanalyst,Bletchley Park,bletchley.example,,\n"
        "Ada Lovelace,Head of Engineering,Analytical Engines,engines.example,"
        "https://linkedin.com/in/ada-l,English\n",
        encoding="utf-8",
    )
    companies = write_jsonl(
        tmp_path / "companies.jsonl", [{"name": "Acme", "domain": "acme.example"}]
    )
    first = [
        summary(invoke(app, database_url, "people", people, "--json")),
        summary(invoke(app, database_url, "people", listing, "--json")),
        summary(invoke(app, database_url, "companies", companies, "--json")),
    ]
    assert [(s["inserted"], s["merged"], s["rejected"]) for s in first] == [
        (2, 0, 1),
        (1, 1, 0),  # Ada again, from another file, with languages: merged
        (1, 0, 0),
    ]
    before = rows(database_url, PersonRow), rows(database_url, CompanyRow)
    again = [
        summary(invoke(app, database_url, "people", people, "--json")),
        summary(invoke(app, database_url, "people", listing, "--json")),
        summary(invoke(app, database_url, "companies", companies, "--json")),
    ]
    assert [(s["inserted"], s["merged"], s["unchanged"], s["rejected"]) for s in again] == [
        (0, 0, 2, 1),
        (0, 0, 2, 0),
        (0, 0, 1, 0),
    ]
    after = rows(database_url, PersonRow), rows(database_url, CompanyRow)
    assert len(after[0]) == 3 and len(after[1]) == 4
    assert after == before  # every column, `updated_at`, `data` and `sources` included


# ---- rejected lines ---------------------------------------------------------------------


def test_broken_lines_are_reported_and_skipped(
    sqlite_url: str, tmp_path: Path, app: typer.Typer
) -> None:
    source = tmp_path / "people.jsonl"
    lines = [
        json.dumps(ada()),  # 1
        "{not json",  # 2
        "",  # 3: blank, skipped
        "[1, 2]",  # 4
        json.dumps({"full_name": "Nobody"}),  # 5
        json.dumps({"headline": "no name", "employment": {"current": {"title": "x"}}}),  # 6
        json.dumps(ada(skills="Mathematics")),  # 7
        json.dumps(ada(employment={"all": [{"title": "x", "start_at": "last year"}]})),  # 8
        json.dumps(ada(social_profiles={"professional_network": {"url": "example.com/x"}})),
        json.dumps(ada(location={"city": 12})),  # 10
        json.dumps(GRACE),  # 11
        '"just a string"',  # 12
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = summary(invoke(app, sqlite_url, "people", source, "--json"))
    assert (found["read"], found["inserted"], found["rejected"]) == (11, 2, 9)
    reasons = {e["line"]: e["reason"] for e in found["errors"]}
    assert sorted(reasons) == [2, 4, 5, 6, 7, 8, 9, 10, 12]
    assert reasons[2].startswith("invalid JSON at column")
    assert reasons[4] == "not a JSON object (an array)"
    assert reasons[5].startswith("no professional network URL or id, and no current company")
    assert reasons[6] == "no name and no professional network URL or id"
    assert reasons[7] == "skills: expected an array, got a string"
    assert reasons[8] == "employment.all[0].start_at: not a date: 'last year'"
    assert reasons[9].startswith("social_profiles.professional_network.url: not the URL of")
    assert reasons[10] == "location.city: expected a string, got an integer"
    assert reasons[12] == "not a JSON object (a string)"
    assert [p["data"]["full_name"] for p in rows(sqlite_url, PersonRow)] == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    # The human summary lists them too.
    result = invoke(app, sqlite_url, "people", source)
    assert "line 7: skills: expected an array, got a string" in result.stdout


def test_broken_csv_rows_are_reported_and_skipped(
    sqlite_url: str, tmp_path: Path, app: typer.Typer
) -> None:
    source = tmp_path / "companies.csv"
    source.write_text(
        "Name,Domain,Employees,Founded\n"
        "Acme,acme.example,10,1999\n"  # 2
        "Too,many.example,1,2000,extra\n"  # 3
        "Bad,bad.example,lots,\n"  # 4
        "Worse,not a domain,,\n"  # 5
        ",,,\n"  # 6: every cell empty: nothing to recognise it by
        "Old,old.example,,12\n"  # 7
        '"Quote"d,q.example,,\n'  # 8
        "Globex,globex.example,,\n",  # 9
        encoding="utf-8",
    )
    found = summary(invoke(app, sqlite_url, "companies", source, "--json"))
    reasons = {e["line"]: e["reason"] for e in found["errors"]}
    assert reasons == {
        3: "5 cells where the header has 4",
        4: "column 'Employees': not a whole number: 'lots'",
        5: "column 'Domain': not a domain: 'not a domain'",
        6: "no name, domain, or professional network URL or id",
        7: "column 'Founded': not a year: '12'",
        8: reasons[8],
    }
    assert reasons[8].startswith("not CSV")
    assert [c["data"]["name"] for c in rows(sqlite_url, CompanyRow)] == ["Acme", "Globex"]


def test_rejected_lines_listed_up_to_a_hundred(
    sqlite_url: str, tmp_path: Path, app: typer.Typer
) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text("oops\n" * 150 + json.dumps(GRACE) + "\n", encoding="utf-8")
    found = summary(invoke(app, sqlite_url, "people", source, "--json"))
    assert (found["rejected"], len(found["errors"]), found["errors_not_listed"]) == (150, 100, 50)
    assert found["errors"][-1]["line"] == 100
    assert found["inserted"] == 1
    assert "... and 50 more rejected lines" in invoke(app, sqlite_url, "people", source).stdout


def test_a_record_the_database_refuses_is_rejected_alone(database_url: str, tmp_path: Path) -> None:
    """Called as a function, in batches of four. PostgreSQL refuses a handle longer than
    its column: that batch is written again record by record, and a batch of that one
    record alone is rejected; the others are imported."""

    def long(name: str) -> dict[str, Any]:
        url = f"linkedin.com/in/{name.lower()}-" + "a" * 250
        return {"full_name": name, "social_profiles": {"professional_network": {"url": url}}}

    records = [GRACE, long("Long One"), ada(), {"full_name": "Alan Turing", **GRACE_JOB}]
    source = write_jsonl(tmp_path / "people.jsonl", [*records, long("Long Two")])

    async def work() -> importer.Summary:
        db = Database(database_url)
        try:
            return await importer.import_file(db, Kind.PEOPLE, source, batch_size=4)
        finally:
            await db.dispose()

    found = asyncio.run(work())
    if database_url.startswith("sqlite"):
        assert (found.inserted, found.rejected) == (5, 0)  # SQLite does not check lengths
    else:
        assert (found.inserted, found.rejected) == (3, 2)
        assert [e.line for e in found.errors] == [2, 5]
        assert all(e.reason.startswith("refused by the database") for e in found.errors)
    names = {p["data"]["full_name"] for p in rows(database_url, PersonRow)}
    assert {"Grace Hopper", "Ada Lovelace", "Alan Turing"} <= names


GRACE_JOB = {"employment": {"current": {"company": {"name": "Bletchley", "domain": "bp.example"}}}}


# ---- workspaces, output, unreadable files -------------------------------------------------


def test_workspace_owner_and_unknown_workspace(
    database_url: str, tmp_path: Path, app: typer.Typer
) -> None:
    async def create() -> str:
        db = Database(database_url)
        try:
            async with db.transaction() as session:
                created = await repository.create_workspace(session, "Acme", b"k" * 32)
            return created.workspace_id
        finally:
            await db.dispose()

    workspace = asyncio.run(create())
    source = write_jsonl(tmp_path / "people.jsonl", [ada()])
    refused = invoke(app, database_url, "people", source, "--workspace", "no-such-workspace")
    assert refused.exit_code == 2
    assert refused.stderr == "error: no workspace no-such-workspace\n"
    assert rows(database_url, PersonRow) == []
    found = summary(invoke(app, database_url, "people", source, "--workspace", workspace, "--json"))
    assert found["workspace"] == workspace and found["inserted"] == 1
    assert [p["owner"] for p in rows(database_url, PersonRow)] == [workspace]
    assert {c["owner"] for c in rows(database_url, CompanyRow)} == {workspace}


def test_json_summary_from_the_installed_command(sqlite_url: str, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "people.jsonl", [ada(), GRACE, [1]])
    done = run(sqlite_url, "people", source, "--json")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1  # exactly one JSON object, no progress bar
    found = json.loads(done.stdout)
    assert set(found) >= {"read", "inserted", "merged", "unchanged", "rejected", "errors"}
    assert (found["read"], found["inserted"], found["merged"], found["unchanged"]) == (3, 2, 0, 0)
    assert found["rejected"] == 1
    assert found["errors"] == [{"line": 3, "reason": "not a JSON object (an array)"}]
    assert found["source"] == "import:people.jsonl" and found["workspace"] is None
    plain = run(sqlite_url, "people", source)
    assert plain.returncode == 0
    assert plain.stdout.splitlines()[0].endswith(
        "3 read, 0 inserted, 0 merged, 2 unchanged, 1 rejected"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "cannot read"),
        ("folder.csv", "dir", "cannot read"),
        ("empty.csv", b"", "the file is empty"),
        ("sheet.csv", b"PK\x03\x04rest-of-a-zip", "spreadsheet"),
        ("header-only.csv", b"Colour,Size\n", "no column gives a name or a LinkedIn URL"),
        ("array.json", b'[\n  {"full_name": "Ada"}\n]\n', "a JSON array, not JSON Lines"),
    ],
)
def test_unreadable_files_fail_in_one_line(
    sqlite_url: str,
    tmp_path: Path,
    app: typer.Typer,
    name: str,
    content: bytes | str | None,
    message: str,
) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    result = invoke(app, sqlite_url, "people", path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


def test_unreadable_file_from_the_installed_command(sqlite_url: str, tmp_path: Path) -> None:
    done = run(sqlite_url, "companies", tmp_path / "nowhere.csv")
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot read") and len(done.stderr.splitlines()) == 1


# ---- a million lines --------------------------------------------------------------------

MILLION = 1_000_000
# Syllables make 100 first and 100 last names; with 100 companies, every record is a
# different person (name and company domain differ, and so do the profile handles).
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "da")
_FIRST = [(a + b).capitalize() for a in _SYLLABLES for b in _SYLLABLES]
_LAST = [(a + b + "n").capitalize() for a in _SYLLABLES for b in _SYLLABLES]
_TITLES = ("Software Engineer", "Head of Sales", "VP Marketing", "Account Executive", "CTO")
_PLACES = (("Paris", "France"), ("Berlin", "Germany"), ("Austin", "United States"))
_LINE = (
    '{{"full_name": "{first} {last}", "first_name": "{first}", "last_name": "{last}", '
    '"location": {{"city": "{city}", "country": "{country}"}}, '
    '"social_profiles": {{"professional_network": '
    '{{"url": "https://www.linkedin.com/in/{handle}-{index}"}}}}, '
    '"employment": {{"current": {{"title": "{title}", '
    '"company": {{"name": "Company {company}", "domain": "company-{company}.example"}}}}}}}}\n'
)


def write_million(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for index in range(MILLION):
            first, last = _FIRST[index % 100], _LAST[index // 100 % 100]
            city, country = _PLACES[index % 3]
            out.write(
                _LINE.format(
                    first=first,
                    last=last,
                    handle=f"{first}-{last}".lower(),
                    index=index,
                    city=city,
                    country=country,
                    title=_TITLES[index % 5],
                    company=index // 10_000,
                )
            )


# Runs the import as a child of its own, so its peak RSS is the only one it reads.
_MEASURE = """
import resource, subprocess, sys, time
started = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(done.stderr)
print(done.returncode, usage.ru_maxrss, time.monotonic() - started, usage.ru_utime + usage.ru_stime)
print(done.stdout, end="")
"""


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_a_million_lines_in_constant_memory(sqlite_url: str, tmp_path: Path) -> None:
    source = tmp_path / "million.jsonl"
    started = time.monotonic()
    write_million(source)
    env = {**os.environ, "OPENENRICH_DATABASE_URL": sqlite_url}
    command = [str(BIN), "import", "people", str(source), "--json"]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    head, _, output = done.stdout.partition("\n")
    code, peak_kib, seconds, cpu = head.split()
    assert code == "0", done.stderr
    found = json.loads(output)
    assert (found["read"], found["inserted"], found["rejected"]) == (MILLION, MILLION, 0)
    peak_mib = int(peak_kib) / 1024
    print(
        f"\nimported {MILLION:,} lines in {float(seconds):.0f} s "
        f"({MILLION / float(seconds):,.0f} rows/s; {float(cpu):.0f} s of CPU), "
        f"peak RSS {peak_mib:.0f} MiB; {time.monotonic() - started:.0f} s with writing the file"
    )
    assert peak_mib <= 300
