"""A live key through the whole server: the built-in finder proving addresses on loopback
mail servers, and a vendor (People Data Labs, simulated on an injected transport) whose
emails the built-in verifier checks before anything is shown or charged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.harness import make_settings, running_api
from tests.rigs.loopback import LoopbackDns, LoopbackMailServers, MailBehaviour
from tests.spec import assert_schema

from openenrich.verification.settings import VerificationSettings
from openenrich.waterfall.config import WaterfallConfig

pytestmark = pytest.mark.anyio

ZONE: dict[str, dict[str, list[str]]] = {
    "acme.example": {"MX": ["10 mx.acme.example."]},
    "mx.acme.example": {"A": ["127.0.0.2"]},
    "catch.example": {"MX": ["10 mx.catch.example."]},
    "mx.catch.example": {"A": ["127.0.0.3"]},
    "mail.example": {"MX": ["10 mx.mail.example."]},
    "mx.mail.example": {"A": ["127.0.0.4"]},
}


def pdl_reply(request: httpx.Request) -> httpx.Response:
    asked = json.loads(request.content)
    if asked.get("first_name") != "Jane":
        return httpx.Response(404, json={"status": 404, "error": {"type": "not_found"}})
    data: dict[str, Any] = {
        "full_name": "jane doe",
        "first_name": "jane",
        "last_name": "doe",
        # One real mailbox and one that the mail server rejects.
        "personal_emails": ["ghost@mail.example", "jane.d@mail.example"],
        "mobile_phone": "+33 6 12 34 56 78",
        "linkedin_url": "linkedin.com/in/janedoe",
    }
    return httpx.Response(200, json={"status": 200, "likelihood": 9, "data": data})


async def test_live_waterfall_end_to_end(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PDL_KEY", "pdl-key")
    pdl_calls: list[httpx.Request] = []

    def transport(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "api.peopledatalabs.com", request.url
        assert request.headers["X-Api-Key"] == "pdl-key"
        pdl_calls.append(request)
        return pdl_reply(request)

    mailboxes = MailBehaviour(mailboxes=frozenset({"jdoe@acme.example"}))
    personal = MailBehaviour(mailboxes=frozenset({"jane.d@mail.example"}))
    catch = MailBehaviour(catch_all=frozenset({"catch.example"}))
    hosts = {"127.0.0.2": mailboxes, "127.0.0.3": catch, "127.0.0.4": personal}
    with LoopbackDns(ZONE) as dns, LoopbackMailServers(hosts) as mail:
        verification = VerificationSettings(
            dns_nameservers=[dns.nameserver],
            smtp_port=mail.port,
            verify_allow_hosts="127.0.0.0/8",
            dns_timeout=2.0,
            smtp_connect_timeout=2.0,
            smtp_command_timeout=2.0,
            greylist_retry_seconds=[0.05],
            verify_timeout=10.0,
        )
        config = WaterfallConfig.model_validate(
            {
                "order": {"work_email": ["builtin"], "personal_email": ["pdl"], "phone": ["pdl"]},
                "verifiers": ["builtin"],
                "providers": {"pdl": {"api_key_env": "TEST_PDL_KEY", "price_per_hit": 0.1}},
            }
        )
        http = httpx.AsyncClient(transport=httpx.MockTransport(transport))
        settings = make_settings(database_url, tmp_path)
        async with running_api(
            settings, credits=100, http=http, waterfall_config=config, verification=verification
        ) as api:
            fields = ["contact.work_emails", "contact.personal_emails", "contact.phones"]
            data = [
                {
                    "first_name": "Jane",
                    "last_name": "Doe",
                    "domain": "acme.example",
                    "enrich_fields": fields,
                },
                {
                    "first_name": "Carl",
                    "last_name": "Catch",
                    "domain": "catch.example",
                    "enrich_fields": ["contact.work_emails"],
                },
                {
                    "first_name": "Nora",
                    "last_name": "Nobody",
                    "domain": "nxdomain.example",
                    "enrich_fields": ["contact.work_emails"],
                },
            ]
            enrichment_id = await api.enrich({"name": "live", "data": data}, key=api.key)
            body = (await api.wait(enrichment_id, key=api.key)).json()
            assert_schema(body, "ResponseGetContactBulkEnrich")
            jane, carl, nora = (r["contact_info"] for r in body["data"])
            assert jane["most_probable_work_email"] == {
                "email": "jdoe@acme.example",
                "status": "DELIVERABLE",
            }
            # The vendor's unverified addresses were proven one way or the other.
            assert jane["personal_emails"] == [
                {"email": "jane.d@mail.example", "status": "DELIVERABLE"},
                {"email": "ghost@mail.example", "status": "INVALID"},
            ]
            assert jane["most_probable_personal_email"]["email"] == "jane.d@mail.example"
            assert jane["phones"] == [{"number": "+33 6 12 34 56 78", "region": "FR"}]
            assert carl["most_probable_work_email"]["status"] == "CATCH_ALL"
            assert nora["work_emails"] == [] and "most_probable_work_email" not in nora
            assert body["cost"]["credits"] == (1 + 3 + 10) + 1
            assert len(pdl_calls) == 1  # one call served both of Jane's vendor fields

            # The same people again: the vendor is not asked twice, and nothing is charged.
            again = await api.enrich({"name": "again", "data": data}, key=api.key)
            second = (await api.wait(again, key=api.key)).json()
            assert second["cost"]["credits"] == 0
            assert [r["contact_info"] for r in second["data"]] == [jane, carl, nora]
            assert len(pdl_calls) == 1
            metrics = (await api.client.get("/metrics")).text
            assert "pdl" in metrics
