"""Hunter Email Finder and Email Verifier: requests, mapping, error classes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.providers.conftest import fixtures, raised, reply

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field
from openenrich.providers.base import ErrorKind, ProviderResult
from openenrich.providers.hunter import HunterAdapter, HunterVerifier

QUERY = ContactQuery(first_name="Alexis", last_name="Example", domain="example.com")
FIELDS = frozenset({Field.WORK_EMAIL})

fixture = fixtures("hunter")


def finder_request() -> httpx.Request:
    return HunterAdapter().build_request(QUERY, FIELDS, "k-123")


def test_names() -> None:
    assert HunterAdapter.name == "hunter"
    assert HunterVerifier.name == "hunter_verifier"


def test_finder_request() -> None:
    request = HunterAdapter(base_url="http://127.0.0.1:9/v2/").build_request(QUERY, FIELDS, "k-1")
    assert request.method == "GET"
    assert request.url.path == "/v2/email-finder"
    assert dict(request.url.params) == {
        "domain": "example.com",
        "first_name": "Alexis",
        "last_name": "Example",
        "max_duration": "10",
    }
    assert request.headers["X-API-KEY"] == "k-1"
    assert "k-1" not in str(request.url)  # the key never travels in the URL


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            ContactQuery(first_name="A", last_name="B", company_name="Acme"),
            {"company": "Acme", "first_name": "A", "last_name": "B"},
        ),
        (
            ContactQuery(linkedin_url="https://www.linkedin.com/in/a-b/", domain="acme.com"),
            {"domain": "acme.com", "linkedin_handle": "a-b"},
        ),
        (
            ContactQuery(first_name="Cher", domain="acme.com"),
            {"domain": "acme.com", "full_name": "Cher"},
        ),
    ],
)
def test_finder_request_variants(query: ContactQuery, expected: dict[str, str]) -> None:
    params = dict(HunterAdapter().build_request(query, FIELDS, "k").url.params)
    params.pop("max_duration")
    assert params == expected


@pytest.mark.parametrize(
    "query",
    [ContactQuery(first_name="A", last_name="B"), ContactQuery(domain="acme.com"), ContactQuery()],
)
def test_finder_rejects_thin_input(query: ContactQuery) -> None:
    error = raised(HunterAdapter().build_request, query, FIELDS, "k")
    assert error.kind is ErrorKind.BAD_REQUEST


def test_finder_found() -> None:
    result = HunterAdapter().parse_response(reply(finder_request(), 200, fixture("finder_found")))
    assert result == ProviderResult(
        [EmailFinding("alexis@example.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE)]
    )


@pytest.mark.parametrize(
    ("status", "score", "expected"),
    [
        ("valid", 97, EmailStatus.DELIVERABLE),
        ("accept_all", 95, EmailStatus.HIGH_PROBABILITY),
        ("accept_all", 60, EmailStatus.CATCH_ALL),
        ("invalid", 10, EmailStatus.INVALID),
        ("disposable", 50, EmailStatus.INVALID),
        ("webmail", 80, EmailStatus.UNKNOWN),
        ("unknown", 40, EmailStatus.UNKNOWN),
        (None, 40, None),  # no verification: left to the engine's verifiers
    ],
)
def test_finder_status_mapping(
    status: str | None, score: int, expected: EmailStatus | None
) -> None:
    body = fixture("finder_found")
    body["data"]["verification"]["status"] = status
    body["data"]["score"] = score
    result = HunterAdapter().parse_response(reply(finder_request(), 200, body))
    assert isinstance(result, ProviderResult)
    assert [f.status for f in result.findings if isinstance(f, EmailFinding)] == [expected]


@pytest.mark.parametrize(
    "response",
    [
        lambda r: reply(r, 200, fixture("finder_not_found")),
        lambda r: reply(r, 404, fixture("error")),
    ],
)
def test_finder_not_found_is_clean_miss(response: Any) -> None:
    assert HunterAdapter().parse_response(response(finder_request())) == ProviderResult()


ERRORS: list[tuple[int, dict[str, str], ErrorKind, float | None]] = [
    (400, {}, ErrorKind.BAD_REQUEST, None),
    (401, {}, ErrorKind.AUTH, None),
    (403, {}, ErrorKind.RATE_LIMITED, None),  # Hunter's rate limit
    (429, {}, ErrorKind.QUOTA, None),  # Hunter's monthly usage limit
    (451, {}, ErrorKind.BAD_REQUEST, None),
    (500, {}, ErrorKind.TRANSIENT, None),
    (503, {}, ErrorKind.TRANSIENT, None),
]


@pytest.mark.parametrize(("status", "headers", "kind", "retry"), ERRORS)
@pytest.mark.parametrize("side", ["finder", "verifier"])
def test_error_classes(
    side: str, status: int, headers: dict[str, str], kind: ErrorKind, retry: float | None
) -> None:
    if side == "finder":
        error = raised(
            HunterAdapter().parse_response, reply(finder_request(), status, fixture("error"))
        )
    else:
        verifier = HunterVerifier()
        request = verifier.build_verify("a@example.com", "k")
        error = raised(verifier.parse_verify, reply(request, status, fixture("error")))
    assert error.kind is kind
    assert error.retry_after == retry
    assert "wrong_params" in error.detail
    assert "missing the domain" not in error.detail  # vendor free text stays out


def test_finder_garbage_body_is_transient() -> None:
    error = raised(HunterAdapter().parse_response, reply(finder_request(), 200, text="<html>oops"))
    assert error.kind is ErrorKind.TRANSIENT


def test_verifier_request() -> None:
    request = HunterVerifier().build_verify("patrick@example.com", "k-9")
    assert request.method == "GET"
    assert str(request.url) == "https://api.hunter.io/v2/email-verifier?email=patrick%40example.com"
    assert request.headers["X-API-KEY"] == "k-9"


def test_verifier_valid() -> None:
    verifier = HunterVerifier()
    request = verifier.build_verify("patrick@example.com", "k")
    verdict = verifier.parse_verify(reply(request, 200, fixture("verifier_valid")))
    assert verdict.email == "patrick@example.com"
    assert verdict.status is EmailStatus.DELIVERABLE
    assert verdict.evidence["smtp_check"] is True and verdict.evidence["score"] == 100
    assert not verdict.personal and not verdict.disposable


@pytest.mark.parametrize(
    ("changes", "status", "personal", "disposable"),
    [
        (
            {"status": "accept_all", "score": 70, "accept_all": True},
            EmailStatus.CATCH_ALL,
            False,
            False,
        ),
        ({"status": "invalid", "score": 0}, EmailStatus.INVALID, False, False),
        ({"status": "invalid", "mx_records": False}, EmailStatus.INVALID_DOMAIN, False, False),
        ({"status": "disposable", "disposable": True}, EmailStatus.INVALID, False, True),
        ({"status": "webmail", "webmail": True}, EmailStatus.UNKNOWN, True, False),
        ({"status": "unknown"}, EmailStatus.UNKNOWN, False, False),
    ],
)
def test_verifier_mapping(
    changes: dict[str, Any], status: EmailStatus, personal: bool, disposable: bool
) -> None:
    body = fixture("verifier_valid")
    body["data"].update(changes)
    verifier = HunterVerifier()
    request = verifier.build_verify("patrick@example.com", "k")
    verdict = verifier.parse_verify(reply(request, 200, body))
    assert (verdict.status, verdict.personal, verdict.disposable) == (status, personal, disposable)


@pytest.mark.parametrize("status", [202, 222])
def test_verifier_in_progress_and_smtp_failure_are_transient(status: int) -> None:
    verifier = HunterVerifier()
    request = verifier.build_verify("patrick@example.com", "k")
    error = raised(verifier.parse_verify, reply(request, status, fixture("verifier_valid")))
    assert error.kind is ErrorKind.TRANSIENT and error.retryable
