"""The SDK against a real `openenrich serve` process: every method the server has, webhook
verification on a real delivery, and the batching helper under a low rate limit."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.sdk.live import LiveServer, live_server
from tests.spec import assert_schema
from tests.webhooks.receiver import Receiver

from openenrich.client import (
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    CompanySearch,
    EnrichmentStatus,
    NotFoundError,
    PeopleSearch,
    TextFilter,
    WebhookVerificationError,
    verify_webhook,
)

pytestmark = pytest.mark.slow
FIELDS = ["contact.work_emails", "contact.personal_emails", "contact.phones"]


def contacts(n: int, domain: str = "sdk.example") -> list[dict[str, Any]]:
    return [
        {
            "first_name": f"Ada{i}",
            "last_name": "Lovelace",
            "domain": domain,
            "custom": {"n": str(i)},
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("sdk")) as running:
        yield running


@pytest.fixture
def api(server: LiveServer) -> Iterator[Client]:
    with Client(base_url=server.url, api_key=server.sandbox_key, poll_interval=0.05) as client:
        yield client


def test_import_does_not_start_the_server() -> None:
    code = (
        "import sys, openenrich.client\n"
        "heavy = [m for m in ('fastapi', 'sqlalchemy', 'starlette', 'uvicorn', 'openenrich.app')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_account(api: Client, server: LiveServer) -> None:
    assert api.check_key().workspace_id == server.workspace_id
    assert api.credits().balance > 0
    with (
        Client(base_url=server.url, api_key="oe_test_nope") as wrong,
        pytest.raises(AuthenticationError) as denied,
    ):
        wrong.credits()
    assert denied.value.code == "error.api.key"


def test_environment_defaults(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENENRICH_BASE_URL", server.url)
    monkeypatch.setenv("OPENENRICH_API_KEY", server.sandbox_key)
    with Client() as api:
        assert api.check_key().workspace_id == server.workspace_id


def test_enrichment_methods(api: Client) -> None:
    job = api.start_enrichment(contacts(3), FIELDS, name="sdk start")
    early = api.get_enrichment(job, force_results=True)
    assert early.id == job
    result = api.wait_enrichment(job, timeout=60)
    assert result.status is EnrichmentStatus.FINISHED
    assert [r.custom for r in result.data or []] == [{"n": "0"}, {"n": "1"}, {"n": "2"}]
    assert_schema(result.wire(), "ResponseGetContactBulkEnrich")
    with pytest.raises(BadRequestError) as bad:
        api.start_enrichment(contacts(1), ["contact.fax"])
    assert bad.value.code == "error.enrichment.enrich_field.value"
    with pytest.raises(NotFoundError) as missing:
        api.get_enrichment("7f0c5a8e-0000-4000-8000-000000000000")
    assert missing.value.code == "error.enrichment.not_found"


def test_enrich_helper_with_silent_fail(api: Client) -> None:
    given: list[dict[str, Any]] = [
        *contacts(2),
        {"first_name": "No", "last_name": "Company"},
        *contacts(1, "b.example"),
    ]
    done = list(api.enrich(given, FIELDS, silent_fail=True))
    assert [d.index for d in done] == [0, 1, 2, 3]
    assert done[2].record is None and all(d.record is not None for d in done if d.index != 2)


def test_reverse_email(api: Client) -> None:
    result = api.reverse_email(["ada0.lovelace@sdk.example", "nobody@nowhere.example"], timeout=60)
    assert result.status is EnrichmentStatus.FINISHED
    assert len(result.data or []) == 2
    assert_schema(result.wire(), "ResponseGetContactBulkReverseEmail")


def test_webhook_delivery_verifies(api: Client, server: LiveServer) -> None:
    receiver = Receiver().start()
    try:
        job = api.start_enrichment(contacts(1), name="hooked", webhook_url=receiver.url())
        api.wait_enrichment(job, timeout=60)
        deadline = time.monotonic() + 30
        while not receiver.at("/hook") and time.monotonic() < deadline:
            time.sleep(0.1)
        delivery = receiver.at("/hook")[0]
    finally:
        receiver.stop()
    secret = api.webhook_secret()
    body = verify_webhook(delivery.body, delivery.headers, server.sandbox_key, secret=secret)
    assert body["id"] == job
    with pytest.raises(WebhookVerificationError):
        verify_webhook(delivery.body + b" ", delivery.headers, server.sandbox_key)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(delivery.body, delivery.headers, secret="whsec_" + "A" * 44)
    logged = api.webhook_deliveries(enrichment_id=job)
    assert logged and logged[0]["id"]
    api.redeliver_webhook(logged[0]["id"])


def test_search_and_lookup(api: Client) -> None:
    """The sandbox key searches the synthetic population: a page, every page of a
    search by cursor, then the person and their company found again by lookup."""
    page = api.search_people(PeopleSearch(limit=2))
    assert len(page.people) == 2 and page.metadata.total == 300
    assert page.metadata.credits == 0.5 and page.metadata.search_after
    first = page.people[0]
    assert first.full_name
    named = api.search_people(PeopleSearch(person_names=[TextFilter(value=first.full_name)]))
    assert first.id in [p.id for p in named.people]
    assert named.metadata.credits is not None and named.metadata.credits <= 0.25 * len(named.people)
    everyone = list(api.iter_search(PeopleSearch(limit=40), max_results=120))
    assert len({p.id for p in everyone}) == 120
    companies = list(api.iter_search(CompanySearch(limit=2), max_results=4))
    assert len({c.id for c in companies}) == 4
    assert first.social_profiles is not None
    url = first.social_profiles.professional_network.url  # type: ignore[union-attr]
    found = api.lookup_person(person_professional_network_url=url)
    assert found.person is not None and found.person.id == first.id
    assert found.metadata.credits == 0  # already returned to this workspace
    domain = companies[0].domain
    assert api.lookup_company(domain=domain).companies[0].id == companies[0].id
    with pytest.raises(BadRequestError):
        api.lookup_person(person_name="Only A Name")


def test_verify_email(api: Client) -> None:
    verdict = api.verify_email("ada0.lovelace@sdk.example")
    assert verdict.email == "ada0.lovelace@sdk.example" and verdict.status


def test_async_client(server: LiveServer) -> None:
    async def main() -> None:
        async with AsyncClient(
            base_url=server.url, api_key=server.sandbox_key, poll_interval=0.05
        ) as api:
            assert (await api.check_key()).workspace_id == server.workspace_id
            done = [d async for d in api.enrich(contacts(5), batch_size=2)]
            assert [d.index for d in done] == [0, 1, 2, 3, 4]
            ids = [i async for i in api.enrich(contacts(3), wait=False, batch_size=2)]
            assert len(ids) == 2
            finished = await api.wait_enrichment(ids[1], timeout=60)
            assert finished.status is EnrichmentStatus.FINISHED

    asyncio.run(main())


@pytest.mark.timeout(200)
def test_batching_over_100_contacts_absorbs_429s(tmp_path: Path) -> None:
    """250 contacts are 3 jobs; with 4 requests a minute the helper collects 429s, waits
    for the window and still yields every contact once, in batch order."""
    with live_server(tmp_path, rate_limit_per_minute="4") as server:
        # Start early in a minute so the first window is the one exhausted.
        if time.time() % 60 > 45:
            time.sleep(61 - time.time() % 60)
        with Client(base_url=server.url, api_key=server.sandbox_key, poll_interval=0.2) as api:
            done = list(api.enrich(contacts(250), FIELDS, name="big"))
            assert api.rate_limited >= 1
        assert [d.index for d in done] == list(range(250))
        assert len({d.enrichment_id for d in done}) == 3
        assert all(d.status is EnrichmentStatus.FINISHED for d in done)
        assert [(d.record.custom or {})["n"] for d in done if d.record] == [
            str(i) for i in range(250)
        ]
        assert server.count("SELECT COUNT(*) FROM enrichments") == 3
