"""People search through the HTTP API against the same queries run by the driver.

Generates the synthetic population (one million people by default, and their companies),
imports it on SQLite with `openenrich import` (rows per second and the import's peak
RSS), starts a server, then runs a mixed workload of people searches (names, titles,
seniority, headcount ranges, locations, exclusions, `offset` and `search_after` pages)
one after another: through the API with a live key, and as the very SQL the server runs
(count and page), through Python's `sqlite3` on the same file. Every query is run once
before timing, so the timed API calls are free re-exports, as a list being refined is.

Run: .venv/bin/python bench/search.py [--people 1000000] [--rounds 5]   (last line: ratio=)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from bench.servers import cli, stop
from sqlalchemy.dialects import sqlite
from tests.test_crash import free_port
from tests.test_crash import start as serve

from openenrich.people import requests, synthetic
from openenrich.people.fields import PEOPLE
from openenrich.people.models import PersonRow
from openenrich.people.search import statements
from openenrich.people.store import EVERYONE

BIN = Path(sys.executable).parent / "openenrich"


def write_jsonl(path: Path, records: Any) -> int:
    count = 0
    with path.open("wb") as out:
        for record in records:
            out.write(orjson.dumps(record) + b"\n")
            count += 1
    return count


def timed_import(env: dict[str, str], kind: str, path: Path) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN), "import", kind, str(path), "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, json.loads(done.stdout)


def workload(people: int, companies: int) -> list[dict[str, Any]]:
    """Searches a user building a list would make, on values the population holds."""
    sample = [synthetic.person(i * 7919 % people, companies) for i in range(8)]
    queries: list[dict[str, Any]] = []
    for person in sample:
        current = person["employment"]["current"]
        company = current["company"]
        location = person.get("location", {})
        queries += [
            {"person_names": [{"value": person["full_name"]}]},
            {"person_names": [{"value": person["last_name"]}], "limit": 25},
            {"current_position_titles": [{"value": current["title"]}], "limit": 50},
            {
                "current_position_seniority_level": [{"value": current.get("seniority", "VP")}],
                "current_company_headcounts": [{"min": 50, "max": 500}],
                "person_locations": [{"value": location.get("country", "France")}],
            },
            {
                "current_company_names": [{"value": company["name"], "exact_match": True}],
                "person_skills": [{"value": "Python", "exclude": True}],
            },
            {
                "current_company_industries": [
                    {"value": company.get("industry", {}).get("main_industry", "Software")}
                ],
                "current_company_founded_years": [{"min": 2000, "max": 2015}],
                "offset": 200,
                "limit": 20,
            },
        ]
    return queries


def paged(base: str, key: str, client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    """A follow-up page with `search_after`, from the first page of `body`."""
    first = client.post(f"{base}/api/v2/people/search", json=body, headers=auth(key)).json()
    cursor = first["metadata"].get("search_after")
    rest = {key: value for key, value in body.items() if key != "offset"}
    return {**rest, "search_after": cursor} if cursor else body


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def direct_sql(workspace_id: str, bodies: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The server's two statements per search, compiled for SQLite with their values."""
    found = []
    visible = PersonRow.owner.in_((workspace_id, EVERYONE))
    for body in bodies:
        query = requests.search(body, PEOPLE)
        made = statements(PersonRow, PEOPLE, query, visible, "sqlite", date.today())
        assert made is not None
        pair = tuple(
            str(s.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
            for s in (made.count, made.page)
        )
        found.append((pair[0], pair[1]))
    return found


def run_http(base: str, key: str, bodies: list[dict[str, Any]], rounds: int) -> list[float]:
    latencies = []
    with httpx.Client(timeout=120) as client:
        for body in bodies:  # once untimed: the records are charged and exported
            response = client.post(f"{base}/api/v2/people/search", json=body, headers=auth(key))
            assert response.status_code == 200, (body, response.text[:500])
        for _ in range(rounds):
            for body in bodies:
                started = time.perf_counter()
                response = client.post(f"{base}/api/v2/people/search", json=body, headers=auth(key))
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
    return latencies


def run_direct(database: Path, queries: list[tuple[str, str]], rounds: int) -> list[float]:
    latencies = []
    connection = sqlite3.connect(database)
    for count, page in queries:  # once untimed, as above
        connection.execute(count).fetchall()
        connection.execute(page).fetchall()
    for _ in range(rounds):
        for count, page in queries:
            started = time.perf_counter()
            connection.execute(count).fetchall()
            connection.execute(page).fetchall()
            latencies.append(time.perf_counter() - started)
    connection.close()
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=0, help="default: people / 20")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    companies = args.companies or max(1, args.people // 20)
    workdir = Path(tempfile.mkdtemp(prefix="openenrich-bench-search-"))
    database = workdir / "search.db"
    env = {
        **os.environ,
        "OPENENRICH_DATABASE_URL": f"sqlite:///{database}",
        "OPENENRICH_SECRET_KEY_FILE": str(workdir / "secret.key"),
        "OPENENRICH_RATE_LIMIT_PER_MINUTE": "0",
        "OPENENRICH_EMBEDDED_WORKER": "false",
    }
    cli(env, "migrate")
    created = json.loads(
        cli(env, "workspaces", "create", "bench", "--credits", "10000000", "--json")
    )
    print(f"generating {args.people:,} people across {companies:,} companies", flush=True)
    companies_file, people_file = workdir / "companies.jsonl", workdir / "people.jsonl"
    write_jsonl(companies_file, synthetic.companies(companies))
    write_jsonl(people_file, synthetic.people(args.people, companies))
    seconds_c, summary_c = timed_import(env, "companies", companies_file)
    seconds_p, summary_p = timed_import(env, "people", people_file)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"import companies: {summary_c['read']:,} rows in {seconds_c:.1f} s "
        f"({summary_c['read'] / seconds_c:,.0f} rows/s)"
    )
    print(
        f"import people: {summary_p['read']:,} rows in {seconds_p:.1f} s "
        f"({summary_p['read'] / seconds_p:,.0f} rows/s), inserted {summary_p['inserted']:,}"
    )
    print(f"import peak RSS: {peak_mb:.0f} MB (database {database.stat().st_size / 2**20:,.0f} MB)")

    port = free_port()
    server = serve(env, port, workdir / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        bodies = workload(args.people, companies)
        with httpx.Client(timeout=120) as client:
            bodies += [paged(base, created["api_key"], client, b) for b in bodies[:8]]
        api = run_http(base, created["api_key"], bodies, args.rounds)
    finally:
        stop(server)
    direct = run_direct(database, direct_sql(created["workspace_id"], bodies), args.rounds)
    api_qps, direct_qps = len(api) / sum(api), len(direct) / sum(direct)
    print(f"{len(bodies)} searches x {args.rounds} rounds")
    print(
        f"API:    {api_qps:,.1f} q/s, p50 {statistics.median(api) * 1000:.1f} ms, "
        f"p95 {percentile(api, 0.95) * 1000:.1f} ms"
    )
    print(
        f"direct: {direct_qps:,.1f} q/s, p50 {statistics.median(direct) * 1000:.1f} ms, "
        f"p95 {percentile(direct, 0.95) * 1000:.1f} ms"
    )
    print(f"ratio={api_qps / direct_qps:.3f}")


if __name__ == "__main__":
    main()
