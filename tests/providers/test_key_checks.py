"""Key checks: each adapter's free account/balance request, and how its reply is read."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.providers.conftest import check_request, raised, reply

from openenrich.providers.apollo import ApolloAdapter
from openenrich.providers.base import CheckableAdapter, ErrorKind
from openenrich.providers.contactout import ContactOutAdapter
from openenrich.providers.dropcontact import DropcontactAdapter
from openenrich.providers.findymail import FindymailAdapter, FindymailVerifier
from openenrich.providers.fullenrich import FullEnrichAdapter
from openenrich.providers.hunter import HunterAdapter, HunterVerifier
from openenrich.providers.icypeas import IcypeasAdapter
from openenrich.providers.leadmagic import LeadMagicAdapter
from openenrich.providers.lusha import LushaAdapter
from openenrich.providers.millionverifier import MillionVerifierAdapter
from openenrich.providers.neverbounce import NeverBounceAdapter
from openenrich.providers.pdl import PdlAdapter
from openenrich.providers.prospeo import ProspeoAdapter
from openenrich.providers.rocketreach import RocketReachAdapter
from openenrich.providers.zerobounce import ZeroBounceAdapter
from openenrich.waterfall.check import check_key

BASE = "http://vendor.test/root"
BEARER = {"Authorization": "Bearer k"}

# adapter, method, URL, headers, query parameters (None: the key is not in the URL)
REQUESTS: list[tuple[Any, str, str, dict[str, str], dict[str, str] | None]] = [
    (HunterAdapter(BASE), "GET", f"{BASE}/account", {"X-API-KEY": "k"}, None),
    (HunterVerifier(BASE), "GET", f"{BASE}/account", {"X-API-KEY": "k"}, None),
    (ApolloAdapter(BASE), "GET", f"{BASE}/auth/health", {"x-api-key": "k"}, None),
    (ProspeoAdapter(BASE), "GET", f"{BASE}/account-information", {"X-KEY": "k"}, None),
    (LeadMagicAdapter(BASE), "GET", f"{BASE}/v1/credits", {"X-API-Key": "k"}, None),
    (FindymailAdapter(BASE), "GET", f"{BASE}/credits", BEARER, None),
    (FindymailVerifier(BASE), "GET", f"{BASE}/credits", BEARER, None),
    (RocketReachAdapter(BASE), "GET", f"{BASE}/account/", {"Api-Key": "k"}, None),
    (
        ContactOutAdapter(BASE),
        "GET",
        f"{BASE}/v1/stats",
        {"token": "k", "authorization": "basic"},
        None,
    ),
    (LushaAdapter(BASE), "GET", f"{BASE}/account/usage", {"api_key": "k"}, None),
    (
        DropcontactAdapter(BASE),
        "GET",
        f"{BASE}/v1/account/credits",
        {"X-Access-Token": "k"},
        None,
    ),
    (ZeroBounceAdapter(BASE), "GET", f"{BASE}/v2/getcredits", {}, {"api_key": "k"}),
    (NeverBounceAdapter(BASE), "GET", f"{BASE}/v4/account/info", {}, {"key": "k"}),
    (MillionVerifierAdapter(BASE), "GET", f"{BASE}/api/v3/credits", {}, {"api": "k"}),
    (
        FullEnrichAdapter(BASE),
        "GET",
        f"{BASE}/account/credits",
        {"Authorization": "Bearer k"},
        None,
    ),
]


@pytest.mark.parametrize(
    ("adapter", "method", "url", "headers", "params"),
    REQUESTS,
    ids=[type(row[0]).__name__ for row in REQUESTS],
)
def test_check_request(
    adapter: Any, method: str, url: str, headers: dict[str, str], params: dict[str, str] | None
) -> None:
    assert isinstance(adapter, CheckableAdapter)
    request = adapter.build_check("k")
    check_request(request, method, url, headers=headers, params=params)
    assert request.content == b""  # a read: nothing sent that could be billed


@pytest.mark.parametrize("adapter", [PdlAdapter(), IcypeasAdapter()], ids=["pdl", "icypeas"])
def test_vendors_without_a_free_call_offer_no_check(adapter: Any) -> None:
    assert not isinstance(adapter, CheckableAdapter)


# adapter, status, body, expected kind (None: the key is good)
VERDICTS: list[tuple[Any, int, Any, ErrorKind | None]] = [
    # Hunter: 403 is its rate limit, 429 the monthly quota.
    (HunterAdapter(), 200, {"data": {"plan_name": "Free"}}, None),
    (HunterAdapter(), 401, {"errors": [{"id": "authentication_failed"}]}, ErrorKind.AUTH),
    (HunterVerifier(), 403, {"errors": [{"id": "too_many_requests"}]}, ErrorKind.RATE_LIMITED),
    (HunterAdapter(), 429, {"errors": [{"id": "too_many_requests"}]}, ErrorKind.QUOTA),
    (ApolloAdapter(), 200, {"is_logged_in": True}, None),
    (ApolloAdapter(), 200, {"is_logged_in": False}, ErrorKind.AUTH),
    (ApolloAdapter(), 401, {"error": "Invalid API key"}, ErrorKind.AUTH),
    (ProspeoAdapter(), 200, {"error": False, "response": {"remaining_credits": 99}}, None),
    (ProspeoAdapter(), 401, {"error": True, "error_code": "INVALID_API_KEY"}, ErrorKind.AUTH),
    (ProspeoAdapter(), 200, {"error": True, "error_code": "INVALID_API_KEY"}, ErrorKind.AUTH),
    (
        ProspeoAdapter(),
        200,
        {"error": False, "response": {"remaining_credits": 0}},
        ErrorKind.QUOTA,
    ),
    (LeadMagicAdapter(), 200, {"credits": 12.5}, None),
    (LeadMagicAdapter(), 200, {"credits": 0}, ErrorKind.QUOTA),
    (LeadMagicAdapter(), 401, {"title": "Unauthorized"}, ErrorKind.AUTH),
    (FindymailAdapter(), 200, {"credits": 10, "verifier_credits": 0}, None),
    (FindymailAdapter(), 200, {"credits": 0, "verifier_credits": 5}, ErrorKind.QUOTA),
    (FindymailVerifier(), 200, {"credits": 10, "verifier_credits": 0}, ErrorKind.QUOTA),
    (FindymailVerifier(), 200, {"credits": 0, "verifier_credits": 5}, None),
    (FindymailAdapter(), 200, {"error": "Not enough credits"}, ErrorKind.QUOTA),
    (FindymailAdapter(), 401, {"message": "Unauthenticated."}, ErrorKind.AUTH),
    (ContactOutAdapter(), 200, {"status_code": 200, "usage": {"count": 1, "quota": 9}}, None),
    (ContactOutAdapter(), 200, {"status_code": 401, "message": "Bad token"}, ErrorKind.AUTH),
    (ContactOutAdapter(), 401, {"status_code": 401}, ErrorKind.AUTH),
    (DropcontactAdapter(), 200, {"credits": 250}, None),
    (DropcontactAdapter(), 200, {"credits": 0}, ErrorKind.QUOTA),
    (DropcontactAdapter(), 401, {"detail": "Invalid token"}, ErrorKind.AUTH),
    # ZeroBounce: 200 always; Credits -1 is a bad key, sometimes sent as a string.
    (ZeroBounceAdapter(), 200, {"Credits": 2375323}, None),
    (ZeroBounceAdapter(), 200, {"Credits": "120"}, None),
    (ZeroBounceAdapter(), 200, {"Credits": -1}, ErrorKind.AUTH),
    (ZeroBounceAdapter(), 200, {"Credits": "-1"}, ErrorKind.AUTH),
    (ZeroBounceAdapter(), 200, {"Credits": 0}, ErrorKind.QUOTA),
    (ZeroBounceAdapter(), 200, {"error": "Invalid API key"}, ErrorKind.AUTH),
    (ZeroBounceAdapter(), 200, {}, ErrorKind.TRANSIENT),
    # NeverBounce: 200 always; `status` says what happened.
    (
        NeverBounceAdapter(),
        200,
        {
            "status": "success",
            "credits_info": {"paid_credits_remaining": 0, "free_credits_remaining": 40},
        },
        None,
    ),
    (NeverBounceAdapter(), 200, {"status": "success", "credits_info": {}}, None),
    (
        NeverBounceAdapter(),
        200,
        {
            "status": "success",
            "credits_info": {"paid_credits_remaining": 0, "free_credits_remaining": 0},
        },
        ErrorKind.QUOTA,
    ),
    (
        NeverBounceAdapter(),
        200,
        {"status": "auth_failure", "message": "Invalid API key"},
        ErrorKind.AUTH,
    ),
    (NeverBounceAdapter(), 200, {"status": "throttle_triggered"}, ErrorKind.RATE_LIMITED),
    # MillionVerifier: a bad key is an `error` in a 200 body.
    (MillionVerifierAdapter(), 200, {"credits": 5, "bulk_credits": 0}, None),
    (MillionVerifierAdapter(), 200, {"credits": 0, "bulk_credits": 900}, ErrorKind.QUOTA),
    (
        MillionVerifierAdapter(),
        200,
        {"result": "error", "error": "apikey_not_found"},
        ErrorKind.AUTH,
    ),
    (FullEnrichAdapter(), 200, {"balance": 5000}, None),
    (FullEnrichAdapter(), 200, {"balance": 0}, ErrorKind.QUOTA),
    (FullEnrichAdapter(), 401, {"code": "error.api.key"}, ErrorKind.AUTH),
]


@pytest.mark.parametrize(
    ("adapter", "status", "body", "kind"),
    VERDICTS,
    ids=[f"{type(row[0]).__name__}-{row[1]}-{i}" for i, row in enumerate(VERDICTS)],
)
def test_parse_check(adapter: Any, status: int, body: Any, kind: ErrorKind | None) -> None:
    response = reply(adapter.build_check("k"), status, body)
    if kind is None:
        adapter.parse_check(response)
    else:
        assert raised(adapter.parse_check, response).kind is kind


def test_check_details_never_carry_the_vendor_message() -> None:
    adapter = NeverBounceAdapter()
    body = {"status": "auth_failure", "message": "key abc123 for jane@example.com refused"}
    error = raised(adapter.parse_check, reply(adapter.build_check("k"), 200, body))
    assert "jane" not in str(error) and "abc123" not in str(error)


def _serve(status: int, body: Any, seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("adapter", "status", "body", "ok"),
    [
        (HunterAdapter(BASE), 200, {"data": {"plan_name": "Starter"}}, True),
        (HunterAdapter(BASE), 401, {"errors": [{"id": "authentication_failed"}]}, False),
        (RocketReachAdapter(BASE), 200, {"id": 1, "state": "registered"}, True),
        (RocketReachAdapter(BASE), 401, {"detail": "Invalid API key"}, False),
        (ZeroBounceAdapter(BASE), 200, {"Credits": -1}, False),
    ],
)
@pytest.mark.anyio
async def test_check_key_over_http(adapter: Any, status: int, body: Any, ok: bool) -> None:
    seen: list[httpx.Request] = []
    async with _serve(status, body, seen) as http:
        result = await check_key(adapter, "secret", http)
    assert result.ok is ok
    assert len(seen) == 1 and seen[0].url == adapter.build_check("secret").url
    if status == 401:
        assert "401" in result.detail


@pytest.mark.anyio
async def test_check_key_reports_no_free_call_without_sending_anything() -> None:
    seen: list[httpx.Request] = []
    async with _serve(200, {}, seen) as http:
        result = await check_key(PdlAdapter(), "secret", http)
    assert result.ok is None and seen == []
