"""Prospeo Enrich Person: request, verified-only mapping, body error codes."""

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
    EmailStatus,
    Field,
    LineType,
    PhoneFinding,
    ProfileFinding,
)
from openenrich.providers.base import ErrorKind, ProviderResult
from openenrich.providers.prospeo import ProspeoAdapter

QUERY = ContactQuery(first_name="John", last_name="Doe", domain="example.com")
EMAIL_ONLY = frozenset({Field.WORK_EMAIL})

fixture = fixtures("prospeo")
parse = parser(ProspeoAdapter(), QUERY, EMAIL_ONLY)


def test_request_without_phone_does_not_pay_for_mobile() -> None:
    request = ProspeoAdapter().build_request(QUERY, EMAIL_ONLY, "px-key")
    assert ProspeoAdapter.name == "prospeo"
    check_request(
        request,
        "POST",
        "https://api.prospeo.io/enrich-person",
        headers={"X-KEY": "px-key", "Content-Type": "application/json"},
        body={
            "only_verified_email": False,
            "enrich_mobile": False,
            "data": {"first_name": "John", "last_name": "Doe", "company_website": "example.com"},
        },
    )


def test_request_with_phone_and_linkedin() -> None:
    query = ContactQuery(linkedin_url="https://uk.linkedin.com/in/John-Doe-Example?x=1")
    adapter = ProspeoAdapter(base_url="http://127.0.0.1:5/")
    request = adapter.build_request(query, frozenset({Field.PHONE}), "k")
    assert str(request.url) == "http://127.0.0.1:5/enrich-person"
    assert json.loads(request.content) == {
        "only_verified_email": False,
        "enrich_mobile": True,
        "only_verified_mobile": True,
        "data": {"linkedin_url": "https://www.linkedin.com/in/john-doe-example"},
    }


def test_request_needs_identifier() -> None:
    error = raised(ProspeoAdapter().build_request, ContactQuery(last_name="Doe"), EMAIL_ONLY, "k")
    assert error.kind is ErrorKind.BAD_REQUEST


def test_found() -> None:
    email, phone, profile = parse(200, fixture("enrich_found")).findings
    assert email == EmailFinding("john.doe@example.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE)
    assert phone == PhoneFinding("+14155550142", LineType.MOBILE, "US")
    assert isinstance(profile, ProfileFinding)
    person = profile.person
    assert person["headline"] == "Head of Sales at Example"
    assert person["location"]["country_code"] == "US"
    assert person["skills"] == ["Sales", "SaaS"]
    current, past = person["employment"]["all"]
    assert person["employment"]["current"] == current
    assert current["start_at"] == "2021-04-01T00:00:00Z" and "end_at" not in current
    assert current["seniority"] == "Head"
    assert current["company"]["domain"] == "example.com"
    assert current["company"]["headcount_range"] == "101-200"
    assert past["company"] == {"name": "Other Co"}
    assert (past["start_at"], past["end_at"]) == ("2017-01-01T00:00:00Z", "2021-03-01T00:00:00Z")


@pytest.mark.parametrize(
    "email_block",
    [
        {"status": "UNAVAILABLE", "revealed": False, "email": None},
        {"status": "VERIFIED", "revealed": False, "email": "j***@example.com"},
        None,
    ],
)
def test_unverified_or_masked_email_is_not_a_finding(email_block: Any) -> None:
    body = fixture("enrich_found")
    body["person"]["email"] = email_block
    body["person"]["mobile"] = {"status": "UNAVAILABLE", "revealed": False}
    findings = parse(200, body).findings
    assert len(findings) == 1 and isinstance(findings[0], ProfileFinding)


def test_no_match_is_clean_miss() -> None:
    assert parse(400, fixture("no_match")) == ProviderResult()


@pytest.mark.parametrize(
    ERROR_CASES,
    [
        (400, fixture("insufficient_credits"), None, ErrorKind.QUOTA, None),
        (
            400,
            {"error": True, "error_code": "INVALID_DATAPOINTS"},
            None,
            ErrorKind.BAD_REQUEST,
            None,
        ),
        (401, {"error": True, "error_code": "INVALID_API_KEY"}, None, ErrorKind.AUTH, None),
        (
            429,
            {"error": True, "error_code": "RATE_LIMITED"},
            {"retry-after": "2"},
            ErrorKind.RATE_LIMITED,
            2.0,
        ),
        (500, {"error": True, "error_code": "INTERNAL_ERROR"}, None, ErrorKind.TRANSIENT, None),
        (400, {"error": True, "error_code": "SOMETHING_NEW"}, None, ErrorKind.BAD_REQUEST, None),
        (502, None, None, ErrorKind.TRANSIENT, None),
    ],
)
def test_errors(
    status: int, body: Any, headers: dict[str, str] | None, kind: ErrorKind, retry: float | None
) -> None:
    check_error(parse, status, body, headers, kind, retry)


def test_garbage_body_is_transient() -> None:
    error = raised(parse, 200, text="<html/>")
    assert error.kind is ErrorKind.TRANSIENT
