"""Sign-in, sessions, CSRF, throttling and workspace isolation, over plain HTTP."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from tests.dashboard.conftest import OWNER, STRANGER, Site
from tests.dashboard.rig import PASSWORD, csrf_of, sign_in

from openenrich.dashboard.models import WebSession
from openenrich.db import utcnow

pytestmark = pytest.mark.anyio
PAGES = (
    "/app/enrichments",
    "/app/uploads",
    "/app/uploads/new",
    "/app/account",
    "/app/keys",
    "/app/webhooks",
    "/app/providers",
)


async def test_pages_need_a_session_and_the_cookie_is_guarded(site: Site) -> None:
    for page in PAGES:
        response = await site.client.get(page)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/app/login?next=")
    await sign_in(site.client, OWNER)
    for page in PAGES:
        response = await site.client.get(page)
        assert response.status_code == 200, page
        assert "Sandbox" in response.text  # the credits mode is on every page
    login = await site.browser().get("/app/login")
    assert 'name="email"' in login.text and 'name="password"' in login.text


async def test_session_cookie_flags(site: Site) -> None:
    page = await site.client.get("/app/login")
    response = await site.client.post(
        "/app/login",
        data={
            "email": OWNER,
            "password": "correct horse battery",
            "csrf_token": csrf_of(page.text),
        },
    )
    cookie = next(
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith("oe_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/app" in cookie
    assert "Secure" not in cookie  # plain HTTP here; HTTPS adds it
    transport = httpx.ASGITransport(app=site.api.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as tls:
        page = await tls.get("/app/login")
        response = await tls.post(
            "/app/login",
            data={"email": OWNER, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("oe_session=") and "; Secure" in cookie


async def test_wrong_password_then_throttled(site: Site) -> None:
    page = await site.client.get("/app/login")
    token = csrf_of(page.text)
    statuses = []
    for _ in range(6):
        response = await site.client.post(
            "/app/login", data={"email": OWNER, "password": "nope", "csrf_token": token}
        )
        statuses.append(response.status_code)
    assert (
        statuses[:5] == [401] * 5
        and "Wrong email or password"
        in (
            await site.client.post(
                "/app/login", data={"email": "x@example.com", "password": "n", "csrf_token": token}
            )
        ).text
    )
    assert statuses[5] == 429
    blocked = await site.client.post(
        "/app/login",
        data={"email": OWNER, "password": "correct horse battery", "csrf_token": token},
    )
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text


async def test_forged_requests_are_refused(site: Site) -> None:
    token = await sign_in(site.client, OWNER)
    no_token = await site.client.post("/app/keys", data={"name": "x", "mode": "sandbox"})
    wrong = await site.client.post(
        "/app/keys", data={"name": "x", "mode": "sandbox", "csrf_token": "forged"}
    )
    foreign = await site.client.post(
        "/app/keys",
        data={"name": "x", "mode": "sandbox", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert [r.status_code for r in (no_token, wrong, foreign)] == [403, 403, 403]
    keys = await site.client.get("/app/keys")
    assert "(unnamed)" in keys.text and ">x<" not in keys.text  # nothing was created
    # The sign-in form itself carries a token tied to a cookie.
    stranger = site.browser()
    forged_login = await stranger.post(
        "/app/login", data={"email": OWNER, "password": "correct horse battery", "csrf_token": "a"}
    )
    assert forged_login.status_code == 403


async def test_idle_absolute_expiry_and_sign_out(site: Site) -> None:
    db = site.api.services.db
    await sign_in(site.client, OWNER)
    async with db.transaction() as session:
        await session.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(hours=2)))
    stale = await site.client.get("/app/enrichments")
    assert stale.status_code == 303 and "/app/login" in stale.headers["location"]

    await sign_in(site.client, OWNER)
    async with db.transaction() as session:
        await session.execute(update(WebSession).values(expires_at=utcnow() - timedelta(1)))
    assert (await site.client.get("/app/account")).status_code == 303

    token = await sign_in(site.client, OWNER)
    cookie = site.client.cookies.get("oe_session")
    assert (await site.client.post("/app/logout", data={"csrf_token": token})).status_code == 303
    replay = site.browser()
    again = await replay.get("/app/enrichments", headers={"Cookie": f"oe_session={cookie}"})
    assert again.status_code == 303


async def test_a_member_sees_only_their_workspace(site: Site) -> None:
    enrichment_id = await site.api.enrich(
        {
            "name": "owner's list",
            "data": [
                {
                    "first_name": "Ann",
                    "last_name": "Lee",
                    "domain": "acme.com",
                    "enrich_fields": ["contact.work_emails"],
                }
            ],
        }
    )
    await site.api.wait(enrichment_id)
    await sign_in(site.client, OWNER)
    assert "owner&#39;s list" in (await site.client.get("/app/enrichments")).text
    keys_page = (await site.client.get("/app/keys")).text
    key_id = keys_page.split('action="/app/keys/')[1].split("/revoke")[0]

    other = site.browser()
    token = await sign_in(other, STRANGER)
    listing = await other.get("/app/enrichments")
    assert "owner" not in listing.text and "No sandbox enrichments yet" in listing.text
    assert (await other.get(f"/app/enrichments/{enrichment_id}")).status_code == 404
    assert site.api.sandbox_key[-4:] not in (await other.get("/app/keys")).text
    revoke = await other.post(f"/app/keys/{key_id}/revoke", data={"csrf_token": token})
    assert revoke.status_code == 404
    assert (await other.get("/app/providers")).status_code == 403  # not an operator
    still = await site.api.client.get("/api/v2/account/credits", headers=site.api.auth())
    assert still.status_code == 200


async def test_keys_created_once_and_revoked(site: Site) -> None:
    token = await sign_in(site.client, OWNER)
    created = await site.client.post(
        "/app/keys", data={"name": "CRM sync", "mode": "sandbox", "csrf_token": token}
    )
    key = created.text.split('id="new-key" class="key" readonly value="')[1].split('"')[0]
    assert key.startswith("oe_test_")
    assert key not in (await site.client.get("/app/keys")).text  # shown once
    headers = {"Authorization": f"Bearer {key}"}
    assert (await site.client.get("/api/v2/account/credits", headers=headers)).status_code == 200
    page = (await site.client.get("/app/keys")).text
    assert "CRM sync" in page
    used = page.split("CRM sync", 1)[1].split("</tr>")[0]
    assert 'data-label="Last used">never' not in used  # the call above was recorded
    key_id = page.split("CRM sync", 1)[1].split('action="/app/keys/')[1].split("/revoke")[0]
    revoked = await site.client.post(f"/app/keys/{key_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    refused = await site.client.get("/api/v2/account/credits", headers=headers)
    assert refused.status_code == 401 and refused.json()["code"] == "error.api.key"


async def test_mode_switch_changes_what_is_listed(site: Site) -> None:
    token = await sign_in(site.client, OWNER)
    live = await site.client.post(
        "/app/mode", data={"mode": "live", "back": "/app/account", "csrf_token": token}
    )
    assert live.headers["location"] == "/app/account"
    page = (await site.client.get("/app/account")).text
    assert "live credits are spent" in page and "Live ledger" in page
