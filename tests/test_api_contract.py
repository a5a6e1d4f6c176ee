"""Every v2 endpoint's bodies against the spec's schemas, and every documented error."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.harness import Api, make_settings, running_api
from tests.spec import assert_schema, documented_errors

pytestmark = pytest.mark.anyio
ALL_FIELDS = ["contact.work_emails", "contact.personal_emails", "contact.phones"]


def contact(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "first_name": "John",
        "last_name": "Snow",
        "domain": "example.com",
        "company_name": "Example Inc",
        "enrich_fields": ALL_FIELDS,
        "custom": {"user_id": "12584"},
    }
    base.update(overrides)
    return base


async def test_key_verify_and_credits_match_schemas(api: Api) -> None:
    verify = await api.client.get("/api/v2/account/keys/verify", headers=api.auth())
    assert verify.status_code == 200
    assert_schema(verify.json(), "verifyKey")
    assert verify.json()["workspace_id"] == api.workspace_id
    credits = await api.client.get("/api/v2/account/credits", headers=api.auth(api.key))
    assert credits.status_code == 200
    assert_schema(credits.json(), "Credits")
    assert credits.json() == {"balance": 1000.0}


async def test_full_flow_validates_and_echoes_input(api: Api) -> None:
    people = [contact(first_name=f"Person{i}", custom={"row": str(i)}) for i in range(30)]
    people.append(
        {"linkedin_url": "https://www.linkedin.com/in/demoge/", "enrich_fields": ALL_FIELDS}
    )
    post = await api.client.post(
        "/api/v2/contact/enrich/bulk", json={"name": "Flow", "data": people}, headers=api.auth()
    )
    assert post.status_code == 200
    assert_schema(post.json(), "ResponsePostContactBulkEnrich")
    done = await api.wait(post.json()["enrichment_id"])
    body = done.json()
    assert_schema(body, "ResponseGetContactBulkEnrich")
    assert body["status"] == "FINISHED" and len(body["data"]) == 31
    first = body["data"][0]
    assert first["input"] == {
        "first_name": "Person0",
        "last_name": "Snow",
        "full_name": "Person0 Snow",
        "company_domain": "example.com",
        "company_name": "Example Inc",
    }
    assert [r["custom"] for r in body["data"][:30]] == [{"row": str(i)} for i in range(30)]
    linkedin = body["data"][30]
    assert linkedin["input"] == {"professional_network_url": "https://www.linkedin.com/in/demoge/"}
    assert linkedin["profile"]["social_profiles"]["professional_network"]["handle"] == "demoge"
    # The sandbox mixes outcomes: across 30 people something is found and something is not.
    statuses = {e["status"] for r in body["data"] for e in r["contact_info"]["work_emails"]}
    assert {"DELIVERABLE", "HIGH_PROBABILITY"} <= statuses
    assert any(not r["contact_info"]["work_emails"] for r in body["data"])
    for record in body["data"]:
        info = record["contact_info"]
        best = info.get("most_probable_work_email")
        if best:
            assert best["status"] not in ("INVALID", "INVALID_DOMAIN")
            assert best == info["work_emails"][0]
        for phone in info["phones"]:
            assert phone["number"].startswith("+") and len(phone["region"]) == 2


async def test_every_documented_post_error(api: Api) -> None:
    documented = documented_errors("/contact/enrich/bulk", "post", "400")
    cases: dict[str, dict[str, Any]] = {
        "error.enrichment.name.empty": {"name": " ", "data": [contact()]},
        "error.enrichment.webhook_url": {
            "name": "x",
            "webhook_url": "ftp://example.com",
            "data": [contact()],
        },
        "error.enrichment.data.empty": {"name": "x", "data": []},
        "error.enrichment.first_name.empty": {"name": "x", "data": [contact(first_name="")]},
        "error.enrichment.last_name.empty": {"name": "x", "data": [contact(last_name="")]},
        "error.enrichment.domain.empty": {
            "name": "x",
            "data": [contact(domain="", company_name="")],
        },
        "error.enrichment.enrich_fields.empty": {"name": "x", "data": [contact(enrich_fields=[])]},
        "error.enrichment.enrich_field.value": {
            "name": "x",
            "data": [contact(enrich_fields=["xxxx"])],
        },
        "error.enrichment.custom.key.exceeded": {
            "name": "x",
            "data": [contact(custom={f"k{i}": "v" for i in range(11)})],
        },
        "error.enrichment.custom.value.exceeded": {
            "name": "x",
            "data": [contact(custom={"k": "v" * 101})],
        },
    }
    for code, body in cases.items():
        response = await api.client.post(
            "/api/v2/contact/enrich/bulk", json=body, headers=api.auth()
        )
        assert response.status_code == 400, (code, response.text)
        assert_schema(response.json(), "Error")
        assert response.json()["code"] == code
        assert response.json()["message"] == documented[code]
    # The one documented code that this server cannot produce: it has no per-request providers.
    assert set(documented) - set(cases) == {"error.enrichment.provider.empty"}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "data": [contact() for _ in range(101)]}, "error.enrichment.data.exceeded"),
        ({"name": "x", "data": [contact(custom={"k": 1})]}, "error.enrichment.custom.value.type"),
        (
            {"name": "x", "data": [contact(linkedin_url="https://example.com/x")]},
            "error.enrichment.linkedin_url.invalid",
        ),
        (
            {"name": "x", "data": [contact(domain="not a domain")]},
            "error.enrichment.domain.invalid",
        ),
        ({"name": 5, "data": [contact()]}, "error.request.invalid"),
        ({"name": "x", "data": {"a": 1}}, "error.request.invalid"),
        ({"name": "x", "data": [contact(enrich_fields="contact.phones")]}, "error.request.invalid"),
        ([1, 2], "error.request.invalid"),
    ],
)
async def test_other_bad_input_is_a_clear_400(api: Api, body: Any, code: str) -> None:
    response = await api.client.post("/api/v2/contact/enrich/bulk", json=body, headers=api.auth())
    assert response.status_code == 400
    assert response.json()["code"] == code


async def test_minimum_input_rule(api: Api) -> None:
    ok = [
        contact(domain="", company_name="Example Inc"),
        contact(company_name=""),
        {"linkedin_url": "linkedin.com/in/jane-doe", "enrich_fields": ["contact.phones"]},
        {
            "linkedin_url": "https://www.linkedin.com/in/ACwAACLLwaIBKi655883b",
            "enrich_fields": ["contact.phones"],
        },
    ]
    for item in ok:
        await api.enrich({"name": "ok", "data": [item]})


async def test_silent_fail_skips_invalid_contacts(api: Api) -> None:
    data = [
        contact(),
        contact(first_name=""),
        contact(enrich_fields=["bad"]),
        contact(last_name="Stark"),
    ]
    strict = await api.client.post(
        "/api/v2/contact/enrich/bulk", json={"name": "s", "data": data}, headers=api.auth()
    )
    assert strict.status_code == 400
    enrichment_id = await api.enrich({"name": "s", "data": data}, silentFail="true")
    body = (await api.wait(enrichment_id)).json()
    assert [r["input"]["last_name"] for r in body["data"]] == ["Snow", "Stark"]


async def test_unknown_fields_are_ignored(api: Api) -> None:
    enrichment_id = await api.enrich(
        {"name": "x", "surprise": [1], "data": [contact(nickname="Jon")]}
    )
    assert (await api.wait(enrichment_id)).json()["status"] == "FINISHED"


async def test_authorization_errors(api: Api) -> None:
    documented = documented_errors("/account/credits", "get", "401")
    cases = {
        "error.authorization.not_set": {},
        "error.authorization.not_bearer": {"Authorization": f"Token {api.key}"},
        "error.api.key": {"Authorization": "Bearer oe_live_nope"},
    }
    for path in (
        "/api/v2/account/credits",
        "/api/v2/account/keys/verify",
        f"/api/v2/contact/enrich/bulk/{uuid.uuid4()}",
    ):
        for code, headers in cases.items():
            response = await api.client.get(path, headers=headers)
            assert response.status_code == 401
            assert response.json() == {"code": code, "message": documented[code]}
    lower = await api.client.get(
        "/api/v2/account/credits", headers={"Authorization": f"bearer {api.key}"}
    )
    assert lower.status_code == 200


async def test_not_found_including_other_workspaces(api: Api) -> None:
    documented = documented_errors("/contact/enrich/bulk/{enrichment_id}", "get", "404")
    enrichment_id = await api.enrich({"name": "mine", "data": [contact()]})
    await api.wait(enrichment_id)
    async with api.services.db.transaction() as session:
        from openenrich.accounts.repository import create_workspace

        other = await create_workspace(session, "other", api.services.secret, sandbox_credits=10)
    for probe, key in (
        (str(uuid.uuid4()), api.sandbox_key),
        ("not-a-uuid", api.sandbox_key),
        (enrichment_id, other.sandbox_api_key),
        (enrichment_id, other.api_key),
        (enrichment_id, api.key),  # a live key does not see the workspace's sandbox jobs
    ):
        response = await api.client.get(
            f"/api/v2/contact/enrich/bulk/{probe}", headers=api.auth(key)
        )
        assert response.status_code == 404
        assert response.json() == {
            "code": "error.enrichment.not_found",
            "message": documented["error.enrichment.not_found"],
        }


async def test_malformed_oversized_and_unknown_routes(api: Api) -> None:
    bad = await api.client.post(
        "/api/v2/contact/enrich/bulk", content=b"{not json", headers=api.auth()
    )
    assert bad.status_code == 400 and bad.json()["code"] == "error.request.invalid"
    huge = b'{"name":"x","data":[' + b" " * (1024 * 1024) + b"]}"
    too_big = await api.client.post("/api/v2/contact/enrich/bulk", content=huge, headers=api.auth())
    assert too_big.status_code == 413
    assert_schema(too_big.json(), "Error")
    assert too_big.json()["message"] == "Request body exceeds 1 MiB"
    missing = await api.client.get("/api/v2/nothing/here", headers=api.auth())
    assert missing.status_code == 404
    assert_schema(missing.json(), "Error")
    wrong_bool = await api.client.get(
        f"/api/v2/contact/enrich/bulk/{uuid.uuid4()}",
        params={"forceResults": "maybe"},
        headers=api.auth(),
    )
    assert wrong_bool.status_code == 400 and wrong_bool.json()["code"] == "error.request.invalid"


@pytest.mark.parametrize(("limit", "named"), [(2048, "2 KiB"), (1500, "1500 bytes")])
async def test_the_413_message_names_the_configured_limit(
    database_url: str, tmp_path: Path, limit: int, named: str
) -> None:
    settings = make_settings(database_url, tmp_path, max_body_bytes=limit)
    async with running_api(settings) as api:
        over = b'{"name":"x","data":[' + b" " * limit + b"]}"
        declared = await api.client.post(
            "/api/v2/contact/enrich/bulk", content=over, headers=api.auth()
        )

        async def streamed() -> AsyncIterator[bytes]:
            yield over

        chunked = await api.client.post(
            "/api/v2/contact/enrich/bulk", content=streamed(), headers=api.auth()
        )
    for response in (declared, chunked):
        assert response.status_code == 413
        assert response.json() == {
            "code": "error.request.too_large",
            "message": f"Request body exceeds {named}",
        }


async def test_docs_serve_our_openapi(api: Api) -> None:
    document = (await api.client.get("/openapi.json")).json()
    assert "/api/v2/contact/enrich/bulk" in document["paths"]
    assert "/api/v1/contact/enrich/bulk" in document["paths"]
    assert document["components"]["schemas"]["RecordEnrichment"]
    assert (await api.client.get("/docs")).status_code == 200
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}


async def test_unparseable_hosts_are_a_clear_400_on_reverse_lookup(api: Api) -> None:
    for email in ("a@[::1", "a@http://[::1", "a@[x]"):
        response = await api.client.post(
            "/api/v2/contact/reverse/email/bulk",
            json={"name": "r", "data": [{"email": email}]},
            headers=api.auth(),
        )
        assert response.status_code == 400, (email, response.text)
        assert response.json() == {
            "code": "error.reverse.email.invalid",
            "message": "Email is invalid",
        }
