"""People Data Labs person enrichment: request, findings, profile, 404/402 quirks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.providers.conftest import (
    ERROR_CASES,
    check_error,
    check_request,
    fixtures,
    parser,
    raised,
)

from openenrich.domain import (
    ContactQuery,
    EmailFinding,
    Field,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers.base import ErrorKind, ProviderResult
from openenrich.providers.pdl import PdlAdapter

QUERY = ContactQuery(first_name="Sean", last_name="Example", company_name="Example Data Labs")
ALL = frozenset(Field)

fixture = fixtures("pdl")
parse = parser(PdlAdapter(), QUERY, ALL)


def test_request() -> None:
    request = PdlAdapter().build_request(QUERY, ALL, "pdl-key")
    assert PdlAdapter.name == "pdl"
    check_request(
        request,
        "POST",
        "https://api.peopledatalabs.com/v5/person/enrich",
        headers={"X-Api-Key": "pdl-key"},
        body={
            "min_likelihood": 6,
            "first_name": "Sean",
            "last_name": "Example",
            "company": "Example Data Labs",
        },
    )


def test_request_by_profile_and_email() -> None:
    query = ContactQuery(linkedin_url="http://linkedin.com/in/SeanExample", email="s@example.com")
    body = json.loads(PdlAdapter(min_likelihood=3).build_request(query, ALL, "k").content)
    assert body == {
        "min_likelihood": 3,
        "profile": "https://www.linkedin.com/in/seanexample",
        "email": "s@example.com",
    }


def test_request_needs_name_with_company() -> None:
    error = raised(
        PdlAdapter().build_request, ContactQuery(first_name="S", last_name="E"), ALL, "k"
    )
    assert error.kind is ErrorKind.BAD_REQUEST


def test_found() -> None:
    findings = parse(200, fixture("enrich_found")).findings
    assert findings[:5] == [
        EmailFinding("sean@example.com", Field.WORK_EMAIL),
        EmailFinding("sean.example@example.net", Field.PERSONAL_EMAIL),
        EmailFinding("sthorne@example.org", Field.PERSONAL_EMAIL),
        PhoneFinding("+14155550123", LineType.MOBILE),
        PhoneFinding("+14155550199", LineType.UNKNOWN),
    ]
    profile = findings[5]
    assert isinstance(profile, ProfileFinding)
    person = profile.person
    assert person["full_name"] == "Sean Example"
    assert person["location"] == {
        "country": "United States",
        "city": "San Francisco",
        "region": "California",
    }
    assert person["social_profiles"]["professional_network"] == {
        "url": "https://www.linkedin.com/in/seanexample",
        "handle": "seanexample",
        "connection_count": 500,
    }
    assert person["languages"] == [
        {"language": "English", "proficiency": "NATIVE_OR_BILINGUAL"},
        {"language": "Spanish"},
    ]
    assert person["educations"] == [
        {
            "school_name": "university of oregon",
            "degree": "bachelors",
            "start_at": "2009-01-01T00:00:00Z",
            "end_at": "2013-01-01T00:00:00Z",
        }
    ]
    current = person["employment"]["current"]
    assert current["title"] == "co-founder and chief executive officer"
    assert current["start_at"] == "2015-03-01T00:00:00Z"
    assert current["company"]["headcount_range"] == "51-200"
    assert current["company"]["domain"] == "example.com"
    assert [job["is_current"] for job in person["employment"]["all"]] == [True, False]
    assert person["employment"]["all"][1]["end_at"] == "2015-03-01T00:00:00Z"


def test_free_plan_booleans_are_not_data() -> None:
    body = fixture("enrich_found")
    data = body["data"]
    data.update(work_email=True, personal_emails=True, mobile_phone=True, phone_numbers=True)
    data["recommended_personal_email"] = False
    findings = parse(200, body).findings
    assert len(findings) == 1 and isinstance(findings[0], ProfileFinding)


def test_404_is_clean_miss() -> None:
    assert parse(404, fixture("not_found")) == ProviderResult()


@pytest.mark.parametrize(
    ERROR_CASES,
    [
        (
            400,
            {"status": 400, "error": {"type": "invalid_request_error"}},
            None,
            ErrorKind.BAD_REQUEST,
            None,
        ),
        (
            401,
            {"status": 401, "error": {"type": "authentication_error"}},
            None,
            ErrorKind.AUTH,
            None,
        ),
        (402, fixture("payment_required"), None, ErrorKind.QUOTA, None),
        (405, None, None, ErrorKind.BAD_REQUEST, None),
        (429, fixture("rate_limited"), {"Retry-After": "12"}, ErrorKind.RATE_LIMITED, 12.0),
        (429, fixture("rate_limited"), None, ErrorKind.RATE_LIMITED, None),
        (500, None, None, ErrorKind.TRANSIENT, None),
        (503, None, None, ErrorKind.TRANSIENT, None),
    ],
)
def test_errors(
    status: int, body: Any, headers: dict[str, str] | None, kind: ErrorKind, retry: float | None
) -> None:
    error = check_error(parse, status, body, headers, kind, retry)
    if body and status == 402:
        assert error.detail == "HTTP 402 payment_required"


def test_garbage_body_is_transient() -> None:
    error = raised(parse, 200, text="not json")
    assert error.kind is ErrorKind.TRANSIENT
