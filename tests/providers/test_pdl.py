"""People Data Labs person and company enrichment: requests, findings, profile, Company,
404/402 quirks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.providers.conftest import (
    ERROR_CASES,
    check_error,
    check_request,
    company_parser,
    fixtures,
    parser,
    raised,
)

from openenrich.domain import (
    CompanyQuery,
    ContactQuery,
    EmailFinding,
    Field,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers.base import ErrorKind, GarbageReply, ProviderResult
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


def test_request_by_linkedin_url_alone() -> None:
    query = ContactQuery(linkedin_url="https://www.linkedin.com/in/seanexample/")
    assert json.loads(PdlAdapter().build_request(query, ALL, "k").content) == {
        "min_likelihood": 6,
        "profile": "https://www.linkedin.com/in/seanexample",
    }


def test_request_by_name_and_company_domain() -> None:
    query = ContactQuery(first_name="Sean", last_name="Example", domain="example.com")
    assert json.loads(PdlAdapter().build_request(query, ALL, "k").content) == {
        "min_likelihood": 6,
        "first_name": "Sean",
        "last_name": "Example",
        "company": "example.com",
    }


# --- Company enrichment ---------------------------------------------------------------

COMPANY = CompanyQuery(domain="https://www.PeopleDataLabs.com/about")
parse_company = company_parser(PdlAdapter(), COMPANY)


def test_company_request() -> None:
    check_request(
        PdlAdapter().build_company_request(COMPANY, "pdl-key"),
        "GET",
        "https://api.peopledatalabs.com/v5/company/enrich",
        headers={"X-Api-Key": "pdl-key"},
        params={"min_likelihood": "6", "website": "peopledatalabs.com"},
    )


@pytest.mark.parametrize(
    ("query", "params"),
    [
        (
            CompanyQuery(professional_network_url="linkedin.com/company/PeopleDataLabs/about/"),
            {"profile": "https://www.linkedin.com/company/peopledatalabs"},
        ),
        (
            CompanyQuery(professional_network_id=18170482),
            {"profile": "https://www.linkedin.com/company/18170482"},
        ),
        (
            CompanyQuery(
                domain="peopledatalabs.com",
                professional_network_url="https://www.linkedin.com/company/peopledatalabs",
                professional_network_id=18170482,
            ),
            {
                "website": "peopledatalabs.com",
                "profile": "https://www.linkedin.com/company/peopledatalabs",
            },
        ),
    ],
)
def test_company_request_by_professional_network(
    query: CompanyQuery, params: dict[str, str]
) -> None:
    request = PdlAdapter(min_likelihood=3).build_company_request(query, "k")
    assert dict(request.url.params) == {"min_likelihood": "3", **params}


def test_company_request_needs_an_identifier() -> None:
    error = raised(PdlAdapter().build_company_request, CompanyQuery(domain=" "), "k")
    assert error.kind is ErrorKind.BAD_REQUEST


def test_company_found() -> None:
    assert parse_company(200, fixture("company_enrich_found")) == {
        "name": "People Data Labs",
        "domain": "peopledatalabs.com",
        "website": "peopledatalabs.com",
        "description": fixture("company_enrich_found")["summary"].strip(),
        "year_founded": 2015,
        "headcount": 85,
        "headcount_range": "51-200",
        "company_type": "Privately Held",
        "locations": {
            "headquarters": {
                "line1": "455 Market Street",
                "city": "San Francisco",
                "region": "California",
                "country": "United States",
            }
        },
        "social_profiles": {
            "professional_network": {
                "id": 18170482,
                "url": "https://www.linkedin.com/company/peopledatalabs",
                "handle": "peopledatalabs",
            }
        },
        "specialties": fixture("company_enrich_found")["tags"],
        "industry": {"main_industry": "Software Development"},
    }


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("public", "Public Company"),
        ("nonprofit", "Nonprofit"),
        ("government", "Government Agency"),
        ("public_subsidiary", "Public Subsidiary"),
        (None, None),
    ],
)
def test_company_types(raw: str | None, shown: str | None) -> None:
    body = fixture("company_enrich_found")
    body["type"] = raw
    assert (parse_company(200, body) or {}).get("company_type") == shown


def test_company_sparse_record() -> None:
    body = {"status": 200, "likelihood": 8, "name": "acme corp", "industry": "retail"}
    body.update(display_name=None, website=None, location=None, tags=None, linkedin_id=True)
    assert parse_company(200, body) == {
        "name": "Acme Corp",
        "industry": {"main_industry": "Retail"},
    }


def test_company_miss() -> None:
    assert parse_company(404, fixture("not_found")) is None
    assert parse_company(404, text="<html>not found</html>") is None
    # A match naming no company (neither name nor website) is no match either.
    assert parse_company(200, {"status": 200, "likelihood": 6, "name": None}) is None


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
        (429, fixture("rate_limited"), {"Retry-After": "5"}, ErrorKind.RATE_LIMITED, 5.0),
        (503, None, None, ErrorKind.TRANSIENT, None),
    ],
)
def test_company_errors(
    status: int, body: Any, headers: dict[str, str] | None, kind: ErrorKind, retry: float | None
) -> None:
    check_error(parse_company, status, body, headers, kind, retry)


@pytest.mark.parametrize("body", [[], "company", {}, {"status": "200"}])
def test_company_garbage_is_never_a_miss(body: Any) -> None:
    with pytest.raises(GarbageReply):
        parse_company(200, body)


def test_company_unparseable_body_is_garbage() -> None:
    with pytest.raises(GarbageReply):
        parse_company(200, text="not json")
