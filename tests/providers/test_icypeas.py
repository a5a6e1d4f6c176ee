"""Icypeas (asynchronous): submit, poll, certainty mapping, errors."""

from __future__ import annotations

from typing import Any

import pytest
from tests.providers.conftest import (
    ERROR_CASES,
    check_error,
    check_request,
    fixtures,
    parser,
    poller,
    raised,
    reply,
)

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind, Pending, ProviderResult
from openenrich.providers.icypeas import IcypeasAdapter

SEARCH_ID = "ZLk5g4kBmMUYfSEquM4u"
QUERY = ContactQuery(first_name="John", last_name="Doe", domain="example.com")
FIELDS = frozenset({Field.WORK_EMAIL})

fixture = fixtures("icypeas")
submit = parser(IcypeasAdapter(), QUERY, FIELDS)
poll = poller(IcypeasAdapter(), SEARCH_ID)


def test_submit_request() -> None:
    request = IcypeasAdapter().build_request(QUERY, FIELDS, "icy-key")
    assert IcypeasAdapter.name == "icypeas"
    # Authorization is the raw key, no "Bearer"
    check_request(
        request,
        "POST",
        "https://app.icypeas.com/api/email-search",
        headers={"Authorization": "icy-key"},
        body={
            "firstname": "John",
            "lastname": "Doe",
            "domainOrCompany": "example.com",
        },
    )


def test_submit_needs_last_name_and_company() -> None:
    error = raised(
        IcypeasAdapter().build_request, ContactQuery(first_name="J", domain="x.com"), FIELDS, "k"
    )
    assert error.kind is ErrorKind.BAD_REQUEST


def test_submit_answers_pending() -> None:
    assert submit(200, fixture("submit")) == Pending(SEARCH_ID, 2.0)


def test_poll_request() -> None:
    adapter = IcypeasAdapter(base_url="http://127.0.0.1:3/api", poll_after=5)
    request = adapter.build_poll(Pending(SEARCH_ID), "icy-key")
    check_request(
        request,
        "POST",
        "http://127.0.0.1:3/api/bulk-single-searchs/read",
        headers={"Authorization": "icy-key"},
        body={"id": SEARCH_ID},
    )
    running = adapter.parse_poll(reply(request, 200, fixture("read_running")))
    assert running == Pending(SEARCH_ID, 5)


def test_poll_found() -> None:
    assert poll(200, fixture("read_found")) == ProviderResult(
        [EmailFinding("john.doe@example.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE)]
    )


@pytest.mark.parametrize(
    ("certainty", "expected"),
    [
        ("ultra_sure", EmailStatus.DELIVERABLE),
        ("very_sure", EmailStatus.DELIVERABLE),
        ("probable", EmailStatus.HIGH_PROBABILITY),
        ("undeliverable", EmailStatus.INVALID),
        ("something_new", None),
    ],
)
def test_certainty_mapping(certainty: str, expected: EmailStatus | None) -> None:
    body = fixture("read_found")
    body["items"][0]["results"]["emails"][0]["certainty"] = certainty
    result = poll(200, body)
    assert isinstance(result, ProviderResult)
    assert [f.status for f in result.findings if isinstance(f, EmailFinding)] == [expected]


@pytest.mark.parametrize("status", ["NOT_FOUND", "DEBITED_NOT_FOUND"])
def test_not_found_is_clean_miss(status: str) -> None:
    body = fixture("read_not_found")
    body["items"][0]["status"] = status
    assert poll(200, body) == ProviderResult()


@pytest.mark.parametrize("status", ["NONE", "SCHEDULED", "IN_PROGRESS"])
def test_running_states_stay_pending(status: str) -> None:
    body = fixture("read_running")
    body["items"][0]["status"] = status
    assert poll(200, body) == Pending(SEARCH_ID, 2.0)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("INSUFFICIENT_FUNDS", ErrorKind.QUOTA),
        ("BAD_INPUT", ErrorKind.BAD_REQUEST),
        ("ABORTED", ErrorKind.TRANSIENT),
    ],
)
def test_failed_search_states(status: str, kind: ErrorKind) -> None:
    body = fixture("read_running")
    body["items"][0]["status"] = status
    error = raised(poll, 200, body)
    assert error.kind is kind


@pytest.mark.parametrize(
    ERROR_CASES,
    [
        (
            200,
            {"success": False, "validationErrors": [{"field": "lastname"}]},
            None,
            ErrorKind.BAD_REQUEST,
            None,
        ),
        (200, {"success": False, "message": "Not enough credits"}, None, ErrorKind.QUOTA, None),
        (200, {"success": True, "item": {}}, None, ErrorKind.TRANSIENT, None),
        (401, {"success": False}, None, ErrorKind.AUTH, None),
        (429, None, {"Retry-After": "1"}, ErrorKind.RATE_LIMITED, 1.0),
        (500, None, None, ErrorKind.TRANSIENT, None),
        (200, None, None, ErrorKind.TRANSIENT, None),
    ],
)
def test_submit_errors(
    status: int, body: Any, headers: dict[str, str] | None, kind: ErrorKind, retry: float | None
) -> None:
    check_error(submit, status, body, headers, kind, retry)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, {"success": True, "items": []}, ErrorKind.TRANSIENT),
        (401, None, ErrorKind.AUTH),
        (502, None, ErrorKind.TRANSIENT),
    ],
)
def test_poll_errors(status: int, body: Any, kind: ErrorKind) -> None:
    error = raised(poll, status, body)
    assert error.kind is kind


def test_garbage_body_is_transient() -> None:
    for step in (submit, poll):
        error = raised(step, 200, text="{")
        assert error.kind is ErrorKind.TRANSIENT
