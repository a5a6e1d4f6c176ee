"""The SDK against a recorded FullEnrich exchange (the spec's own examples): every v2
method, search and lookup included, and FullEnrich's 429 without Retry-After."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from tests.sdk.replay import ENRICHMENT_ID, KEY, RecordedFullEnrich
from tests.spec import assert_schema

from openenrich.client import (
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    CompanySearch,
    EnrichmentStatus,
    NotFoundError,
    PeopleSearch,
    RangeFilter,
    RateLimitError,
    TextFilter,
)

BASE = "https://app.fullenrich.com/api/v2"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Waits the client asked for, without waiting."""
    asked: list[float] = []

    def fake(seconds: float) -> None:
        asked.append(seconds)

    async def fake_async(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(time, "sleep", fake)
    monkeypatch.setattr("openenrich.client._async.asyncio.sleep", fake_async)
    return asked


def client(exchange: RecordedFullEnrich, **options: Any) -> Client:
    return Client(base_url=BASE, api_key=KEY, transport=exchange.transport(), **options)


def test_account_endpoints() -> None:
    exchange = RecordedFullEnrich()
    with client(exchange) as api:
        assert api.check_key().workspace_id == ENRICHMENT_ID
        assert api.credits().balance == 5000
    assert exchange.requests[0].url == f"{BASE}/account/keys/verify"
    assert exchange.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_enrichment_round_trip(sleeps: list[float]) -> None:
    exchange = RecordedFullEnrich()
    with client(exchange) as api:
        job = api.start_enrichment(
            [
                {
                    "first_name": "John",
                    "last_name": "Snow",
                    "domain": "example.com",
                    "custom": {"user_id": "12584"},
                }
            ],
            ["contact.work_emails", "contact.personal_emails", "contact.phones"],
            name="Sales Operations in London",
        )
        assert job == ENRICHMENT_ID
        # The documented 400 in_progress reads as IN_PROGRESS, then the example arrives.
        assert api.get_enrichment(job).status is EnrichmentStatus.IN_PROGRESS
        result = api.wait_enrichment(job)
    assert result.status is EnrichmentStatus.FINISHED
    assert result.cost is not None and result.cost.credits == 14
    record = (result.data or [])[0]
    info = record.contact_info
    assert info is not None and info.most_probable_work_email is not None
    assert info.most_probable_work_email.email == "john.snow@example.com"
    assert info.phones is not None and [p.region for p in info.phones] == ["US", "FR"]
    assert record.profile is not None and record.profile.employment is not None
    assert record.profile.employment.current is not None
    # What the models hold serialises back to a body the spec accepts.
    assert_schema(result.wire(), "ResponseGetContactBulkEnrich")


def test_enrich_helper_yields_each_contact(sleeps: list[float]) -> None:
    exchange = RecordedFullEnrich()
    with client(exchange, poll_interval=0.01) as api:
        done = list(
            api.enrich(
                [
                    {
                        "first_name": "John",
                        "last_name": "Snow",
                        "domain": "example.com",
                        "custom": {"user_id": "12584"},
                    }
                ]
            )
        )
    assert [d.index for d in done] == [0]
    assert done[0].record is not None and done[0].status is EnrichmentStatus.FINISHED


def test_reverse_email() -> None:
    exchange = RecordedFullEnrich()
    with client(exchange) as api:
        result = api.reverse_email(["johnsnow@gmail.com"], name="Reverse Email Lookup")
    assert result.status is EnrichmentStatus.FINISHED
    profile = (result.data or [])[0].profile
    assert profile is not None and profile.full_name == "John Snow"
    assert_schema(result.wire(), "ResponseGetContactBulkReverseEmail")


def test_search_pages_with_search_after() -> None:
    exchange = RecordedFullEnrich()
    query = PeopleSearch(
        limit=3,
        current_company_domains=[TextFilter(value="anthropic.com", exact_match=True)],
        current_company_headcounts=[RangeFilter(min=100, max=5000)],
    )
    with client(exchange) as api:
        page = api.search_people(query)
        people = list(api.iter_search(query))
        companies = list(api.iter_search(CompanySearch(limit=2), max_results=3))
    assert len(page.people) == 3 and page.metadata.search_after
    # Two full pages, then the empty page that still carries a cursor ends the walk.
    assert len(people) == 6
    assert people[0].full_name
    assert len(companies) == 3
    bodies = [r.content for r in exchange.requests if r.url.path.endswith("/people/search")]
    assert b"search_after" not in bodies[1] and b"search_after" in bodies[2]


def test_lookups() -> None:
    exchange = RecordedFullEnrich()
    with client(exchange) as api:
        person = api.lookup_person(person_name="Enzo Romera", company_domain="anthropic.com")
        company = api.lookup_company(domain="anthropic.com")
    assert person.person is not None and person.metadata.credits == 0.25
    assert company.company is not None and company.company.domain


def test_rate_limit_without_retry_after_waits_for_the_next_minute(sleeps: list[float]) -> None:
    exchange = RecordedFullEnrich(rate_limit_next=2)
    with client(exchange) as api:
        assert api.credits().balance == 5000
    assert len(sleeps) == 2 and all(0 < s <= 61 for s in sleeps)


def test_rate_limit_gives_up_past_the_budget(sleeps: list[float]) -> None:
    exchange = RecordedFullEnrich(rate_limit_next=50)
    with client(exchange, max_rate_limit_wait=100) as api, pytest.raises(RateLimitError) as caught:
        api.credits()
    assert caught.value.code == "error.rate.limit" and caught.value.status == 429


def test_errors_carry_the_wire_code() -> None:
    exchange = RecordedFullEnrich()
    with client(exchange) as api:
        with pytest.raises(BadRequestError) as bad:
            api.start_enrichment(
                [{"first_name": "J", "last_name": "S", "domain": "x.com"}], name=""
            )
        assert bad.value.code == "error.enrichment.name.empty"
        with pytest.raises(NotFoundError) as missing:
            api.get_enrichment("00000000-0000-0000-0000-000000000000")
        assert missing.value.code == "error.enrichment.not_found"
    with (
        Client(base_url=BASE, api_key="wrong", transport=exchange.transport()) as api,
        pytest.raises(AuthenticationError) as denied,
    ):
        api.credits()
    assert denied.value.code == "error.api.key"


def test_async_client_same_exchange(sleeps: list[float]) -> None:
    exchange = RecordedFullEnrich()

    async def main() -> None:
        async with AsyncClient(
            base_url=BASE, api_key=KEY, transport=exchange.async_transport(), poll_interval=0.01
        ) as api:
            assert (await api.credits()).balance == 5000
            done = [
                d
                async for d in api.enrich([{"linkedin_url": "https://www.linkedin.com/in/demoge/"}])
            ]
            assert len(done) == 1 and done[0].record is not None
            people = [p async for p in api.iter_search(PeopleSearch(limit=2))]
            assert len(people) == 4
            assert (await api.lookup_company(domain="anthropic.com")).company is not None

    asyncio.run(main())


def test_base_url_forms() -> None:
    exchange = RecordedFullEnrich()
    for given in ("https://app.fullenrich.com", "https://app.fullenrich.com/api/v2/"):
        with Client(base_url=given, api_key=KEY, transport=exchange.transport()) as api:
            assert api.base_url == BASE
