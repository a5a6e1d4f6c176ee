"""MillionVerifier verifier: request shape, result mapping, body-carried errors."""

from __future__ import annotations

from typing import Any

import pytest
from tests.providers.conftest import check_request, load_fixture, raised, reply

from openenrich.domain import EmailStatus, Verdict
from openenrich.providers.base import ErrorKind, HttpVerifierAdapter
from openenrich.providers.millionverifier import MillionVerifierAdapter

ADAPTER = MillionVerifierAdapter()


def verify(body: object = None, status: int = 200, **kw: Any) -> Verdict:
    request = ADAPTER.build_verify("john.doe@example.com", "mv-key")
    return ADAPTER.parse_verify(reply(request, status, body, **kw))


def test_request() -> None:
    request = ADAPTER.build_verify("john.doe@example.com", "mv-key")
    check_request(
        request,
        "GET",
        "https://api.millionverifier.com/api/v3/",
        params={
            "api": "mv-key",
            "email": "john.doe@example.com",
            "timeout": "10",
        },
    )


@pytest.mark.parametrize(
    ("fixture", "status", "personal", "role", "disposable"),
    [
        ("ok", EmailStatus.DELIVERABLE, False, False, False),
        ("catch_all_role", EmailStatus.CATCH_ALL, False, True, False),
        ("disposable", EmailStatus.INVALID, True, False, True),
    ],
)
def test_documented_replies(
    fixture: str, status: EmailStatus, personal: bool, role: bool, disposable: bool
) -> None:
    body = load_fixture("millionverifier", fixture)
    verdict = verify(body)
    assert verdict.email == body["email"]
    assert verdict.status is status
    assert (verdict.personal, verdict.role, verdict.disposable) == (personal, role, disposable)
    assert verdict.evidence["resultcode"] == body["resultcode"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"result": "unknown", "error": ""}, EmailStatus.UNKNOWN),
        ({"result": "invalid", "subresult": "email_not_found"}, EmailStatus.INVALID),
        ({"result": "invalid", "subresult": "domain_not_found"}, EmailStatus.INVALID_DOMAIN),
        ({"resultcode": 6}, EmailStatus.INVALID),
        ({"resultcode": "1"}, EmailStatus.DELIVERABLE),
    ],
)
def test_result_mapping(body: dict[str, object], status: EmailStatus) -> None:
    assert verify(body).status is status


@pytest.mark.parametrize(
    ("status", "body", "text", "kind"),
    [
        (200, load_fixture("millionverifier", "insufficient_credits"), None, ErrorKind.QUOTA),
        (200, load_fixture("millionverifier", "bad_key"), None, ErrorKind.AUTH),
        (200, {"result": "strange"}, None, ErrorKind.TRANSIENT),
        (200, None, "<html/>", ErrorKind.TRANSIENT),
        (429, {}, None, ErrorKind.RATE_LIMITED),
        (401, {}, None, ErrorKind.AUTH),
        (500, None, "", ErrorKind.TRANSIENT),
    ],
)
def test_errors(status: int, body: object, text: str | None, kind: ErrorKind) -> None:
    error = raised(verify, body, status, text=text)
    assert error.kind is kind


def test_satisfies_the_protocol() -> None:
    adapter: HttpVerifierAdapter = ADAPTER  # mypy checks the structural match
    assert adapter.name == "millionverifier"
