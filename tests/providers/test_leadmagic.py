"""LeadMagic email finder: request, status mapping, RFC 9457 errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
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

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind, ProviderResult
from openenrich.providers.leadmagic import LeadMagicAdapter

QUERY = ContactQuery(first_name="Jane", last_name="Doe", domain="example.com", company_name="Ex")
FIELDS = frozenset({Field.WORK_EMAIL})

fixture = fixtures("leadmagic")
parse = parser(LeadMagicAdapter(), QUERY, FIELDS)


def test_request() -> None:
    request = LeadMagicAdapter().build_request(QUERY, FIELDS, "lm-key")
    assert LeadMagicAdapter.name == "leadmagic"
    check_request(
        request,
        "POST",
        "https://api.leadmagic.io/v1/people/email-finder",
        headers={"X-API-Key": "lm-key"},
        body={
            "first_name": "Jane",
            "last_name": "Doe",
            "domain": "example.com",
            "company_name": "Ex",
        },
    )


def test_request_needs_name_and_company() -> None:
    error = raised(
        LeadMagicAdapter().build_request, ContactQuery(first_name="J", domain="x.com"), FIELDS, "k"
    )
    assert error.kind is ErrorKind.BAD_REQUEST


def test_found() -> None:
    assert parse(200, fixture("found")) == ProviderResult(
        [EmailFinding("jane.doe@example.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE)]
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("valid", EmailStatus.DELIVERABLE),
        ("valid_catch_all", EmailStatus.HIGH_PROBABILITY),
        ("catch_all", EmailStatus.CATCH_ALL),
        ("invalid", EmailStatus.INVALID),
        ("unknown", EmailStatus.UNKNOWN),
        (None, None),
    ],
)
def test_status_mapping(raw: str | None, expected: EmailStatus | None) -> None:
    body = fixture("found")
    body["status"] = raw
    assert parse(200, body).findings == [EmailFinding("jane.doe@example.com", status=expected)]


def test_not_found_is_clean_miss() -> None:
    assert parse(200, fixture("not_found")) == ProviderResult()
    assert parse(404, {"title": "Not Found", "status": 404}) == ProviderResult()


@pytest.mark.parametrize(
    ERROR_CASES,
    [
        (400, {"title": "Bad Request", "status": 400}, None, ErrorKind.BAD_REQUEST, None),
        (401, {"title": "Unauthorized", "status": 401}, None, ErrorKind.AUTH, None),
        (402, fixture("insufficient_credits"), None, ErrorKind.QUOTA, None),
        (429, {"title": "Too Many Requests"}, {"Retry-After": "7"}, ErrorKind.RATE_LIMITED, 7.0),
        (500, None, None, ErrorKind.TRANSIENT, None),
        (503, None, None, ErrorKind.TRANSIENT, None),
    ],
)
def test_errors(
    status: int, body: Any, headers: dict[str, str] | None, kind: ErrorKind, retry: float | None
) -> None:
    check_error(parse, status, body, headers, kind, retry)


def test_garbage_body_is_transient() -> None:
    error = raised(parse, 200, text="")
    assert error.kind is ErrorKind.TRANSIENT


def test_retry_after_as_http_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    error = raised(parse, 429, {"title": "Too Many Requests"}, headers={"Retry-After": when})
    assert error.retry_after is not None and 85 <= error.retry_after <= 90
