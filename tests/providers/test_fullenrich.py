"""FullEnrich v2 as an upstream provider: submit, poll, map, classify."""

from __future__ import annotations

import json

import httpx
import pytest
from tests.providers.conftest import fixtures, raised, reply

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    EmailStatus,
    Field,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers.base import AsyncHttpAdapter, ErrorKind, Pending, ProviderResult
from openenrich.providers.fullenrich import DEFAULT_BASE_URL, FullEnrichAdapter

JOB = "2db5ea61-1752-42cf-8ea1-ab1da060cd0a"
QUERY = ContactQuery(first_name="John", last_name="Snow", domain="example.com")
ALL = frozenset(Field)

fixture = fixtures("fullenrich")


@pytest.fixture
def adapter() -> FullEnrichAdapter:
    return FullEnrichAdapter()


def poll_request(adapter: FullEnrichAdapter) -> httpx.Request:
    return adapter.build_poll(Pending(JOB), "fe-key")


def test_submit_request(adapter: FullEnrichAdapter) -> None:
    request = adapter.build_request(QUERY, frozenset({Field.WORK_EMAIL, Field.PHONE}), "fe-key")
    assert request.method == "POST"
    assert str(request.url) == "https://app.fullenrich.com/api/v2/contact/enrich/bulk"
    assert request.headers["Authorization"] == "Bearer fe-key"
    body = json.loads(request.content)
    assert body["name"]
    assert body["data"] == [
        {
            "first_name": "John",
            "last_name": "Snow",
            "domain": "example.com",
            "enrich_fields": ["contact.work_emails", "contact.phones"],
        }
    ]


def test_profile_only_still_sends_an_enrich_field(adapter: FullEnrichAdapter) -> None:
    query = ContactQuery(linkedin_url="https://www.linkedin.com/in/demoge/")
    body = json.loads(adapter.build_request(query, frozenset({Field.PROFILE}), "k").content)
    assert body["data"][0] == {
        "linkedin_url": "https://www.linkedin.com/in/demoge/",
        "enrich_fields": ["contact.work_emails"],
    }


def test_base_url_is_configurable() -> None:
    adapter = FullEnrichAdapter(base_url="http://127.0.0.1:8000/api/v2/")
    assert str(adapter.build_request(QUERY, ALL, "k").url) == (
        "http://127.0.0.1:8000/api/v2/contact/enrich/bulk"
    )
    assert str(adapter.build_poll(Pending("abc"), "k").url) == (
        "http://127.0.0.1:8000/api/v2/contact/enrich/bulk/abc"
    )
    assert DEFAULT_BASE_URL == "https://app.fullenrich.com/api/v2"


@pytest.mark.parametrize(
    "query",
    [
        ContactQuery(first_name="John", domain="example.com"),
        ContactQuery(first_name="J", last_name="S"),
    ],
)
def test_insufficient_input_is_a_bad_request(
    adapter: FullEnrichAdapter, query: ContactQuery
) -> None:
    error = raised(adapter.build_request, query, ALL, "k")
    assert error.kind is ErrorKind.BAD_REQUEST


def test_submit_answer_is_pending(adapter: FullEnrichAdapter) -> None:
    request = adapter.build_request(QUERY, ALL, "k")
    result = adapter.parse_response(reply(request, 200, fixture("started")))
    assert result == Pending(JOB, adapter.poll_after)


def test_poll_request(adapter: FullEnrichAdapter) -> None:
    request = poll_request(adapter)
    assert request.method == "GET"
    assert str(request.url) == f"{DEFAULT_BASE_URL}/contact/enrich/bulk/{JOB}"
    assert request.headers["Authorization"] == "Bearer fe-key"


@pytest.mark.parametrize(("status", "name"), [(400, "in_progress_400"), (200, "in_progress_200")])
def test_running_job_is_pending_in_both_documented_and_observed_forms(
    adapter: FullEnrichAdapter, status: int, name: str
) -> None:
    result = adapter.parse_poll(reply(poll_request(adapter), status, fixture(name)))
    assert isinstance(result, Pending)
    assert result.handle == JOB


