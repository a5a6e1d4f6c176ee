"""NeverBounce verifier: request shape, result and flag mapping, body-carried errors."""

from __future__ import annotations

from typing import Any

import pytest
from tests.providers.conftest import check_request, load_fixture, raised, reply

from openenrich.domain import EmailStatus, Verdict
from openenrich.providers.base import ErrorKind, HttpVerifierAdapter
from openenrich.providers.neverbounce import NeverBounceAdapter

ADAPTER = NeverBounceAdapter()


def verify(body: object = None, status: int = 200, email: str = "a@b.com", **kw: Any) -> Verdict:
    request = ADAPTER.build_verify(email, "nb-key")
    return ADAPTER.parse_verify(reply(request, status, body, **kw))


def test_request() -> None:
    request = ADAPTER.build_verify("john@example.com", "nb-key")
    check_request(
        request,
        "GET",
        "https://api.neverbounce.com/v4/single/check",
        params={"key": "nb-key", "email": "john@example.com"},
    )
    assert NeverBounceAdapter("http://127.0.0.1:9/").build_verify("a@b.c", "k").url.port == 9


@pytest.mark.parametrize(
    ("fixture", "status", "personal", "role"),
    [
        ("valid", EmailStatus.DELIVERABLE, True, False),
        ("invalid_bad_dns", EmailStatus.INVALID_DOMAIN, False, False),
        ("catchall_role", EmailStatus.CATCH_ALL, False, True),
    ],
)
def test_documented_replies(fixture: str, status: EmailStatus, personal: bool, role: bool) -> None:
    verdict = verify(load_fixture("neverbounce", fixture), email="john@example.com")
    assert verdict.email == "john@example.com"
    assert verdict.status is status
    assert (verdict.personal, verdict.role) == (personal, role)


@pytest.mark.parametrize(
    ("result", "flags", "status", "disposable"),
    [
        ("invalid", ["has_dns", "has_dns_mx"], EmailStatus.INVALID, False),
        ("invalid", [], EmailStatus.INVALID, False),
        ("disposable", ["has_dns", "disposable_email"], EmailStatus.INVALID, True),
        ("unknown", ["has_dns"], EmailStatus.UNKNOWN, False),
        (0, ["has_dns"], EmailStatus.DELIVERABLE, False),
        (3, ["has_dns"], EmailStatus.CATCH_ALL, False),
    ],
)
def test_result_mapping(
    result: object, flags: list[str], status: EmailStatus, disposable: bool
) -> None:
    verdict = verify({"status": "success", "result": result, "flags": flags})
    assert verdict.status is status
    assert verdict.disposable is disposable


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("auth_failure", ErrorKind.AUTH),
        ("throttle", ErrorKind.RATE_LIMITED),
        ("temp_unavail", ErrorKind.TRANSIENT),
        ("no_credits", ErrorKind.QUOTA),
    ],
)
def test_body_errors(fixture: str, kind: ErrorKind) -> None:
    error = raised(verify, load_fixture("neverbounce", fixture))
    assert error.kind is kind


@pytest.mark.parametrize(
    ("status", "body", "text", "kind"),
    [
        (200, {"status": "success", "result": "maybe"}, None, ErrorKind.TRANSIENT),
        (200, None, "not json", ErrorKind.TRANSIENT),
        (429, {}, None, ErrorKind.RATE_LIMITED),
        (402, {}, None, ErrorKind.QUOTA),
        (403, {}, None, ErrorKind.AUTH),
        (503, None, "", ErrorKind.TRANSIENT),
    ],
)
def test_http_errors(status: int, body: object, text: str | None, kind: ErrorKind) -> None:
    error = raised(verify, body, status, text=text)
    assert error.kind is kind


def test_satisfies_the_protocol() -> None:
    adapter: HttpVerifierAdapter = ADAPTER  # mypy checks the structural match
    assert adapter.name == "neverbounce"
