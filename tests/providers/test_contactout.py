"""ContactOut people enrich: request, mapping, not found, errors."""

from __future__ import annotations

import json

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
from openenrich.providers.contactout import ContactOutAdapter

ADAPTER = ContactOutAdapter()
QUERY = ContactQuery(first_name="Example", last_name="Person", domain="obm.com", company_name="OBM")
ALL = frozenset(Field)

parse = parser(ADAPTER, QUERY, ALL)


def test_request_by_name_and_company() -> None:
    fields = frozenset({Field.WORK_EMAIL, Field.PHONE})
    request = ADAPTER.build_request(QUERY, fields, "co-token")
    check_request(
        request,
        "POST",
        "https://api.contactout.com/v1/people/enrich",
        headers={"token": "co-token"},
        body={
            "first_name": "Example",
            "last_name": "Person",
            "company": ["OBM"],
            "company_domain": ["obm.com"],
            "include": ["work_email", "phone"],
        },
    )


def test_request_by_linkedin_is_canonicalised() -> None:
    query = ContactQuery(linkedin_url="https://uk.linkedin.com/in/Example-Person/?trk=x")
    body = json.loads(ADAPTER.build_request(query, frozenset({Field.PROFILE}), "t").content)
    assert body == {"linkedin_url": "https://www.linkedin.com/in/example-person"}


@pytest.mark.parametrize(
    "query",
    [
        ContactQuery(linkedin_url="https://www.linkedin.com/sales/lead/ACwAAA,NAME"),
        ContactQuery(first_name="Example", last_name="Person"),
    ],
)
def test_unusable_input_is_a_bad_request(query: ContactQuery) -> None:
    error = raised(ADAPTER.build_request, query, ALL, "t")
    assert error.kind is ErrorKind.BAD_REQUEST


def test_found_maps_emails_phone_and_profile() -> None:
    result = parse(200, load_fixture("contactout", "found"))
    assert result.findings[:3] == [
        EmailFinding("example.person@obm.com", Field.WORK_EMAIL),
        EmailFinding("example.person@gmail.com", Field.PERSONAL_EMAIL),
        PhoneFinding("+1234567891", LineType.UNKNOWN),
    ]
    (profile,) = [f for f in result.findings if isinstance(f, ProfileFinding)]
    person = profile.person
    assert person["full_name"] == "Example Person"
    assert person["location"] == {
        "city": "New York",
        "region": "New York",
        "country": "United States",
    }
    assert person["employment"]["current"]["start_at"] == "2019-03-01T00:00:00Z"
    assert "end_at" not in person["employment"]["current"]
    assert person["employment"]["all"][1]["end_at"] == "2019-02-01T00:00:00Z"
    assert person["educations"][0]["degree"] == "Bachelor of Science Marketing"
    assert person["social_profiles"]["professional_network"]["handle"] == "example-person"


@pytest.mark.parametrize(
    ("status", "body"),
    [(404, load_fixture("contactout", "not_found")), (200, {"status_code": 200, "profile": {}})],
)
def test_not_found_is_a_clean_miss(status: int, body: object) -> None:
    assert parse(status, body) == ProviderResult()


@pytest.mark.parametrize(
    ("status", "body", "text", "kind"),
    [
        (401, load_fixture("contactout", "bad_token"), None, ErrorKind.AUTH),
        (402, {}, None, ErrorKind.QUOTA),
        (403, {"status_code": 403, "message": "You have no credits left"}, None, ErrorKind.QUOTA),
        (403, {"status_code": 403, "message": "Forbidden"}, None, ErrorKind.AUTH),
        (400, {}, None, ErrorKind.BAD_REQUEST),
        (429, {}, None, ErrorKind.RATE_LIMITED),
        (502, None, "<html>bad gateway</html>", ErrorKind.TRANSIENT),
        (200, None, "garbage", ErrorKind.TRANSIENT),
    ],
)
def test_errors(status: int, body: object, text: str | None, kind: ErrorKind) -> None:
    error = raised(parse, status, body, text=text)
    assert error.kind is kind


def test_rate_limit_honours_retry_after() -> None:
    error = raised(parse, 429, {}, headers={"Retry-After": "30"})
    assert error.retry_after == 30.0


def test_satisfies_the_protocol() -> None:
    adapter: HttpAdapter = ADAPTER  # mypy checks the structural match
    assert adapter.name == "contactout"
