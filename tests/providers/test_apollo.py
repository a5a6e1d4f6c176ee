"""Apollo People Enrichment: request, mapping of person/profile, error classes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.providers.conftest import ERROR_CASES, check_error, fixtures, parser, raised

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field, ProfileFinding
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
