"""Generated requests (hypothesis) to every path of the spec: whatever arrives, no 5xx, and
every error is the spec's `{"code", "message"}` body."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.harness import Api, make_settings, running_api
from tests.people import records
from tests.spec import assert_schema, spec

from openenrich.people.fields import COMPANIES, PEOPLE

text = st.text(max_size=30)
junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=8,
)
field_value = st.sampled_from(
    ["contact.work_emails", "contact.phones", "contact.personal_emails", "contact.emails", ""]
)
contact = st.fixed_dictionaries(
    {},
    optional={
        "first_name": text | junk,
        "last_name": text | junk,
        "domain": st.sampled_from(
            ["example.com", "https://www.acme.io/x", "bad domain", "", "http://[::1", "[x"]
        )
        | junk,
        "company_name": text,
        "linkedin_url": st.sampled_from(
            [
                "https://www.linkedin.com/in/jane",
                "linkedin.com/in/x",
                "https://x.example/in/y",
                "https://[::1/in/x",
            ]
        )
        | junk,
        "enrich_fields": st.lists(field_value, max_size=4) | junk,
        "custom": st.dictionaries(text, text | junk, max_size=12) | junk,
    },
)
body = (
    st.fixed_dictionaries(
        {},
        optional={
            "name": text | junk,
            "webhook_url": st.sampled_from(
                ["https://h.example/w", "ftp://x", "nope", "http://[::1"]
            )
            | junk,
            "webhook_events": st.fixed_dictionaries({}, optional={"contact_finished": text | junk})
            | junk,
            "data": st.lists(contact, max_size=5) | junk,
        },
    )
    | junk
)


def check(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_schema(response.json(), "Error")
        assert set(response.json()) == {"code", "message"}


@pytest.mark.parametrize("silent", ["false", "true"])
def test_generated_bodies_never_500(sqlite_url: str, tmp_path: Path, silent: str) -> None:
    async def scenario() -> None:
        async with running_api(make_settings(sqlite_url, tmp_path, embedded_worker=False)) as api:
            await run(api)

    async def run(api: Api) -> None:
        @settings(
            max_examples=200,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(payload=body)
        def one(payload: Any) -> None:
            response = asyncio.run_coroutine_threadsafe(
                api.client.post(
                    "/api/v2/contact/enrich/bulk",
                    json=payload,
                    headers=api.auth(),
                    params={"silentFail": silent},
                ),
                loop,
            ).result()
            check(response)

        loop = asyncio.get_running_loop()
        await asyncio.to_thread(one)

    asyncio.run(scenario())


def test_generated_paths_and_headers_never_500(sqlite_url: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_api(make_settings(sqlite_url, tmp_path, embedded_worker=False)) as api:
            loop = asyncio.get_running_loop()

            @settings(max_examples=150, deadline=None)
            @given(
                ident=st.text(
                    st.characters(
                        min_codepoint=33,
                        max_codepoint=0x2FFF,
                        exclude_characters="/?#%\x7f",
                        exclude_categories=("Cc", "Cs"),
                    ),
                    min_size=1,
                    max_size=40,
                ).filter(lambda s: s not in (".", "..")),
                force=st.sampled_from(["true", "false", "1", "yes", "x", ""]),
                auth=st.sampled_from(["", "Bearer", "Bearer x", "Basic abc", "bearer  "])
                | st.just(None),
            )
            def one(ident: str, force: str, auth: str | None) -> None:
                headers = api.auth() if auth is None else {"Authorization": auth}
                response = asyncio.run_coroutine_threadsafe(
                    api.client.get(
                        f"/api/v2/contact/enrich/bulk/{ident}",
                        params={"forceResults": force},
                        headers=headers,
                    ),
                    loop,
                ).result()
                check(response)

            await asyncio.to_thread(one)

    asyncio.run(scenario())


# ---- every path of the spec --------------------------------------------------------------

cursor = st.builds(lambda v: base64.b64encode(orjson.dumps(v)).decode(), junk) | st.sampled_from(
    [
        base64.b64encode(orjson.dumps([0, "1b000000-0000-4000-8000-000000000003"])).decode(),
        base64.b64encode(orjson.dumps([2, "zzz"])).decode(),
        "",
        "%%%",
    ]
)
paging = {
    "limit": st.integers(1, 100) | st.integers(-5, 150) | junk,
    "offset": st.integers(0, 20) | st.integers(-5, 10_005) | junk,
    "search_after": cursor | junk,
}
filter_item = (
    st.fixed_dictionaries(
        {},
        optional={
            "value": st.sampled_from(["Anthropic", "enzo", "Île-de-France", "python", "0", "  "])
            | text
            | st.integers()
            | junk,
            "exclude": st.booleans() | junk,
            "exact_match": st.booleans() | junk,
            "min": st.integers(-(10**10), 10**10) | junk,
            "max": st.integers(-(10**10), 10**10) | junk,
        },
    )
    | junk
)


def search_bodies(filters: list[str]) -> st.SearchStrategy[Any]:
    name = st.sampled_from(filters) | text
    return (
        st.fixed_dictionaries(
            {},
            optional={
                **paging,
                **{f: st.lists(filter_item, max_size=3) | junk for f in filters[:3]},
            },
        ).flatmap(
            lambda fixed: st.dictionaries(
                name, st.lists(filter_item, max_size=3) | junk, max_size=3
            ).map(lambda more: {**more, **fixed})
        )
        | junk
    )


def lookup_bodies(strings: list[str], numbers: list[str]) -> st.SearchStrategy[Any]:
    urls = st.sampled_from(
        [
            "https://www.linkedin.com/in/enzo-romera",
            "linkedin.com/company/anthropic",
            "anthropic.com",
            "https://[::1/in/x",
        ]
    )
    return (
        st.fixed_dictionaries(
            {},
            optional={
                **{name: urls | text | junk for name in strings},
                **{name: st.integers(-3, 10**10) | junk for name in numbers},
                "person_name": st.sampled_from(["Enzo Romera", "Zoë Müller", ""]) | text | junk,
            },
        )
        | junk
    )


reverse_body = (
    st.fixed_dictionaries(
        {},
        optional={
            "name": st.just("batch") | text | junk,
            "webhook_url": st.sampled_from(["https://h.example/w", "ftp://x", "nope"]) | junk,
            "data": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "email": st.sampled_from(["jane@example.com", "x@", "a@[::1"])
                        | text
                        | junk,
                        "custom": st.dictionaries(text, text | junk, max_size=12) | junk,
                    },
                ),
                max_size=4,
            )
            | junk,
        },
    )
    | junk
)
ident = st.text(
    st.characters(
        min_codepoint=33,
        max_codepoint=0x2FFF,
        exclude_characters="/?#%\x7f",
        exclude_categories=("Cc", "Cs"),
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s not in (".", ".."))
# (method, the spec's path, the request's path, its JSON body or None)
Request = tuple[str, str, str, Any]
PERSON_LOOKUP = (
    ["person_professional_network_url", "company_professional_network_url", "company_domain"],
    ["person_professional_network_id", "company_professional_network_id"],
)
COMPANY_LOOKUP = (["domain", "professional_network_url"], ["professional_network_id"])
requests: st.SearchStrategy[Request] = st.one_of(
    st.just(("get", "/account/keys/verify", "/account/keys/verify", None)),
    st.just(("get", "/account/credits", "/account/credits", None)),
    body.map(lambda b: ("post", "/contact/enrich/bulk", "/contact/enrich/bulk", b)),
    ident.map(
        lambda i: ("get", "/contact/enrich/bulk/{enrichment_id}", f"/contact/enrich/bulk/{i}", None)
    ),
    reverse_body.map(
        lambda b: ("post", "/contact/reverse/email/bulk", "/contact/reverse/email/bulk", b)
    ),
    ident.map(
        lambda i: (
            "get",
            "/contact/reverse/email/bulk/{enrichment_id}",
            f"/contact/reverse/email/bulk/{i}",
            None,
        )
    ),
    search_bodies(sorted(PEOPLE)).map(lambda b: ("post", "/people/search", "/people/search", b)),
    search_bodies(sorted(COMPANIES)).map(
        lambda b: ("post", "/company/search", "/company/search", b)
    ),
    lookup_bodies(*PERSON_LOOKUP).map(lambda b: ("post", "/people/lookup", "/people/lookup", b)),
    lookup_bodies(*COMPANY_LOOKUP).map(lambda b: ("post", "/company/lookup", "/company/lookup", b)),
)
# The 200 answers of search and lookup, in the spec's two parts.
ANSWERS = {
    "/people/search": ("SearchPeopleResponse", "Metadata"),
    "/company/search": ("SearchCompanyResponse", "Metadata"),
    "/people/lookup": ("LookUpPeopleResponse", "LookUpMetadata"),
    "/company/lookup": ("LookUpCompanyResponse", "LookUpMetadata"),
}


def test_generated_requests_to_every_path_never_500(sqlite_url: str, tmp_path: Path) -> None:
    covered: set[str] = set()

    async def scenario() -> None:
        settings_ = make_settings(sqlite_url, tmp_path, embedded_worker=False)
        async with running_api(settings_, credits=100_000) as api:
            await records.fill(api.services.db, api.workspace_id, "other-workspace")
            loop = asyncio.get_running_loop()

            @settings(
                max_examples=400,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(
                request=requests,
                key=st.sampled_from(["live", "live", "live", "sandbox", "junk", "none"]),
                sub_account=st.none() | st.none() | text,
                raw=st.sampled_from([None, None, None, None, b"{not json", b"", b"[1,"]),
            )
            def one(request: Request, key: str, sub_account: str | None, raw: bytes | None) -> None:
                method, template, path, payload = request
                covered.add(template)
                headers = {
                    "live": api.auth(api.key),
                    "sandbox": api.auth(api.sandbox_key),
                    "junk": {"Authorization": "Bearer oe_live_junk"},
                    "none": {},
                }[key]
                if sub_account is not None and sub_account.isprintable() and sub_account.isascii():
                    headers = {**headers, "Sub-Account-ID": sub_account}
                send: dict[str, Any] = {"headers": headers}
                if method == "post":
                    send["content"] = raw if raw is not None else json.dumps(payload).encode()
                response = asyncio.run_coroutine_threadsafe(
                    api.client.request(method.upper(), f"/api/v2{path}", **send), loop
                ).result()
                check(response)
                if response.status_code == 200 and template in ANSWERS:
                    for part in ANSWERS[template]:
                        assert_schema(response.json(), part)

            await asyncio.to_thread(one)

    asyncio.run(scenario())
    assert covered == set(spec()["paths"])