def test_finished_maps_emails_phones_and_profile(adapter: FullEnrichAdapter) -> None:
    result = adapter.parse_poll(reply(poll_request(adapter), 200, fixture("finished")))
    assert isinstance(result, ProviderResult)
    emails = [f for f in result.findings if isinstance(f, EmailFinding)]
    assert emails == [
        EmailFinding("john.snow@example.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE),
        EmailFinding("johnsnow@gmail.com", Field.PERSONAL_EMAIL, EmailStatus.DELIVERABLE),
    ]
    phones = [f for f in result.findings if isinstance(f, PhoneFinding)]
    assert [(p.number, p.region) for p in phones] == [
        ("+1 555-123-4567", "US"),
        ("+33 6 12 34 56 78", "FR"),
    ]
    (profile,) = [f for f in result.findings if isinstance(f, ProfileFinding)]
    assert profile.person["full_name"] == "John Snow"
    assert profile.person["employment"]["current"]["company"]["domain"] == "example.com"
    # compact() drops the empty offices list of the previous employer
    assert "offices" not in profile.person["employment"]["all"][1]["company"]["locations"]


def test_statuses_and_line_types_pass_through_or_fall_back(adapter: FullEnrichAdapter) -> None:
    body = {
        "id": JOB,
        "status": "FINISHED",
        "data": [
            {
                "contact_info": {
                    "work_emails": [
                        {"email": "a@x.com", "status": "CATCH_ALL"},
                        {"email": "b@x.com", "status": "UNVERIFIED"},
                        {"email": "A@x.com", "status": "DELIVERABLE"},
                    ],
                    "phones": [{"number": "+33612345678", "region": "FR", "line_type": "MOBILE"}],
                }
            }
        ],
    }
    result = adapter.parse_poll(reply(poll_request(adapter), 200, body))
    assert isinstance(result, ProviderResult)
    assert result.findings == [
        EmailFinding("a@x.com", Field.WORK_EMAIL, EmailStatus.CATCH_ALL),
        EmailFinding("b@x.com", Field.WORK_EMAIL, None),
        PhoneFinding("+33612345678", LineType.MOBILE, "FR"),
    ]


def test_finished_without_data_is_a_clean_miss(adapter: FullEnrichAdapter) -> None:
    result = adapter.parse_poll(reply(poll_request(adapter), 200, fixture("not_found")))
    assert result == ProviderResult()


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (402, "credits_insufficient", ErrorKind.QUOTA),
        (200, "credits_insufficient", ErrorKind.QUOTA),
        (401, "unknown_api_key", ErrorKind.AUTH),
        (429, "rate_limit", ErrorKind.RATE_LIMITED),
        (404, "not_found_404", ErrorKind.BAD_REQUEST),
        (503, None, ErrorKind.TRANSIENT),
    ],
)
def test_poll_errors(
    adapter: FullEnrichAdapter, status: int, body: str | None, kind: ErrorKind
) -> None:
    response = reply(poll_request(adapter), status, fixture(body) if body else None)
    error = raised(adapter.parse_poll, response)
    assert error.kind is kind


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "retry_after"),
    [
        (400, "name_empty", None, ErrorKind.BAD_REQUEST, None),
        (401, "unknown_api_key", None, ErrorKind.AUTH, None),
        (429, "rate_limit", None, ErrorKind.RATE_LIMITED, 60.0),
        (429, "rate_limit", {"Retry-After": "7"}, ErrorKind.RATE_LIMITED, 7.0),
        (500, None, None, ErrorKind.TRANSIENT, None),
    ],
)
def test_submit_errors(
    adapter: FullEnrichAdapter,
    status: int,
    body: str | None,
    headers: dict[str, str] | None,
    kind: ErrorKind,
    retry_after: float | None,
) -> None:
    request = adapter.build_request(QUERY, ALL, "k")
    error = raised(
        adapter.parse_response,
        reply(request, status, fixture(body) if body else None, headers=headers),
    )
    assert error.kind is kind
    assert error.retry_after == retry_after


@pytest.mark.parametrize("text", ["<html>bad gateway</html>", "[1, 2]"])
def test_garbage_bodies_are_transient(adapter: FullEnrichAdapter, text: str) -> None:
    for parse, request in (
        (adapter.parse_response, adapter.build_request(QUERY, ALL, "k")),
        (adapter.parse_poll, poll_request(adapter)),
    ):
        error = raised(parse, reply(request, 200, text=text))
        assert error.kind is ErrorKind.TRANSIENT


@pytest.mark.parametrize(
    ("job_status", "kind"),
    [
        ("CANCELED", ErrorKind.BAD_REQUEST),
        ("RATE_LIMIT", ErrorKind.RATE_LIMITED),
        ("UNKNOWN", ErrorKind.TRANSIENT),
    ],
)
def test_other_terminal_statuses(
    adapter: FullEnrichAdapter, job_status: str, kind: ErrorKind
) -> None:
    error = raised(
        adapter.parse_poll, reply(poll_request(adapter), 200, {"id": JOB, "status": job_status})
    )
    assert error.kind is kind


def test_satisfies_the_protocol() -> None:
    adapter: AsyncHttpAdapter = FullEnrichAdapter()  # mypy checks the structural match
    assert adapter.name == "fullenrich"
