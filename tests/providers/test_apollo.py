"""Apollo People and Organization Enrichment: requests, mapping of person/profile and of
the organization to a Company, error classes."""

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
    EmailStatus,
    Field,
    ProfileFinding,
)
from openenrich.providers.apollo import ApolloAdapter
from openenrich.providers.base import ErrorKind, GarbageReply, ProviderResult

QUERY = ContactQuery(first_name="Tim", last_name="Example", domain="example.com")
ALL = frozenset({Field.WORK_EMAIL, Field.PERSONAL_EMAIL, Field.PROFILE})

fixture = fixtures("apollo")
parse = parser(ApolloAdapter(), QUERY, ALL)


def test_request() -> None:
    request = ApolloAdapter().build_request(QUERY, frozenset({Field.WORK_EMAIL}), "secret-key")
    assert ApolloAdapter.name == "apollo"
    assert request.method == "POST"
    assert str(request.url) == "https://api.apollo.io/api/v1/people/match"
    assert request.headers["x-api-key"] == "secret-key"
    assert "authorization" not in request.headers  # Bearer is refused for API keys
    assert json.loads(request.content) == {
        "first_name": "Tim",
        "last_name": "Example",
        "domain": "example.com",
        "reveal_personal_emails": False,
    }


def test_request_linkedin_and_personal_reveal() -> None:
    query = ContactQuery(linkedin_url="linkedin.com/in/Tim-Example/")
    adapter = ApolloAdapter(base_url="http://127.0.0.1:1/api/v1")
    request = adapter.build_request(query, ALL, "k")
    assert request.url.host == "127.0.0.1"
    assert json.loads(request.content) == {
        "linkedin_url": "https://www.linkedin.com/in/tim-example",
        "reveal_personal_emails": True,
    }


def test_request_needs_an_identifier() -> None:
    error = raised(
        ApolloAdapter().build_request, ContactQuery(first_name="Tim", last_name="E"), ALL, "k"
    )
    assert error.kind is ErrorKind.BAD_REQUEST


def test_found_maps_email_and_profile() -> None:
    result = parse(200, fixture("match_found"))
    email, profile = result.findings
    assert email == EmailFinding("tim@example.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE)
    assert isinstance(profile, ProfileFinding)
    person = profile.person
    assert person["full_name"] == "Tim Example"
    assert person["headline"] == "Founder & CEO at Example"
    assert person["location"] == {
        "country": "United States",
        "city": "San Francisco",
        "region": "California",
    }
    assert person["social_profiles"]["professional_network"]["handle"] == "tim-example-677ba010"
    current = person["employment"]["current"]
    assert current["title"] == "Founder & CEO"
    assert current["start_at"] == "2016-01-01T00:00:00Z" and "end_at" not in current
    assert current["company"]["domain"] == "example.com"
    assert current["company"]["headcount"] == 1600
    assert current["company"]["year_founded"] == 2015
    past = person["employment"]["all"][1]
    assert past == {
        "title": "Founder & CEO",
        "company": {"name": "Braingenie"},
        "is_current": False,
        "start_at": "2011-01-01T00:00:00Z",
        "end_at": "2015-01-01T00:00:00Z",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("verified", EmailStatus.DELIVERABLE), ("extrapolated", EmailStatus.UNKNOWN), (None, None)],
)
def test_email_status_mapping(raw: str | None, expected: EmailStatus | None) -> None:
    body = fixture("match_found")
    body["person"]["email_status"] = raw
    assert parse(200, body).findings[0] == EmailFinding("tim@example.com", status=expected)


def test_placeholder_email_is_dropped_and_personal_emails_kept() -> None:
    body = fixture("match_found")
    body["person"]["email"] = "email_not_unlocked@domain.com"
    body["person"]["personal_emails"] = ["tim.personal@example.net"]
    findings = parse(200, body).findings
    emails = [f for f in findings if isinstance(f, EmailFinding)]
    assert emails == [EmailFinding("tim.personal@example.net", Field.PERSONAL_EMAIL)]
    assert isinstance(findings[-1], ProfileFinding)


def test_no_match_is_clean_miss() -> None:
    assert parse(200, {"person": None}) == ProviderResult()
    assert parse(200, fixture("match_not_found")) == ProviderResult()


def test_body_without_person_is_garbage_not_a_miss() -> None:
    with pytest.raises(GarbageReply):
        parse(200, {})


@pytest.mark.parametrize(
    ERROR_CASES,
    [
        (401, {"error": "Invalid API key"}, None, ErrorKind.AUTH, None),
        (403, fixture("api_inaccessible"), None, ErrorKind.AUTH, None),
        (422, fixture("insufficient_credits"), None, ErrorKind.QUOTA, None),
        (402, fixture("insufficient_credits"), None, ErrorKind.QUOTA, None),
        (422, {"error": "Invalid parameters"}, None, ErrorKind.BAD_REQUEST, None),
        (429, fixture("rate_limited"), {"retry-after": "30"}, ErrorKind.RATE_LIMITED, 30.0),
        (500, None, None, ErrorKind.TRANSIENT, None),
        (502, None, None, ErrorKind.TRANSIENT, None),
    ],
)
def test_errors(
    status: int, body: Any, headers: dict[str, str] | None, kind: ErrorKind, retry: float | None
) -> None:
    check_error(parse, status, body, headers, kind, retry)


