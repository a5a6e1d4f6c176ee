"""Findymail finder and verifier: requests, mapping, the 200-with-error quota quirk."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.providers.conftest import (
    ERROR_CASES,
    check_error,
    check_request,
    fixtures,
    raised,
    reply,
)

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind, ProviderResult
from openenrich.providers.findymail import FindymailAdapter, FindymailVerifier

QUERY = ContactQuery(first_name="John", last_name="Doe", domain="example.com")
FIELDS = frozenset({Field.WORK_EMAIL})

fixture = fixtures("findymail")


def find(status: int, body: Any = None, **kw: Any) -> ProviderResult:
    adapter = FindymailAdapter()
    request = adapter.build_request(QUERY, FIELDS, "k")
    return adapter.parse_response(reply(request, status, body, **kw))


def verify(status: int, body: Any = None, **kw: Any) -> Any:
    verifier = FindymailVerifier()
    request = verifier.build_verify("john.doe@example.com", "k")
    return verifier.parse_verify(reply(request, status, body, **kw))


def test_names() -> None:
    assert (FindymailAdapter.name, FindymailVerifier.name) == ("findymail", "findymail_verifier")


def test_finder_request_by_name() -> None:
    request = FindymailAdapter().build_request(QUERY, FIELDS, "fm-key")
    check_request(
        request,
        "POST",
        "https://app.findymail.com/api/search/name",
        headers={"Authorization": "Bearer fm-key"},
        body={"name": "John Doe", "domain": "example.com"},
    )


def test_finder_request_by_linkedin() -> None:
    query = ContactQuery(linkedin_url="www.linkedin.com/in/john-doe/")
    request = FindymailAdapter(base_url="http://127.0.0.1:7/api").build_request(query, FIELDS, "k")
    assert str(request.url) == "http://127.0.0.1:7/api/search/linkedin"
    assert json.loads(request.content) == {"linkedin_url": "https://www.linkedin.com/in/john-doe"}


def test_finder_request_needs_input() -> None:
    error = raised(FindymailAdapter().build_request, ContactQuery(first_name="J"), FIELDS, "k")
    assert error.kind is ErrorKind.BAD_REQUEST


def test_found_has_no_status_so_the_engine_verifies() -> None:
    assert find(200, fixture("found")) == ProviderResult(
        [EmailFinding("john.doe@example.com", Field.WORK_EMAIL, None)]
    )


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, {"contact": None}), (200, {"contact": {"email": None}}), (404, {"error": "Not found"})],
)
def test_not_found_is_clean_miss(status: int, body: Any) -> None:
    assert find(status, body) == ProviderResult()


@pytest.mark.parametrize(
    ERROR_CASES,
    [
        (200, fixture("not_enough_credits"), None, ErrorKind.QUOTA, None),  # the quirk
        (402, {"error": "Not enough credits"}, None, ErrorKind.QUOTA, None),
        (200, {"error": "Something else happened"}, None, ErrorKind.TRANSIENT, None),
        (401, {"message": "Unauthenticated."}, None, ErrorKind.AUTH, None),
        (422, {"message": "The domain field is required."}, None, ErrorKind.BAD_REQUEST, None),
        (429, None, {"Retry-After": "60"}, ErrorKind.RATE_LIMITED, 60.0),
        (500, None, None, ErrorKind.TRANSIENT, None),
    ],
)
@pytest.mark.parametrize("side", [find, verify])
def test_errors(
    side: Any,
    status: int,
    body: Any,
    headers: dict[str, str] | None,
    kind: ErrorKind,
    retry: float | None,
) -> None:
    check_error(side, status, body, headers, kind, retry)


def test_verifier_request() -> None:
    request = FindymailVerifier().build_verify("john.doe@example.com", "fm-key")
    check_request(
        request,
        "POST",
        "https://app.findymail.com/api/verify",
        headers={"Authorization": "Bearer fm-key"},
        body={"email": "john.doe@example.com"},
    )


@pytest.mark.parametrize(
    ("verified", "status"), [(True, EmailStatus.DELIVERABLE), (False, EmailStatus.INVALID)]
)
def test_verifier_mapping(verified: bool, status: EmailStatus) -> None:
    verdict = verify(200, {**fixture("verify"), "verified": verified})
    assert (verdict.email, verdict.status) == ("john.doe@example.com", status)
    assert verdict.evidence == {"verified": verified, "provider": "Google"}


@pytest.mark.parametrize("body", [{"email": "john.doe@example.com"}, {}])
def test_verifier_incomplete_body_is_transient(body: Any) -> None:
    error = raised(verify, 200, body)
    assert error.kind is ErrorKind.TRANSIENT


def test_garbage_body_is_transient() -> None:
    for side in (find, verify):
        error = raised(side, 200, text="<html>")
        assert error.kind is ErrorKind.TRANSIENT
