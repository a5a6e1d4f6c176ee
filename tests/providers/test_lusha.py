"""Lusha Person v2: request, mapping, contact-level misses, errors."""

from __future__ import annotations

import pytest
from tests.providers.conftest import check_request, load_fixture, parser, raised

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    Field,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers.base import ErrorKind, HttpAdapter, ProviderResult
from openenrich.providers.lusha import LushaAdapter

ADAPTER = LushaAdapter()
QUERY = ContactQuery(first_name="Dustin", last_name="Moskovitz", domain="lusha.com")
ALL = frozenset(Field)

parse = parser(ADAPTER, QUERY, ALL)


def test_request() -> None:
    request = ADAPTER.build_request(QUERY, ALL, "lusha-key")
    check_request(
        request,
        "GET",
        "https://api.lusha.com/v2/person",
        headers={"api_key": "lusha-key"},
        params={
            "firstName": "Dustin",
            "lastName": "Moskovitz",
            "companyDomain": "lusha.com",
        },
    )
    assert "authorization" not in request.headers


def test_request_by_linkedin_and_insufficient_input() -> None:
    query = ContactQuery(linkedin_url="https://www.linkedin.com/in/dustin/")
    params = dict(ADAPTER.build_request(query, ALL, "k").url.params)
    assert params == {"linkedinUrl": "https://www.linkedin.com/in/dustin/"}
    error = raised(
        ADAPTER.build_request, ContactQuery(first_name="D", domain="lusha.com"), ALL, "k"
    )
    assert error.kind is ErrorKind.BAD_REQUEST


def test_found_maps_emails_phones_and_profile() -> None:
    result = parse(200, load_fixture("lusha", "found"))
    assert result.findings[:4] == [
        EmailFinding("dustin@lusha.com", Field.WORK_EMAIL),
        EmailFinding("dustin.m@gmail.com", Field.PERSONAL_EMAIL),
        PhoneFinding("+1-555-123-4567", LineType.MOBILE),
        PhoneFinding("+1 555-765-4321", LineType.UNKNOWN),
    ]
    (profile,) = [f for f in result.findings if isinstance(f, ProfileFinding)]
    person = profile.person
    assert person["location"]["country_code"] == "US"
    assert person["social_profiles"]["professional_network"] == {
        "url": "https://www.linkedin.com/in/dustin",
        "handle": "dustin",
        "connection_count": 500,
    }
    current = person["employment"]["current"]
    assert (current["title"], current["seniority"]) == ("CEO", "Executive")
    assert current["start_at"] == "2020-01-01T00:00:00Z"
    assert current["company"]["domain"] == "lusha.com"
    assert current["company"]["headcount_range"] == "201-500"


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, load_fixture("lusha", "not_found")), (404, {}), (200, {"contact": {"data": {}}})],
)
def test_misses(status: int, body: object) -> None:
    assert parse(status, body) == ProviderResult()


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "retry_after"),
    [
        (401, load_fixture("lusha", "unauthorized"), None, ErrorKind.AUTH, None),
        (402, {}, None, ErrorKind.QUOTA, None),
        (403, {}, None, ErrorKind.AUTH, None),
        (412, {}, None, ErrorKind.BAD_REQUEST, None),
        (451, load_fixture("lusha", "gdpr"), None, ErrorKind.BAD_REQUEST, None),
        (429, load_fixture("lusha", "hourly_limit"), None, ErrorKind.RATE_LIMITED, 42.0),
        (429, load_fixture("lusha", "hourly_limit"), {"Retry-After": "5"}, ErrorKind.RATE_LIMITED, 5.0),  # noqa: E501
        (429, load_fixture("lusha", "trial_limit"), None, ErrorKind.QUOTA, None),
        (499, {}, None, ErrorKind.TRANSIENT, None),
        (503, {}, None, ErrorKind.TRANSIENT, None),
    ],
)  # fmt: skip
def test_errors(
    status: int,
    body: object,
    headers: dict[str, str] | None,
    kind: ErrorKind,
    retry_after: float | None,
) -> None:
    error = raised(parse, status, body, headers=headers)
    assert error.kind is kind
    assert error.retry_after == retry_after


def test_garbage_is_transient() -> None:
    error = raised(parse, 200, text="<html>")
    assert error.kind is ErrorKind.TRANSIENT


def test_satisfies_the_protocol() -> None:
    adapter: HttpAdapter = ADAPTER  # mypy checks the structural match
    assert adapter.name == "lusha"
