"""SQLite and PostgreSQL answer a search alike: the same records stored on both, the same
searches asked of both, the same ids in the same order, totals, cursors and credits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.harness import Api, _truncate_postgres, make_settings, running_api
from tests.people import records

from openenrich.db import utcnow
from openenrich.people.store import EVERYONE, upsert_people

pytestmark = pytest.mark.anyio

OTHER_WORKSPACE = "eeeeeeee-0000-4000-8000-00000000000e"
FIRST = ["Anna", "Björn", "Chloé", "Dmitri", "Élodie", "Farid"]
LAST = ["Müller", "Smith", "García", "Nakamura", "Ó Briain"]
TITLES = ["Software Engineer", "Senior Software Engineer", "Head of Sales", "Sales Manager"]
COMPANIES = [records.ANTHROPIC, records.SOCIETE, records.MISTRAL, records.KAFFEE]


def more_people() -> list[dict[str, Any]]:
    """Thirty more, with fixed ids, so pages and ties have something to order."""
    found = []
    for i in range(30):
        first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
        company = COMPANIES[i % len(COMPANIES)]
        found.append(
            {
                "id": f"2c000000-0000-4000-8000-{(i * 7919) % 1000:012d}",
                "full_name": f"{first} {last}",
                "location": {"city": ["Paris", "Zürich", "Austin"][i % 3]},
                "skills": ["Python", "Rust", "Sales"][: 1 + i % 3],
                "employment": {
                    "current": {
                        "title": TITLES[i % len(TITLES)],
                        "company": {
                            k: company[k] for k in ("name", "domain", "headcount", "year_founded")
                        },
                        "start_at": f"{2010 + i % 15}-0{1 + i % 9}-1{i % 10}T00:00:00Z",
                    }
                },
                "social_profiles": {"professional_network": {"id": 7_000_000 + i}},
            }
        )
    return found


P, C = records.PEOPLE_SEARCH, records.COMPANY_SEARCH
EXTRA: list[tuple[str, dict[str, Any]]] = [
    (P, {"limit": 7}),
    (P, {"limit": 5, "offset": 12}),
    (P, {"person_skills": [{"value": "python"}, {"value": "rust"}], "limit": 4}),
    (P, {"current_position_titles": [{"value": "software engineer"}], "limit": 6}),
    (P, {"person_names": [{"value": "Björn Müller"}, {"value": "anna"}], "limit": 3}),
    (P, {"current_company_names": [{"value": "Anthropic", "exact_match": True}], "limit": 2}),
    (P, {"current_position_years_in": [{"min": 3, "max": 8}], "limit": 4}),
    (P, {"person_locations": [{"value": "Zurich", "exclude": True}], "limit": 9}),
    (C, {"limit": 2}),
]


async def answers(api: Api) -> list[tuple[Any, ...]]:
    """Each search's status, ids, metadata, and those of the page its cursor leads to."""
    out: list[tuple[Any, ...]] = []
    for path, body in [(path, body) for path, body, _ in records.SEARCHES] + EXTRA:
        pages: list[tuple[Any, ...]] = []
        request = dict(body)
        for _ in range(2):
            response = await api.client.post(path, json=request, headers=api.auth(api.key))
            answer = response.json()
            found = answer.get("people", answer.get("companies", []))
            pages.append((response.status_code, [r["id"] for r in found], answer["metadata"]))
            after = answer["metadata"].get("search_after")
            if after is None:
                break
            request = {**body, "search_after": after}
            request.pop("offset", None)
        out.append((path, body, pages))
    return out


@pytest.mark.postgres
async def test_sqlite_and_postgresql_give_the_same_answers(
    sqlite_url: str, postgres_database: str, tmp_path: Path
) -> None:
    _truncate_postgres(postgres_database)
    found: dict[str, list[tuple[Any, ...]]] = {}
    for engine, url in (("sqlite", sqlite_url), ("postgresql", postgres_database)):
        (tmp_path / engine).mkdir()
        async with running_api(make_settings(url, tmp_path / engine), credits=10_000) as api:
            api.services.people.clock = records.clock
            await records.fill(api.services.db, api.workspace_id, OTHER_WORKSPACE)
            async with api.services.db.transaction() as session:
                await upsert_people(session, EVERYONE, more_people(), "import", utcnow())
            found[engine] = await answers(api)
    sqlite, postgresql = found["sqlite"], found["postgresql"]
    assert len(sqlite) == len(records.SEARCHES) + len(EXTRA)
    for one, other in zip(sqlite, postgresql, strict=True):
        assert one == other
    # Not all alike by accident: the searches find different things, over several pages.
    assert len({str(pages) for _, _, pages in sqlite}) > 30
    assert sum(len(pages) for _, _, pages in sqlite) > len(sqlite) + 20
