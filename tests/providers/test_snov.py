"""Snov.io: token exchange, start then poll, smtp_status mapping, errors."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest
from tests.providers.conftest import check_request, fixtures, raised, reply

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import (
    AsyncHttpAdapter,
    ErrorKind,
    Pending,
    ProviderResult,
    TokenAuthAdapter,
)
from openenrich.providers.snov import SnovAdapter

TASK = "a4a17c5bd3b6a8f8f1e09e8ea5bb6e57"
QUERY = ContactQuery(first_name="Gavin", last_name="Vanrooyen", domain="octagon.com")
WORK = frozenset({Field.WORK_EMAIL})
ADAPTER = SnovAdapter()
WORK_EMAIL = Field.WORK_EMAIL
UNKNOWN, CATCH_ALL, DELIVERABLE = (
    EmailStatus.UNKNOWN,
    EmailStatus.CATCH_ALL,
    EmailStatus.DELIVERABLE,
)

fixture = fixtures("snov")


def poll() -> httpx.Request:
    return ADAPTER.build_poll(Pending(TASK), "tok")


def test_token_request_splits_the_key() -> None:
    assert isinstance(ADAPTER, TokenAuthAdapter)
    request = ADAPTER.build_token_request("my-id:my:secret")
    assert request.method == "POST"
    assert str(request.url) == "https://api.snov.io/v1/oauth/access_token"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["my-id"],
        "client_secret": ["my:secret"],
    }


@pytest.mark.parametrize("key", ["no-colon", ":secret", "id:"])
def test_malformed_key_is_an_auth_error(key: str) -> None:
    error = raised(ADAPTER.build_token_request, key)
    assert error.kind is ErrorKind.AUTH


def test_token_reply() -> None:
    request = ADAPTER.build_token_request("a:b")
    assert ADAPTER.parse_token(reply(request, 200, fixture("token"))) == (
        "WaNfY5dIQ7fCrmtJBpkh6hrSQjuN3EKaHa0tu1FA",
        3600.0,
    )
    no_expiry = {"access_token": "t", "token_type": "Bearer"}
    assert ADAPTER.parse_token(reply(request, 200, no_expiry)) == ("t", 3600.0)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (400, "invalid_client", ErrorKind.AUTH),
        (401, "unauthorized", ErrorKind.AUTH),
        (200, None, ErrorKind.TRANSIENT),
        (503, None, ErrorKind.TRANSIENT),
    ],
)
def test_token_errors(status: int, body: str | None, kind: ErrorKind) -> None:
    request = ADAPTER.build_token_request("a:b")
    error = raised(ADAPTER.parse_token, reply(request, status, fixture(body) if body else {}))
    assert error.kind is kind


def test_start_request_and_reply() -> None:
    request = ADAPTER.build_request(QUERY, WORK, "tok")
    check_request(
        request,
        "POST",
        "https://api.snov.io/v2/emails-by-domain-by-name/start",
        headers={"Authorization": "Bearer tok"},
        body={"rows": [{"first_name": "Gavin", "last_name": "Vanrooyen", "domain": "octagon.com"}]},
    )
    assert ADAPTER.parse_response(reply(request, 200, fixture("start"))) == Pending(TASK, 3.0)


def test_start_needs_name_and_domain() -> None:
    error = raised(
        ADAPTER.build_request,
        ContactQuery(first_name="G", last_name="V", company_name="X"),
        WORK,
        "t",
    )
    assert error.kind is ErrorKind.BAD_REQUEST


def test_poll_request() -> None:
    request = poll()
    assert request.method == "GET"
    assert request.url.path == "/v2/emails-by-domain-by-name/result"
    assert request.url.params["task_hash"] == TASK
    assert request.headers["Authorization"] == "Bearer tok"
    assert SnovAdapter("http://127.0.0.1:1234").build_poll(Pending(TASK), "t").url.port == 1234


def test_in_progress_is_pending() -> None:
    assert ADAPTER.parse_poll(reply(poll(), 200, fixture("in_progress"))) == Pending(TASK, 3.0)


def test_completed_maps_statuses() -> None:
    result = ADAPTER.parse_poll(reply(poll(), 200, fixture("completed")))
    assert result == ProviderResult(
        findings=[
            EmailFinding("gavin.vanrooyen@octagon.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE),
            EmailFinding("gvanrooyen@octagon.com", Field.WORK_EMAIL, EmailStatus.CATCH_ALL),
        ]
    )


@pytest.mark.parametrize(
    ("entry", "field", "status"),
    [
        ({"smtp_status": "not_valid"}, WORK_EMAIL, EmailStatus.INVALID),
        ({"smtp_status": "unknown", "unknown_status_reason": "greylisted"}, WORK_EMAIL, UNKNOWN),
        ({"smtp_status": "unknown", "unknown_status_reason": "catch-all"}, WORK_EMAIL, CATCH_ALL),
        ({"smtp_status": "valid", "is_webmail": True}, Field.PERSONAL_EMAIL, DELIVERABLE),
        ({}, WORK_EMAIL, None),
    ],
)  # fmt: skip
def test_entry_mapping(entry: dict[str, object], field: Field, status: EmailStatus | None) -> None:
    body = {"status": "completed", "data": [{"result": [{"email": "a@x.com", **entry}]}]}
    expected = ProviderResult(findings=[EmailFinding("a@x.com", field, status)])
    assert ADAPTER.parse_poll(reply(poll(), 200, body)) == expected


def test_completed_without_result_is_a_miss() -> None:
    assert ADAPTER.parse_poll(reply(poll(), 200, fixture("completed_empty"))) == ProviderResult()


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, "not_enough_credits", ErrorKind.QUOTA),
        (401, "unauthorized", ErrorKind.AUTH),
        (429, None, ErrorKind.RATE_LIMITED),
        (500, None, ErrorKind.TRANSIENT),
    ],
)
def test_errors(status: int, body: str | None, kind: ErrorKind) -> None:
    for parse, request in (
        (ADAPTER.parse_response, ADAPTER.build_request(QUERY, WORK, "t")),
        (ADAPTER.parse_poll, poll()),
    ):
        error = raised(parse, reply(request, status, fixture(body) if body else {}))
        assert error.kind is kind


def test_garbage_is_transient() -> None:
    error = raised(ADAPTER.parse_poll, reply(poll(), 200, text="<html>502</html>"))
    assert error.kind is ErrorKind.TRANSIENT
    error = raised(ADAPTER.parse_poll, reply(poll(), 200, {"status": "mystery"}))
    assert error.kind is ErrorKind.TRANSIENT


def test_satisfies_the_protocol() -> None:
    adapter: AsyncHttpAdapter = ADAPTER  # mypy checks the structural match
    assert adapter.name == "snov"
