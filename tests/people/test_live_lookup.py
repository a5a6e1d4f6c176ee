"""Lookups the store misses, answered by a live vendor (People Data Labs, simulated on an
injected transport) through the waterfall's guard: called once, stored, charged once,
logged per attempt against the workspace; misses and failures answer an empty array and
cost nothing; sandbox keys and opted-out people reach no vendor."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from tests.harness import Api, make_settings, running_api
from tests.privacy.rig import BARNABY, OTTOLINE, Vendors
from tests.spec import assert_schema

from openenrich.people.models import PersonRow
from openenrich.people.store import Outcome, upsert_people
from openenrich.waterfall.config import WaterfallConfig
from openenrich.waterfall.models import ProviderCall

pytestmark = pytest.mark.anyio

PEOPLE = "/api/v2/people/lookup"
COMPANIES = "/api/v2/company/lookup"
SERVER_KEY = "server-pdl-key"

# A PDL company record (the reply holds it beside `status`).
ACME = {
    "name": "acme",
    "display_name": "Acme",
    "website": "acme.example",
    "linkedin_url": "linkedin.com/company/acme-example",
    "linkedin_id": "4242",
    "size": "51-200",
    "employee_count": 80,
    "industry": "computer software",
    "type": "private",
    "founded": 2001,
}


@dataclass
class Pdl(Vendors):
    """The privacy rig's PDL person enrichment, with its company enrichment, the key of
    every request, a delay and failures on demand."""

    companies: list[dict[str, Any]] = field(default_factory=lambda: [ACME])
    keys: list[str] = field(default_factory=list)
    company_asked: list[dict[str, str]] = field(default_factory=list)
    failing: bool = False
    delay: float = 0.0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "api.peopledatalabs.com", request.url
        self.keys.append(request.headers["X-Api-Key"])
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failing:
            return httpx.Response(500, json={"status": 500, "error": {"type": "error"}})
        if not request.url.path.endswith("/company/enrich"):
            return self.handle(request)
        asked = dict(request.url.params)
        self.company_asked.append(asked)
        for company in self.companies:
            page = company["linkedin_url"].rsplit("/", 1)[-1]
            if company["website"] == asked.get("website") or page in asked.get("profile", ""):
                return httpx.Response(200, json={"status": 200, "likelihood": 8, **company})
        return httpx.Response(404, json={"status": 404, "error": {"type": "not_found"}})

    @property
    def calls(self) -> int:
        return len(self.keys)


def waterfall_config(**changes: Any) -> WaterfallConfig:
    """PDL serves profiles (and, by default, companies); `changes` replace top-level keys."""
    return WaterfallConfig.model_validate(
        {
            "order": {"profile": ["pdl"]},
            "verifiers": [],
            "providers": {
                "pdl": {"api_key_env": "TEST_PDL_KEY", "price_per_hit": 0.1, "max_retries": 1}
            },
            "breaker": {"failure_threshold": 2, "open_seconds": 2.0},
            **changes,
        }
    )


@contextlib.asynccontextmanager
async def lookup_api(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    vendors: httpx.MockTransport,
    config: WaterfallConfig | None = None,
) -> AsyncIterator[Api]:
    monkeypatch.setenv("TEST_PDL_KEY", SERVER_KEY)
    async with running_api(
        make_settings(database_url, tmp_path),
        credits=1000,
        http=httpx.AsyncClient(transport=vendors),
        waterfall_config=config or waterfall_config(),
    ) as api:
        yield api


@pytest.fixture
def pdl() -> Pdl:
    return Pdl([OTTOLINE, BARNABY])


@pytest.fixture
async def api(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdl: Pdl
) -> AsyncIterator[Api]:
    async with lookup_api(database_url, tmp_path, monkeypatch, httpx.MockTransport(pdl)) as running:
        yield running


async def lookup(api: Api, path: str, body: dict[str, Any], key: str | None = None) -> Any:
    response = await api.client.post(path, json=body, headers=api.auth(key or api.key))
    assert response.status_code == 200, response.text
    return response.json()


async def balance(api: Api) -> float:
    response = await api.client.get("/api/v2/account/credits", headers=api.auth(api.key))
    value: float = response.json()["balance"]
    return value


async def calls(api: Api) -> list[ProviderCall]:
    await api.services.live.flush()  # the call log is written in batches
    async with api.services.db.read() as session:
        rows = await session.scalars(select(ProviderCall).order_by(ProviderCall.created_at))
        return list(rows)


async def test_person_by_profile_url_asks_the_vendor_once_then_answers_from_the_store(
    api: Api, pdl: Pdl
) -> None:
    first = await lookup(api, PEOPLE, {"person_professional_network_url": OTTOLINE.linkedin})
    assert_schema(first, "LookUpPeopleResponse")
    (person,) = first["people"]
    assert person["full_name"] == "Ottoline Quennell" and person["id"]
    assert person["social_profiles"]["professional_network"]["handle"] == OTTOLINE.handle
    assert first["metadata"] == {"credits": 0.25}
    assert pdl.pdl_asked == [{"min_likelihood": 6, "profile": OTTOLINE.linkedin.rstrip("/")}]
    assert pdl.keys == [SERVER_KEY]
    assert await balance(api) == 999.75

    # Again, and in another spelling of the same URL: the store answers, free.
    for url in (OTTOLINE.linkedin, f"http://linkedin.com/in/{OTTOLINE.handle.upper()}"):
        again = await lookup(api, PEOPLE, {"person_professional_network_url": url})
        assert again == {"people": [person], "metadata": {"credits": 0}}
    assert pdl.calls == 1
    assert await balance(api) == 999.75

    (call,) = await calls(api)
    assert (call.provider, call.operation, call.outcome, call.http_status) == (
        "pdl",
        "find",
        "found",
        200,
    )
    assert call.workspace_id == api.workspace_id and call.cost == pytest.approx(0.1)


async def test_person_by_name_at_a_company(api: Api, pdl: Pdl) -> None:
    body = {"person_name": "Dr. Ottoline Quennell", "company_domain": "https://acme.example/"}
    first = await lookup(api, PEOPLE, body)
    assert_schema(first, "LookUpPeopleResponse")
    assert first["people"][0]["full_name"] == "Ottoline Quennell"
    assert first["metadata"] == {"credits": 0.25}
    assert pdl.pdl_asked == [
        {
            "min_likelihood": 6,
            "first_name": "Ottoline",
            "last_name": "Quennell",
            "company": "acme.example",
        }
    ]
    # Asked again: the vendor is not (its answer is kept), and nothing is charged twice.
    again = await lookup(api, PEOPLE, body)
    assert again == {"people": first["people"], "metadata": {"credits": 0}}
    assert pdl.calls == 1

    # Only the company's page: the company is looked up first, for its domain.
    by_page = {
        "person_name": "Barnaby Rudge",
        "company_professional_network_url": "https://www.linkedin.com/company/acme-example/",
    }
    found = await lookup(api, PEOPLE, by_page)
    assert found["people"][0]["full_name"] == "Barnaby Rudge"
    assert pdl.company_asked == [
        {"min_likelihood": "6", "profile": "https://www.linkedin.com/company/acme-example"}
    ]
    assert pdl.pdl_asked[-1]["company"] == "acme.example"
    # A name alone, or a one-word name, is not enough to ask anyone.
    single = {"person_name": "Barnaby", "company_domain": "acme.example"}
    assert (await lookup(api, PEOPLE, single))["people"] == []
    assert pdl.calls == 3
    assert await balance(api) == 999.5


async def test_company_by_domain_asks_the_vendor_once_then_answers_from_the_store(
    api: Api, pdl: Pdl
) -> None:
    first = await lookup(api, COMPANIES, {"domain": "acme.example"})
    assert_schema(first, "LookUpCompanyResponse")
    (company,) = first["companies"]
    assert (company["name"], company["domain"], company["headcount"]) == (
        "Acme",
        "acme.example",
        80,
    )
    assert company["social_profiles"]["professional_network"]["id"] == 4242
    assert company["id"]
    assert first["metadata"] == {"credits": 0.25}
    assert pdl.company_asked == [{"min_likelihood": "6", "website": "acme.example"}]
    assert await balance(api) == 999.75

    for spelling in (
        {"domain": "https://www.ACME.example/about"},
        {"professional_network_id": 4242},
    ):
        again = await lookup(api, COMPANIES, spelling)
        assert again == {"companies": [company], "metadata": {"credits": 0}}
    assert pdl.calls == 1
    assert await balance(api) == 999.75

    (call,) = await calls(api)
    assert (call.provider, call.operation, call.outcome, call.workspace_id) == (
        "pdl",
        "company",
        "found",
        api.workspace_id,
    )


async def test_a_miss_is_an_empty_answer_that_costs_nothing_and_is_not_asked_twice(
    api: Api, pdl: Pdl
) -> None:
    nobody = {"person_professional_network_url": "https://www.linkedin.com/in/nobody-here"}
    unknown = {"domain": "unknown.example"}
    for _ in range(2):
        assert await lookup(api, PEOPLE, nobody) == {"people": [], "metadata": {"credits": 0}}
        assert await lookup(api, COMPANIES, unknown) == {
            "companies": [],
            "metadata": {"credits": 0},
        }
    assert pdl.calls == 2  # a miss is kept too (for the cache's miss TTL)
    assert await balance(api) == 1000
    assert [(c.operation, c.outcome, c.http_status) for c in await calls(api)] == [
        ("find", "miss", 404),
        ("company", "miss", 404),
    ]


async def test_a_failing_vendor_is_retried_then_its_breaker_opens_and_the_answer_is_empty(
    api: Api, pdl: Pdl
) -> None:
    body = {"person_professional_network_url": OTTOLINE.linkedin}
    empty = {"people": [], "metadata": {"credits": 0}}
    pdl.failing = True
    assert await lookup(api, PEOPLE, body) == empty
    assert pdl.calls == 2  # the first attempt and one retry
    # Two failures opened the breaker: the next lookup sends nothing.
    assert await lookup(api, PEOPLE, body) == empty
    assert await lookup(api, COMPANIES, {"domain": "acme.example"}) == {
        "companies": [],
        "metadata": {"credits": 0},
    }
    assert pdl.calls == 2
    logged = await calls(api)
    assert [(c.outcome, c.http_status, c.attempt) for c in logged] == [
        ("transient", 500, 1),
        ("transient", 500, 2),
    ]
    assert {c.workspace_id for c in logged} == {api.workspace_id}
    assert await balance(api) == 1000

    # A failure is not remembered as a miss: once the breaker lets a probe through, the
    # vendor is asked again and its answer is kept and charged.
    pdl.failing = False
    await asyncio.sleep(2.1)
    found = await lookup(api, PEOPLE, body)
    assert found["people"][0]["full_name"] == "Ottoline Quennell"
    assert found["metadata"] == {"credits": 0.25}
    assert pdl.calls == 3


async def test_identical_lookups_at_once_share_one_call_and_one_charge(api: Api, pdl: Pdl) -> None:
    pdl.delay = 0.2
    body = {"person_professional_network_url": BARNABY.linkedin}
    answers = await asyncio.gather(*(lookup(api, PEOPLE, body) for _ in range(3)))
    assert pdl.calls == 1
    assert {a["people"][0]["id"] for a in answers} == {answers[0]["people"][0]["id"]}
    assert sum(a["metadata"]["credits"] for a in answers) == 0.25
    assert await balance(api) == 999.75


async def test_writers_of_one_workspaces_store_take_turns(api: Api) -> None:
    """What keeps identical lookups at once from storing (and charging) a person twice:
    a second writer waits for the first to commit, then finds its row."""
    db = api.services.db
    record = {
        "full_name": "Ottoline Quennell",
        "social_profiles": {"professional_network": {"url": OTTOLINE.linkedin}},
    }
    now = datetime.now(UTC)

    async def second() -> list[Outcome]:
        async with db.transaction() as session:
            return await upsert_people(session, api.workspace_id, [record], "pdl", now)

    async with db.transaction() as session:
        assert await upsert_people(session, api.workspace_id, [record], "pdl", now) == [
            Outcome.INSERTED
        ]
        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.3)  # long enough to insert a duplicate, were it not waiting
        assert not waiting.done()
    assert await waiting == [Outcome.UNCHANGED]
    async with db.read() as session:
        owned = select(func.count()).where(PersonRow.owner == api.workspace_id)
        assert await session.scalar(owned) == 1


async def test_sandbox_keys_never_reach_a_vendor(api: Api, pdl: Pdl) -> None:
    for path, body in (
        (PEOPLE, {"person_professional_network_url": OTTOLINE.linkedin}),
        (PEOPLE, {"person_name": "Ottoline Quennell", "company_domain": "acme.example"}),
        (COMPANIES, {"domain": "acme.example"}),
    ):
        response = await api.client.post(path, json=body, headers=api.auth(api.sandbox_key))
        assert response.status_code == 200, response.text
    assert pdl.calls == 0
    assert await calls(api) == []


async def test_an_opted_out_person_reaches_no_vendor(api: Api, pdl: Pdl) -> None:
    listed = await api.client.post(
        "/api/v2/privacy/optouts",
        json={"name": "Ottoline Quennell", "domain": "acme.example"},
        headers=api.auth(api.key),
    )
    assert listed.status_code == 200, listed.text
    body = {"person_name": "Ottoline Quennell", "company_domain": "acme.example"}
    assert await lookup(api, PEOPLE, body) == {"people": [], "metadata": {"credits": 0}}
    assert pdl.calls == 0


async def test_the_workspaces_own_key_is_used_and_logged_as_its_own(api: Api, pdl: Pdl) -> None:
    added = await api.client.post(
        "/api/v2/providers",
        json={"provider": "pdl", "credentials": {"api_key": "ws-pdl-key"}, "priority": 1},
        headers=api.auth(api.key),
    )
    assert added.status_code == 201, added.text
    person = await lookup(api, PEOPLE, {"person_professional_network_url": OTTOLINE.linkedin})
    company = await lookup(api, COMPANIES, {"domain": "acme.example"})
    assert person["people"] and company["companies"]
    assert pdl.keys == ["ws-pdl-key", "ws-pdl-key"]
    assert {(c.provider, c.cost) for c in await calls(api)} == {("own:pdl", 0.0)}


async def test_an_erasure_unlinks_the_calls_a_lookup_made(api: Api, pdl: Pdl) -> None:
    await lookup(api, PEOPLE, {"person_professional_network_url": OTTOLINE.linkedin})
    await lookup(api, PEOPLE, {"person_name": "Barnaby Rudge", "company_domain": "acme.example"})
    assert all(c.input_hash for c in await calls(api))
    for body in (
        {"linkedin_url": OTTOLINE.linkedin},
        {"name": "Barnaby Rudge", "domain": "acme.example"},
    ):
        erased = await api.client.post(
            "/api/v2/privacy/erasures", json=body, headers=api.auth(api.key)
        )
        assert erased.status_code == 200, erased.text
    assert [c.input_hash for c in await calls(api)] == ["", ""]


async def test_company_sources_are_asked_in_order_until_one_knows_it(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdl: Pdl
) -> None:
    monkeypatch.setenv("TEST_APOLLO_KEY", "server-apollo-key")
    apollo_asked: list[str] = []

    async def vendors(request: httpx.Request) -> httpx.Response:
        if request.url.host != "api.apollo.io":
            return await pdl(request)
        apollo_asked.append(request.url.params["domain"])
        if request.url.params["domain"] != "globex.example":
            return httpx.Response(200, json={"organization": None})
        org = {"name": "Globex", "primary_domain": "globex.example", "estimated_num_employees": 12}
        return httpx.Response(200, json={"organization": org})

    providers = {
        "pdl": {"api_key_env": "TEST_PDL_KEY", "price_per_hit": 0.1},
        "apollo": {"api_key_env": "TEST_APOLLO_KEY", "price_per_call": 0.02},
    }
    config = waterfall_config(companies=["pdl", "apollo"], providers=providers)
    transport = httpx.MockTransport(vendors)
    async with lookup_api(database_url, tmp_path, monkeypatch, transport, config) as api:
        found = await lookup(api, COMPANIES, {"domain": "globex.example"})
        assert found["companies"][0]["name"] == "Globex"
        assert found["metadata"] == {"credits": 0.25}
        # Known to neither; Apollo cannot be asked by a company page at all.
        page = {"professional_network_url": "https://www.linkedin.com/company/initech"}
        assert (await lookup(api, COMPANIES, page))["companies"] == []
        assert apollo_asked == ["globex.example"]
        logged = [(c.provider, c.outcome, c.cost) for c in await calls(api)]
        assert logged == [
            ("pdl", "miss", 0.0),
            ("apollo", "found", 0.02),
            ("pdl", "miss", 0.0),
            ("apollo", "bad_request", 0.0),  # refused before anything was sent
        ]
        assert await balance(api) == 999.75


async def test_the_cost_cap_keeps_a_lookup_from_a_source_that_may_cost_more(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdl: Pdl
) -> None:
    config = waterfall_config(max_cost_per_contact=0.05)
    transport = httpx.MockTransport(pdl)
    async with lookup_api(database_url, tmp_path, monkeypatch, transport, config) as api:
        person = {"person_professional_network_url": OTTOLINE.linkedin}
        assert (await lookup(api, PEOPLE, person))["people"] == []
        assert (await lookup(api, COMPANIES, {"domain": "acme.example"}))["companies"] == []
    assert pdl.calls == 0
