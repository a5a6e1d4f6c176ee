"""The store: one row per person per owner, merged by identity; profiles from enrichments
taken in; opted-out and erased people never returned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from tests.harness import Api

from openenrich.domain import Field
from openenrich.enrichment.models import Contact, Enrichment, FindingRow
from openenrich.people import ingest
from openenrich.people.models import CompanyRow, PersonRow
from openenrich.people.store import EVERYONE, Outcome, upsert_companies, upsert_people

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ada(**extra: Any) -> dict[str, Any]:
    person: dict[str, Any] = {
        "full_name": "Ada Lovelace",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "social_profiles": {
            "professional_network": {"url": "https://linkedin.com/in/Ada-L/", "id": 4242}
        },
        "employment": {
            "current": {
                "title": "Head of Engineering",
                "start_at": "2021-05-01T00:00:00Z",
                "company": {"name": "Analytical Engines", "domain": "engines.example"},
            }
        },
    }
    person.update(extra)
    return person


async def rows(api: Api, table: Any) -> list[Any]:
    async with api.services.db.read() as session:
        return list(await session.scalars(select(table).order_by(table.seq)))


async def upsert(
    api: Api, people: list[dict[str, Any]], at: datetime = T0, source: str = "a"
) -> list[Outcome]:
    async with api.services.db.transaction() as session:
        return await upsert_people(session, EVERYONE, people, source, at)


async def test_the_same_person_from_several_sources_is_one_row(api: Api) -> None:
    assert await upsert(api, [ada()]) == [Outcome.INSERTED]
    # Found again by network id alone, then by URL alone, then by name + company domain.
    by_id = {
        "full_name": "Ada Lovelace",
        "headline": "Poet of numbers",
        "social_profiles": {"professional_network": {"id": 4242}},
    }
    by_url = {
        "full_name": "Ada Lovelace",
        "skills": ["Mathematics"],
        "social_profiles": {"professional_network": {"url": "linkedin.com/in/ada-l"}},
    }
    by_name = {
        "full_name": "Ada Lovelace",
        "location": {"city": "London"},
        "employment": {
            "current": {
                "title": "Head of Engineering",
                "company": {"domain": "https://www.engines.example/"},
            }
        },
    }
    outcomes = await upsert(api, [by_id, by_url, by_name], T0 + timedelta(days=1), "b")
    assert outcomes == [Outcome.MERGED, Outcome.MERGED, Outcome.MERGED]
    (row,) = await rows(api, PersonRow)
    assert row.data["headline"] == "Poet of numbers"
    assert row.data["skills"] == ["Mathematics"]
    assert row.data["social_profiles"]["professional_network"]["url"] == (
        "https://www.linkedin.com/in/ada-l"
    )
    assert row.sources["headline"]["source"] == "b"
    assert row.sources["first_name"]["source"] == "a"
    # The same data again changes nothing.
    assert await upsert(api, [ada()], T0 + timedelta(days=2)) == [Outcome.UNCHANGED]


async def test_newer_and_more_specific_values_win(api: Api) -> None:
    await upsert(api, [ada(location={"city": "London", "country": "United Kingdom"})])
    # Older: loses even though it is as specific.
    await upsert(
        api, [ada(location={"city": "Paris", "country": "France"})], T0 - timedelta(days=9), "old"
    )
    # Newer but vaguer: loses.
    await upsert(api, [ada(location={"country": "France"})], T0 + timedelta(days=1), "vague")
    (row,) = await rows(api, PersonRow)
    assert row.data["location"] == {"city": "London", "country": "United Kingdom"}
    # Newer and as specific: wins, and says where it came from.
    await upsert(
        api, [ada(location={"city": "Paris", "country": "France"})], T0 + timedelta(days=2), "new"
    )
    (row,) = await rows(api, PersonRow)
    assert row.data["location"] == {"city": "Paris", "country": "France"}
    assert row.sources["location"] == {"source": "new", "at": (T0 + timedelta(days=2)).isoformat()}


async def test_a_person_points_at_their_current_company_kept_as_a_company(api: Api) -> None:
    async with api.services.db.transaction() as session:
        assert await upsert_companies(
            session,
            EVERYONE,
            [{"name": "Analytical Engines Ltd", "domain": "engines.example", "headcount": 40}],
            "c",
            T0,
        ) == [Outcome.INSERTED]
    await upsert(api, [ada()])
    (company,) = await rows(api, CompanyRow)
    (person,) = await rows(api, PersonRow)
    assert person.data["employment"]["current"]["company"]["id"] == company.id
    # The richer company record was not replaced by the person's partial view of it.
    assert company.data["headcount"] == 40
    # Seniority and job function were derived from the title.
    current = person.data["employment"]["current"]
    assert current["seniority"] == "Head"
    assert current["job_functions"][0]["function"] == "Engineering"


async def test_different_people_stay_apart(api: Api) -> None:
    other = ada(full_name="Ada Byron", social_profiles={"professional_network": {"id": 7}})
    same_name_elsewhere = {
        "full_name": "Ada Lovelace",
        "employment": {"current": {"company": {"domain": "other.example"}}},
    }
    assert await upsert(api, [ada(), other, same_name_elsewhere]) == [Outcome.INSERTED] * 3
    assert len(await rows(api, PersonRow)) == 3


async def test_batches_of_any_size_run_statements_of_a_few_shapes(api: Api) -> None:
    # Each distinct SQL text is a statement the driver prepares and keeps: texts that
    # followed each batch's size made an import's memory grow batch after batch.
    texts: set[str] = set()

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        texts.add(statement)

    engine = api.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for size in range(1, 41):
            batch = [
                ada(
                    full_name=f"Person {size} {i}",
                    social_profiles={"professional_network": {"id": size * 100 + i}},
                    employment={"current": {"company": {"domain": f"c{size}-{i}.example"}}},
                )
                for i in range(size)
            ]
            assert set(await upsert(api, batch)) == {Outcome.INSERTED}
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    # 40 sizes of lookups and inserts in each table would be hundreds of texts.
    assert len(texts) < 60, len(texts)


async def _profile_finding(api: Api, person: dict[str, Any], sandbox: bool = False) -> None:
    async with api.services.db.transaction() as session:
        enrichment = Enrichment(workspace_id=api.workspace_id, sandbox=sandbox, name="t")
        session.add(enrichment)
        await session.flush()
        contact = Contact(enrichment_id=enrichment.id, idx=0, input={}, fields=[], dedup_key="k")
        session.add(contact)
        await session.flush()
        session.add(
            FindingRow(
                contact_id=contact.id, kind=Field.PROFILE.key, value="x", data=person, source="pdl"
            )
        )


async def test_profiles_built_by_enrichments_are_taken_in_once(api: Api) -> None:
    await _profile_finding(api, ada())
    await _profile_finding(api, ada(full_name="Sandbox Person"), sandbox=True)
    found = await api.client.post(
        "/api/v2/people/search",
        json={"person_names": [{"value": "ada lovelace"}]},
        headers=api.auth(api.key),
    )
    assert [p["full_name"] for p in found.json()["people"]] == ["Ada Lovelace"]
    (row,) = await rows(api, PersonRow)
    assert row.owner == api.workspace_id
    assert row.sources["full_name"]["source"] == "enrichment:pdl"
    # Nothing new: nothing taken in again.
    assert await ingest.catch_up(api.services.db) == 0
    async with api.services.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(PersonRow)) == 1


async def test_another_workspace_does_not_see_a_workspace_s_records(api: Api) -> None:
    await _profile_finding(api, ada())
    from openenrich.accounts import repository

    async with api.services.db.transaction() as session:
        other = await repository.create_workspace(session, "other", api.services.secret, credits=10)
    mine = await api.client.post("/api/v2/people/search", json={}, headers=api.auth(api.key))
    theirs = await api.client.post(
        "/api/v2/people/search", json={}, headers=api.auth(other.api_key)
    )
    assert mine.json()["metadata"]["total"] == 1
    assert theirs.json() == {"people": [], "metadata": {"total": 0, "credits": 0.0, "offset": 0}}


async def test_opted_out_people_are_not_returned_nor_charged(api: Api) -> None:
    await upsert(
        api,
        [
            ada(),
            {"full_name": "Grace Hopper", "social_profiles": {"professional_network": {"id": 8}}},
        ],
    )
    await api.client.post(
        "/api/v2/privacy/optouts",
        json={"linkedin_url": "https://www.linkedin.com/in/ada-l"},
        headers=api.auth(api.key),
    )
    found = await api.client.post("/api/v2/people/search", json={}, headers=api.auth(api.key))
    assert [p["full_name"] for p in found.json()["people"]] == ["Grace Hopper"]
    assert found.json()["metadata"]["credits"] == 0.25
    looked = await api.client.post(
        "/api/v2/people/lookup",
        json={"person_professional_network_id": 4242},
        headers=api.auth(api.key),
    )
    assert looked.json() == {"people": [], "metadata": {"credits": 0.0}}


async def test_erasure_removes_the_person_from_the_store(api: Api) -> None:
    await upsert(api, [ada()])
    erased = await api.client.post(
        "/api/v2/privacy/erasures",
        json={"name": "Ada Lovelace", "domain": "engines.example"},
        headers=api.auth(api.key),
    )
    assert erased.status_code == 200, erased.text
    stores = {store["store"]: store for store in erased.json()["stores"]}
    assert (stores["people"]["found"], stores["people"]["removed"]) == (1, 1)
    assert await rows(api, PersonRow) == []
