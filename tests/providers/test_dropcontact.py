"""Dropcontact: submit then poll, qualification mapping, profile, errors."""

from __future__ import annotations

import json

import httpx
import pytest
from tests.providers.conftest import check_request, fixtures, raised, reply

from openenrich.domain import ContactQuery, EmailFinding, EmailStatus, Field, ProfileFinding
from openenrich.providers.base import AsyncHttpAdapter, ErrorKind, Pending, ProviderResult
from openenrich.providers.dropcontact import DropcontactAdapter

ID = "qzmxkpvlrtdnhwa"
QUERY = ContactQuery(first_name="Denis", last_name="Dupont", domain="companytest.fr")
ALL = frozenset(Field)
ADAPTER = DropcontactAdapter()

fixture = fixtures("dropcontact")


def poll() -> httpx.Request:
    return ADAPTER.build_poll(Pending(ID), "dc-key")


def test_submit_request_never_sends_an_email() -> None:
    query = ContactQuery(
        first_name="Denis", last_name="Dupont", company_name="companyTest", email="d@x.fr"
    )
    request = ADAPTER.build_request(query, ALL, "dc-key")
    check_request(
        request,
        "POST",
        "https://api.dropcontact.com/v1/enrich/all",
        headers={"X-Access-Token": "dc-key"},
        body={
            "data": [{"first_name": "Denis", "last_name": "Dupont", "company": "companyTest"}],
            "siren": False,
            "language": "en",
        },
    )


def test_linkedin_alone_is_enough_but_a_name_alone_is_not() -> None:
    request = ADAPTER.build_request(
        ContactQuery(linkedin_url="https://linkedin.com/in/x"), ALL, "k"
    )
    assert json.loads(request.content)["data"] == [{"linkedin": "https://linkedin.com/in/x"}]
    error = raised(ADAPTER.build_request, ContactQuery(first_name="D", last_name="D"), ALL, "k")
    assert error.kind is ErrorKind.BAD_REQUEST


def test_submit_reply_is_pending_and_poll_request() -> None:
    request = ADAPTER.build_request(QUERY, ALL, "k")
    assert ADAPTER.parse_response(reply(request, 200, fixture("submitted"))) == Pending(ID, 15.0)
    assert str(poll().url) == f"https://api.dropcontact.com/v1/enrich/all/{ID}"
    assert poll().method == "GET"
    assert poll().headers["X-Access-Token"] == "dc-key"


def test_not_ready_is_pending() -> None:
    assert ADAPTER.parse_poll(reply(poll(), 200, fixture("not_ready"))) == Pending(ID, 15.0)


def test_ready_maps_qualified_emails_and_profile() -> None:
    result = ADAPTER.parse_poll(reply(poll(), 200, fixture("ready")))
    assert isinstance(result, ProviderResult)
    emails = [f for f in result.findings if isinstance(f, EmailFinding)]
    # generic@pro (contact@) is the company's, not the person's
    assert emails == [
        EmailFinding("denis@companytest.com", Field.WORK_EMAIL, EmailStatus.DELIVERABLE)
    ]
    (profile,) = [f for f in result.findings if isinstance(f, ProfileFinding)]
    current = profile.person["employment"]["current"]
    assert current["title"] == "Customer Success Manager"
    assert current["company"]["domain"] == "companytest.fr"
    assert current["company"]["social_profiles"]["professional_network"]["handle"] == "companytest"
    assert profile.person["social_profiles"]["professional_network"]["handle"] == "denis.dupont"


@pytest.mark.parametrize(
    ("qualification", "field", "status"),
    [
        ("nominative@pro", Field.WORK_EMAIL, EmailStatus.DELIVERABLE),
        ("catch_all@pro", Field.WORK_EMAIL, EmailStatus.CATCH_ALL),
        ("non_confirm@pro", Field.WORK_EMAIL, EmailStatus.CATCH_ALL),
        ("nominative@perso", Field.PERSONAL_EMAIL, EmailStatus.DELIVERABLE),
        ("invalid@pro", Field.WORK_EMAIL, EmailStatus.INVALID),
        ("invalid", Field.WORK_EMAIL, EmailStatus.INVALID),
        ("nominative@invalid", Field.WORK_EMAIL, EmailStatus.INVALID_DOMAIN),
        ("random@pro", Field.WORK_EMAIL, EmailStatus.UNKNOWN),
        ("", Field.WORK_EMAIL, None),
    ],
)
def test_qualification_mapping(
    qualification: str, field: Field, status: EmailStatus | None
) -> None:
    body = {
        "success": True,
        "data": [{"email": [{"email": "d@x.fr", "qualification": qualification}]}],
    }
    assert ADAPTER.parse_poll(reply(poll(), 200, body)) == ProviderResult(
        findings=[EmailFinding("d@x.fr", field, status)]
    )


def test_ready_without_email_is_a_miss() -> None:
    assert ADAPTER.parse_poll(reply(poll(), 200, fixture("ready_empty"))) == ProviderResult()


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (403, "no_credits", ErrorKind.QUOTA),
        (200, "no_credits", ErrorKind.QUOTA),
        (400, "too_many_records", ErrorKind.BAD_REQUEST),
        (200, "too_many_records", ErrorKind.BAD_REQUEST),
        (401, None, ErrorKind.AUTH),
        (429, None, ErrorKind.RATE_LIMITED),
        (500, None, ErrorKind.TRANSIENT),
    ],
)
def test_submit_errors(status: int, body: str | None, kind: ErrorKind) -> None:
    request = ADAPTER.build_request(QUERY, ALL, "k")
    error = raised(
        ADAPTER.parse_response, reply(request, status, fixture(body) if body else {"detail": "x"})
    )
    assert error.kind is kind


@pytest.mark.parametrize(
    ("status", "body", "text", "kind"),
    [
        (403, {"error": True, "reason": "credits"}, None, ErrorKind.QUOTA),
        (401, {"error": True, "reason": "Invalid token"}, None, ErrorKind.AUTH),
        (200, {"error": True, "success": False, "reason": "Invalid token"}, None, ErrorKind.AUTH),
        (500, {"detail": "Internal Server Error"}, None, ErrorKind.TRANSIENT),
        (200, None, "<html>oops</html>", ErrorKind.TRANSIENT),
    ],
)
def test_poll_errors(status: int, body: object, text: str | None, kind: ErrorKind) -> None:
    error = raised(ADAPTER.parse_poll, reply(poll(), status, body, text=text))
    assert error.kind is kind


def test_satisfies_the_protocol() -> None:
    adapter: AsyncHttpAdapter = ADAPTER  # mypy checks the structural match
    assert adapter.name == "dropcontact"
