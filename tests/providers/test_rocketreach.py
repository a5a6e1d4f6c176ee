"""RocketReach (asynchronous): lookup, checkStatus polling, grades, errors."""

from __future__ import annotations

from typing import Any

import pytest
from tests.providers.conftest import (
    ERROR_CASES,
    check_error,
    fixtures,
    parser,
    poller,
    raised,
    reply,
)

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    EmailStatus,
    Field,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers.base import ErrorKind, Pending, ProviderResult
from openenrich.providers.rocketreach import RocketReachAdapter, email_status

QUERY = ContactQuery(first_name="Jamie", last_name="Example", company_name="Example")
ALL = frozenset(Field)

fixture = fixtures("rocketreach")
lookup = parser(RocketReachAdapter(), QUERY, ALL)
poll = poller(RocketReachAdapter(), "5244")


def test_lookup_request() -> None:
    request = RocketReachAdapter().build_request(QUERY, ALL, "rr-key")
    assert RocketReachAdapter.name == "rocketreach"
    assert request.method == "GET"
    assert request.url.path == "/api/v2/person/lookup"
    assert dict(request.url.params) == {"name": "Jamie Example", "current_employer": "Example"}
    assert request.headers["Api-Key"] == "rr-key"


@pytest.mark.parametrize(
    ("query", "params"),
    [
        (
            ContactQuery(first_name="J", last_name="E", linkedin_url="linkedin.com/in/jamie"),
            {"linkedin_url": "https://www.linkedin.com/in/jamie"},
        ),
        (ContactQuery(email="jamie@example.com"), {"email": "jamie@example.com"}),
        (
            ContactQuery(first_name="J", last_name="E", domain="example.com"),
            {"name": "J E", "current_employer": "example.com"},
        ),
    ],
)
def test_lookup_request_variants(query: ContactQuery, params: dict[str, str]) -> None:
    assert dict(RocketReachAdapter().build_request(query, ALL, "k").url.params) == params


def test_lookup_needs_input() -> None:
    error = raised(
        RocketReachAdapter().build_request, ContactQuery(first_name="J", last_name="E"), ALL, "k"
    )
    assert error.kind is ErrorKind.BAD_REQUEST


def test_lookup_in_progress_is_pending() -> None:
    assert lookup(200, fixture("lookup_progress")) == Pending("5244", 3.0)


def test_poll_request() -> None:
    adapter = RocketReachAdapter(base_url="http://127.0.0.1:4/api/v2", poll_after=1)
    request = adapter.build_poll(Pending("5244"), "rr-key")
    assert request.method == "GET"
    assert str(request.url) == "http://127.0.0.1:4/api/v2/person/checkStatus?ids=5244"
    assert request.headers["Api-Key"] == "rr-key"
    body = [fixture("lookup_progress")]
    assert adapter.parse_poll(reply(request, 200, body)) == Pending("5244", 1)


def test_complete_profile() -> None:
    result = poll(200, fixture("check_status_complete"))
    assert isinstance(result, ProviderResult)
    *contacts, profile = result.findings
    assert contacts == [
        EmailFinding("jamie@example.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE),
        EmailFinding("j.example@example.com", Field.WORK_EMAIL, EmailStatus.CATCH_ALL),
        EmailFinding("jamie.example@example.net", Field.PERSONAL_EMAIL, EmailStatus.DELIVERABLE),
        PhoneFinding("+14155550101", LineType.MOBILE),
        PhoneFinding("+14155550102", LineType.LANDLINE),
    ]
    assert isinstance(profile, ProfileFinding)
    person = profile.person
    assert person["full_name"] == "Jamie Example"
    assert person["location"] == {
        "country": "United States",
        "country_code": "US",
        "city": "San Francisco",
        "region": "CA",
    }
    current = person["employment"]["current"]
    assert current["title"] == "Product Manager" and "end_at" not in current
    assert current["company"]["domain"] == "example.com"
    assert current["company"]["id"] == "123456"
    past = person["employment"]["all"][1]
    assert past["end_at"] == "2019-05-01T00:00:00Z" and past["is_current"] is False
    assert person["educations"] == [
        {
            "school_name": "Example University",
            "degree": "BA, Economics",
            "start_at": "2011-01-01T00:00:00Z",
            "end_at": "2015-01-01T00:00:00Z",
        }
    ]


def test_complete_lookup_answers_at_once_and_top_level_emails_count() -> None:
    body = fixture("check_status_complete")[0]
    body["emails"] = []
    result = lookup(200, body)
    assert isinstance(result, ProviderResult)
    emails = [f for f in result.findings if isinstance(f, EmailFinding)]
    assert emails == [
        EmailFinding("jamie.example@example.net", Field.PERSONAL_EMAIL),
        EmailFinding("jamie@example.com", Field.WORK_EMAIL),
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"smtp_valid": "valid", "grade": "A"}, EmailStatus.DELIVERABLE),
        ({"grade": "A-"}, EmailStatus.DELIVERABLE),
        ({"smtp_valid": "accept-all", "grade": "B"}, EmailStatus.HIGH_PROBABILITY),
        ({"smtp_valid": "accept-all", "grade": "C"}, EmailStatus.CATCH_ALL),
        ({"smtp_valid": "invalid", "grade": "A"}, EmailStatus.INVALID),
        ({"grade": "F"}, EmailStatus.INVALID),
        ({"smtp_valid": "unknown"}, EmailStatus.UNKNOWN),
        ({}, None),
    ],
)
def test_email_status(entry: dict[str, str], expected: EmailStatus | None) -> None:
    assert email_status(entry) is expected


def test_failed_lookup_and_404_are_clean_misses() -> None:
    assert poll(200, [{"id": 5244, "status": "failed"}]) == ProviderResult()
    assert lookup(404, fixture("error")) == ProviderResult()


@pytest.mark.parametrize(
    ERROR_CASES,
    [
        (400, fixture("error"), None, ErrorKind.BAD_REQUEST, None),
        (401, fixture("error"), None, ErrorKind.AUTH, None),
        (402, fixture("error"), None, ErrorKind.QUOTA, None),
        (403, fixture("error"), None, ErrorKind.AUTH, None),
        (429, fixture("error"), {"Retry-After": "3"}, ErrorKind.RATE_LIMITED, 3.0),
        (500, None, None, ErrorKind.TRANSIENT, None),
        (200, {"status": "progress"}, None, ErrorKind.TRANSIENT, None),  # no id to poll
    ],
)
def test_lookup_errors(
    status: int, body: Any, headers: dict[str, str] | None, kind: ErrorKind, retry: float | None
) -> None:
    check_error(lookup, status, body, headers, kind, retry)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, [], ErrorKind.TRANSIENT),
        (200, "x", ErrorKind.TRANSIENT),
        (503, None, ErrorKind.TRANSIENT),
    ],
)
def test_poll_errors(status: int, body: Any, kind: ErrorKind) -> None:
    error = raised(poll, status, body)
    assert error.kind is kind
