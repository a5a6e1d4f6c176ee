"""Generated requests (hypothesis): whatever arrives, no 5xx, and every error is the spec's
`{"code", "message"}` body."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.harness import Api, make_settings, running_api
from tests.spec import assert_schema

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


_item = st.fixed_dictionaries(
    {},
    optional={
        "value": text | st.integers(-5, 10**12) | junk,
        "exclude": st.booleans() | junk,
        "exact_match": st.booleans() | junk,
        "min": st.integers(-(10**10), 10**10) | junk,
        "max": st.integers(-(10**10), 10**10) | junk,
    },
)
_filter_names = st.sampled_from(
    [*PEOPLE, *COMPANIES, "limit", "offset", "search_after", "revenue_ranges", ""]
)
_search_body = (
    st.dictionaries(
        _filter_names,
        st.lists(_item | junk, max_size=3) | st.integers(-5, 20_000) | text | junk,
        max_size=5,
    )
    | junk
)
_lookup_body = (
    st.dictionaries(
        st.sampled_from(
            [
                "person_name",
                "person_professional_network_url",
                "person_professional_network_id",
                "company_domain",
                "company_professional_network_url",
                "company_professional_network_id",
                "domain",
                "professional_network_url",
                "professional_network_id",
            ]
        ),
        text | st.integers(-5, 10**12) | junk,
        max_size=4,
    )
    | junk
)
_reverse_body = (
    st.fixed_dictionaries(
        {},
        optional={
            "name": text | junk,
            "webhook_url": text | junk,
            "data": st.lists(
                st.fixed_dictionaries({}, optional={"email": text | junk, "custom": junk}) | junk,
                max_size=3,
            )
            | junk,
        },
    )
    | junk
)
OTHER_POSTS = [
    ("/api/v2/people/search", _search_body),
    ("/api/v2/company/search", _search_body),
    ("/api/v2/people/lookup", _lookup_body),
    ("/api/v2/company/lookup", _lookup_body),
    ("/api/v2/contact/reverse/email/bulk", _reverse_body),
]


@pytest.mark.parametrize(("path", "payloads"), OTHER_POSTS, ids=[p for p, _ in OTHER_POSTS])
def test_generated_bodies_of_every_other_post_never_500(
    sqlite_url: str, tmp_path: Path, path: str, payloads: Any
) -> None:
    """Search, lookup and reverse lookup: 100 generated bodies each, sandbox and live keys;
    no 5xx, and every error in the spec's shape."""

    async def scenario() -> None:
        async with running_api(make_settings(sqlite_url, tmp_path, embedded_worker=False)) as api:
            loop = asyncio.get_running_loop()

            @settings(
                max_examples=100,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            )
            @given(payload=payloads, live=st.booleans())
            def one(payload: Any, live: bool) -> None:
                key = api.key if live else api.sandbox_key
                response = asyncio.run_coroutine_threadsafe(
                    api.client.post(path, json=payload, headers=api.auth(key)), loop
                ).result()
                check(response)

            await asyncio.to_thread(one)

    asyncio.run(scenario())