def test_garbage_bodies_are_transient() -> None:
    for status in (200, 403):
        error = raised(parse, status, text="<html>gateway</html>")
        expected = ErrorKind.TRANSIENT if status == 200 else ErrorKind.AUTH
        assert error.kind is expected


def test_request_by_name_and_company_domain_without_linkedin() -> None:
    request = ApolloAdapter().build_request(QUERY, ALL, "k")
    assert json.loads(request.content) == {
        "first_name": "Tim",
        "last_name": "Example",
        "domain": "example.com",
        "reveal_personal_emails": True,
    }


# --- Organization enrichment -------------------------------------------------------------

COMPANY = CompanyQuery(domain="https://www.Apollo.io/pricing")
parse_company = company_parser(ApolloAdapter(), COMPANY)


def test_company_request() -> None:
    request = ApolloAdapter().build_company_request(COMPANY, "secret-key")
    check_request(
        request,
        "GET",
        "https://api.apollo.io/api/v1/organizations/enrich",
        headers={"x-api-key": "secret-key"},
        params={"domain": "apollo.io"},
    )
    assert "authorization" not in request.headers


@pytest.mark.parametrize(
    "query",
    [
        CompanyQuery(),
        CompanyQuery(professional_network_url="https://www.linkedin.com/company/apolloio"),
        CompanyQuery(professional_network_id=18511550),
    ],
)
def test_company_request_needs_a_domain(query: CompanyQuery) -> None:
    error = raised(ApolloAdapter().build_company_request, query, "k")
    assert error.kind is ErrorKind.BAD_REQUEST


def test_company_found() -> None:
    body = fixture("organization_enrich_found")
    assert parse_company(200, body) == {
        "name": "Apollo.io",
        "domain": "apollo.io",
        "website": "http://www.apollo.io",
        "description": body["organization"]["short_description"].strip(),
        "year_founded": 2015,
        "headcount": 170,
        "headcount_range": "51-200",
        "locations": {
            "headquarters": {
                "line1": "535 Mission St",
                "city": "San Francisco",
                "region": "California",
                "country": "United States",
                "country_code": "US",
            }
        },
        # The documented example masks the numeric ID ("185115XX"): no ID is made up.
        "social_profiles": {
            "professional_network": {
                "url": "https://www.linkedin.com/company/apolloio",
                "handle": "apolloio",
            }
        },
        "specialties": body["organization"]["keywords"],
        "industry": {"main_industry": "Computer Software"},
        "logo_url": body["organization"]["logo_url"],
    }


def test_company_id_type_and_sparse_address() -> None:
    body = fixture("organization_enrich_found")
    org = body["organization"]
    org.update(linkedin_uid="18511550", publicly_traded_symbol="APLO", short_description=None)
    org.update(raw_address="535 mission street, san francisco, california, united states")
    org.update(street_address=None, estimated_num_employees=0)
    company = parse_company(200, body)
    assert company is not None
    assert company["social_profiles"]["professional_network"]["id"] == 18511550
    assert company["company_type"] == "Public Company"
    assert company["description"] == org["seo_description"]
    assert company["locations"]["headquarters"] == {
        "city": "San Francisco",
        "region": "California",
        "country": "United States",
    }
    assert company["headcount"] == 0 and "headcount_range" not in company


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"organization": None}),
        (200, {"organization": {}}),
        (200, {"organization": {"id": "5e66b6", "name": None, "primary_domain": None}}),
        (404, {"error": "not found"}),
        (404, None),
    ],
)
def test_company_miss(status: int, body: Any) -> None:
    assert parse_company(status, body) is None


@pytest.mark.parametrize(
    "body", [[], "apollo", {}, {"organization": "Apollo.io"}, {"organization": []}]
)
def test_company_garbage_is_never_a_miss(body: Any) -> None:
    with pytest.raises(GarbageReply):
        parse_company(200, body)


@pytest.mark.parametrize(
    ERROR_CASES,
    [
        (401, {"error": "Invalid API key"}, None, ErrorKind.AUTH, None),
        (403, fixture("api_inaccessible"), None, ErrorKind.AUTH, None),
        (422, fixture("insufficient_credits"), None, ErrorKind.QUOTA, None),
        (422, {"error": "Invalid domain"}, None, ErrorKind.BAD_REQUEST, None),
        (429, fixture("rate_limited"), {"retry-after": "30"}, ErrorKind.RATE_LIMITED, 30.0),
        (500, None, None, ErrorKind.TRANSIENT, None),
    ],
)
def test_company_errors(
    status: int, body: Any, headers: dict[str, str] | None, kind: ErrorKind, retry: float | None
) -> None:
    check_error(parse_company, status, body, headers, kind, retry)


def test_company_unparseable_bodies() -> None:
    assert raised(parse_company, 200, text="<html>gateway</html>").kind is ErrorKind.TRANSIENT
    assert raised(parse_company, 403, text="<html>denied</html>").kind is ErrorKind.AUTH
