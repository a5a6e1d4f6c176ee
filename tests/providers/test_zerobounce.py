"""ZeroBounce verifier: request shape, status mapping, body-carried errors."""

from __future__ import annotations

from typing import Any

import pytest
from tests.providers.conftest import check_request, load_fixture, raised, reply

from openenrich.domain import EmailStatus, Verdict
from openenrich.providers.base import ErrorKind, HttpVerifierAdapter
from openenrich.providers.zerobounce import ZeroBounceAdapter

ADAPTER = ZeroBounceAdapter()


def verify(email: str, status: int = 200, body: object = None, **kw: Any) -> Verdict:
    request = ADAPTER.build_verify(email, "zb-key")
    return ADAPTER.parse_verify(reply(request, status, body, **kw))


def test_request() -> None:
    request = ADAPTER.build_verify("flowerjill@aol.com", "zb-key")
    check_request(
        request,
        "GET",
        "https://api.zerobounce.net/v2/validate",
        params={
            "api_key": "zb-key",
            "email": "flowerjill@aol.com",
            "ip_address": "",
        },
    )
    custom = ZeroBounceAdapter(base_url="https://api-us.zerobounce.net/")
    assert custom.build_verify("a@b.c", "k").url.host == "api-us.zerobounce.net"


@pytest.mark.parametrize(
    ("fixture", "status", "personal", "role"),
    [
        ("valid", EmailStatus.DELIVERABLE, True, False),
        ("invalid_no_dns", EmailStatus.INVALID_DOMAIN, False, False),
        ("do_not_mail_role", EmailStatus.INVALID, False, True),
    ],
)
def test_documented_replies(fixture: str, status: EmailStatus, personal: bool, role: bool) -> None:
    body = load_fixture("zerobounce", fixture)
    verdict = verify(body["address"], body=body)
    assert verdict.email == body["address"]
    assert verdict.status is status
    assert (verdict.personal, verdict.role) == (personal, role)
    assert verdict.evidence["status"] == body["status"]


@pytest.mark.parametrize(
    ("raw", "sub", "status", "disposable"),
    [
        ("catch-all", "", EmailStatus.CATCH_ALL, False),
        ("unknown", "greylisted", EmailStatus.UNKNOWN, False),
        ("spamtrap", "", EmailStatus.INVALID, False),
        ("abuse", "", EmailStatus.INVALID, False),
        ("do_not_mail", "disposable", EmailStatus.INVALID, True),
        ("invalid", "mailbox_not_found", EmailStatus.INVALID, False),
    ],
)
def test_status_mapping(raw: str, sub: str, status: EmailStatus, disposable: bool) -> None:
    verdict = verify("a@b.com", body={"address": "a@b.com", "status": raw, "sub_status": sub})
    assert verdict.status is status
    assert verdict.disposable is disposable


@pytest.mark.parametrize(
    ("status", "body", "text", "kind"),
    [
        (
            200,
            {"error": "Invalid API Key or your account ran out of credits"},
            None,
            ErrorKind.QUOTA,
        ),
        (200, {"error": "Invalid API Key"}, None, ErrorKind.AUTH),
        (200, {"address": "a@b.com", "status": "weird"}, None, ErrorKind.TRANSIENT),
        (200, None, "<html>oops</html>", ErrorKind.TRANSIENT),
        (429, {}, None, ErrorKind.RATE_LIMITED),
        (401, {}, None, ErrorKind.AUTH),
        (400, {}, None, ErrorKind.BAD_REQUEST),
        (502, None, "bad gateway", ErrorKind.TRANSIENT),
    ],
)
def test_errors(status: int, body: object, text: str | None, kind: ErrorKind) -> None:
    error = raised(verify, "a@b.com", status, body, text=text)
    assert error.kind is kind


def test_error_fixture_and_retry_after() -> None:
    error = raised(verify, "a@b.com", body=load_fixture("zerobounce", "error_key_or_credits"))
    assert error.kind is ErrorKind.QUOTA
    error = raised(verify, "a@b.com", 429, {}, headers={"Retry-After": "12"})
    assert error.retry_after == 12.0


def test_satisfies_the_protocol() -> None:
    adapter: HttpVerifierAdapter = ADAPTER  # mypy checks the structural match
    assert adapter.name == "zerobounce"
