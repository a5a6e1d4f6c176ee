"""Search and lookup on the wire: every answer in the spec's schemas (and nothing the spec
does not declare), the documented 401 and 429 errors, a clear 400 for each malformed
request, credits per record first returned (402 and nothing recorded when the balance
cannot pay), and the `Sub-Account-ID` header checked while the call stays workspace-level."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from tests.harness import Api, make_settings, running_api
from tests.people import records
from tests.spec import assert_schema, documented_errors, spec

from openenrich.accounts import repository
from openenrich.db import utcnow
from openenrich.people.store import upsert_companies, upsert_people

pytestmark = pytest.mark.anyio

PEOPLE_SEARCH = "/people/search"
COMPANY_SEARCH = "/company/search"
PEOPLE_LOOKUP = "/people/lookup"
COMPANY_LOOKUP = "/company/lookup"
PATHS = (PEOPLE_SEARCH, COMPANY_SEARCH, PEOPLE_LOOKUP, COMPANY_LOOKUP)
# Each path's two schemas (the `allOf` of its 200) and the array it answers.
SCHEMAS = {
    PEOPLE_SEARCH: ("SearchPeopleResponse", "Metadata", "people"),
    COMPANY_SEARCH: ("SearchCompanyResponse", "Metadata", "companies"),
    PEOPLE_LOOKUP: ("LookUpPeopleResponse", "LookUpMetadata", "people"),
    COMPANY_LOOKUP: ("LookUpCompanyResponse", "LookUpMetadata", "companies"),
}
# A body each path accepts and answers with at least one record.
GOOD = {
    PEOPLE_SEARCH: {"person_names": [{"value": "Enzo Romera"}]},
    COMPANY_SEARCH: {"names": [{"value": "Anthropic"}]},
    PEOPLE_LOOKUP: {"person_professional_network_url": "https://www.linkedin.com/in/chloe-dupont"},
    COMPANY_LOOKUP: {"domain": "mistral.ai"},
}
OTHER_WORKSPACE = "ffffffff-0000-4000-8000-00000000000f"
NAME_OF = {record_id: name for name, record_id in records.NAMES.items()}


def url(path: str) -> str:
    return f"/api/v2{path}"


async def fill(api: Api) -> None:
    api.services.people.clock = records.clock
    await records.fill(api.services.db, api.workspace_id, OTHER_WORKSPACE)


@pytest.fixture
async def filled(api: Api) -> AsyncIterator[Api]:
    await fill(api)
    yield api


# ---- the spec's shapes -------------------------------------------------------------------


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec()["components"]["schemas"][name]
    return schema


def _properties(schema: dict[str, Any]) -> dict[str, Any] | None:
    """What an object schema declares, its `allOf` parts included; None for no object."""
    schema = _resolve(schema)
    found: dict[str, Any] | None = None
    if "properties" in schema:
        found = dict(schema["properties"])
    for part in schema.get("allOf", []):
        more = _properties(part)
        if more is not None:
            found = {**(found or {}), **more}
    return found


def undeclared(value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """Keys of `value` (at any depth) that its schema does not declare."""
    schema = _resolve(schema)
    if isinstance(value, dict):
        declared = _properties(schema)
        if declared is None:
            return []
        out = [f"{where}.{key}" for key in value if key not in declared]
        for key, item in value.items():
            if key in declared:
                out += undeclared(item, declared[key], f"{where}.{key}")
        return out
    if isinstance(value, list) and "items" in schema:
        return [
            bad
            for i, item in enumerate(value)
            for bad in undeclared(item, schema["items"], f"{where}[{i}]")
        ]
    return []


def check_ok(path: str, response: httpx.Response) -> dict[str, Any]:
    """A 200 of `path` in both parts of its `allOf`, with only declared keys; the body."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    answer, metadata, plural = SCHEMAS[path]
    assert_schema(body, answer)
    assert_schema(body, metadata)
    assert set(body) == {plural, "metadata"}
    for part in (answer, metadata):
        declared = _properties({"$ref": f"#/components/schemas/{part}"})
        assert declared is not None
        kept = {k: v for k, v in body.items() if k in declared}
        assert undeclared(kept, {"$ref": f"#/components/schemas/{part}"}) == []
    credits = body["metadata"]["credits"]
    assert isinstance(credits, (int, float)) and not isinstance(credits, bool)
    if path.endswith("/search"):
        assert {"total", "credits", "offset"} <= set(body["metadata"])
        assert isinstance(body["metadata"]["total"], int)
        assert len(body[plural]) <= body["metadata"]["total"]
    else:
        assert set(body["metadata"]) == {"credits"}
        assert len(body[plural]) <= 1
    return body


def names(body: dict[str, Any]) -> list[str]:
    found = body.get("people", body.get("companies"))
    assert isinstance(found, list)
    return [NAME_OF.get(record["id"], record["id"]) for record in found]


def cursor(value: str) -> list[Any]:
    decoded: list[Any] = json.loads(base64.b64decode(value))
    return decoded


async def post(api: Api, path: str, body: Any, key: str | None = None) -> httpx.Response:
    headers = {**api.auth(key or api.key), "Content-Type": "application/json"}
    return await api.client.post(url(path), content=orjson.dumps(body), headers=headers)


async def balance(api: Api, headers: dict[str, str] | None = None) -> float:
    response = await api.client.get("/api/v2/account/credits", headers=headers or api.auth(api.key))
    assert response.status_code == 200, response.text
    assert_schema(response.json(), "Credits")
    found: float = response.json()["balance"]
    return found


def test_the_shape_check_finds_keys_the_spec_does_not_declare() -> None:
    body = {
        "people": [
            {"full_name": "x", "score": 2, "employment": {"current": {"company": {"seq": 1}}}}
        ]
    }
    schema = {"$ref": "#/components/schemas/SearchPeopleResponse"}
    assert undeclared(body, schema) == [
        ".people[0].score",
        ".people[0].employment.current.company.seq",
    ]


# ---- 200s --------------------------------------------------------------------------------


async def test_searches_answer_in_the_spec_shape_with_the_expected_records(filled: Api) -> None:
    wrong: list[tuple[str, dict[str, Any], list[str]]] = []
    for path, body, expected in records.SEARCHES:
        path = path.removeprefix("/api/v2")
        answer = check_ok(path, await post(filled, path, body))
        if names(answer) != expected:
            wrong.append((path, body, names(answer)))
            continue
        metadata = answer["metadata"]
        assert metadata["offset"] == body.get("offset", 0)
        if expected:
            # The cursor is the last row's (relevance, id).
            score, last = cursor(metadata["search_after"])
            assert isinstance(score, int) and last == records.NAMES[expected[-1]]
        else:
            assert "search_after" not in metadata
    assert wrong == []


async def test_records_come_back_as_stored_in_the_spec_shape(filled: Api) -> None:
    people = check_ok(PEOPLE_SEARCH, await post(filled, PEOPLE_SEARCH, {"limit": 100}))
    enzo = next(p for p in people["people"] if p["full_name"] == "Enzo Romera")
    assert enzo["id"] == records.NAMES["Enzo Romera"]
    network = enzo["social_profiles"]["professional_network"]
    # The URL canonical, its handle kept beside it.
    assert network == {
        "id": 530992355,
        "url": "https://www.linkedin.com/in/enzo-romera",
        "handle": "enzo-romera",
        "connection_count": 500,
    }
    current = enzo["employment"]["current"]
    # The current company is linked to the company record; seniority read from the title.
    assert current["company"]["id"] == records.COMPANY_IDS["Anthropic"]
    assert current["seniority"] == "Senior"
    assert current["is_current"] is True and "end_at" not in current
    assert [job["title"] for job in enzo["employment"]["all"]] == [
        "Senior Software Engineer",
        "Software Engineer",
    ]
    companies = check_ok(COMPANY_SEARCH, await post(filled, COMPANY_SEARCH, {"limit": 100}))
    societe = next(c for c in companies["companies"] if c["name"] == "Société Générale")
    assert societe["domain"] == "societegenerale.com"
    assert societe["locations"]["headquarters"]["region"] == "Île-de-France"


async def test_paging_with_offset_and_search_after(filled: Api) -> None:
    everyone = check_ok(PEOPLE_SEARCH, await post(filled, PEOPLE_SEARCH, {"limit": 100}))
    assert everyone["metadata"]["total"] == len(records.ALL_PEOPLE)
    seen: list[str] = []
    after: str | None = None
    for _ in range(5):
        body: dict[str, Any] = {"limit": 3}
        if after is not None:
            body["search_after"] = after
        page = check_ok(PEOPLE_SEARCH, await post(filled, PEOPLE_SEARCH, body))
        assert page["metadata"]["total"] == len(records.ALL_PEOPLE)
        assert page["metadata"]["offset"] == 0
        seen += names(page)
        if len(page["people"]) < 3:
            break
        after = page["metadata"]["search_after"]
    assert seen == records.ALL_PEOPLE
    by_offset = [
        name
        for offset in (0, 3, 6, 9)
        for name in names(
            check_ok(
                PEOPLE_SEARCH, await post(filled, PEOPLE_SEARCH, {"limit": 3, "offset": offset})
            )
        )
    ]
    assert by_offset == records.ALL_PEOPLE
    # An empty search_after is no cursor; the last offset allowed answers.
    first = check_ok(PEOPLE_SEARCH, await post(filled, PEOPLE_SEARCH, {"search_after": ""}))
    assert names(first) == records.ALL_PEOPLE
    far = check_ok(COMPANY_SEARCH, await post(filled, COMPANY_SEARCH, {"offset": 10_000}))
    assert far["companies"] == [] and far["metadata"]["total"] == len(records.COMPANY_IDS)
    assert far["metadata"]["offset"] == 10_000 and "search_after" not in far["metadata"]


async def test_limit_defaults_to_10_and_goes_up_to_100(api: Api) -> None:
    many = [
        {"id": str(uuid.UUID(int=i + 1)), "name": f"Company {i}", "domain": f"c{i}.example"}
        for i in range(105)
    ]
    async with api.services.db.transaction() as session:
        await upsert_companies(session, "", many, "import", utcnow())
    ordered = sorted(c["id"] for c in many)
    default = check_ok(COMPANY_SEARCH, await post(api, COMPANY_SEARCH, {}))
    assert [c["id"] for c in default["companies"]] == ordered[:10]
    assert default["metadata"] == {
        "total": 105,
        "credits": 2.5,
        "offset": 0,
        "search_after": default["metadata"]["search_after"],
    }
    full = check_ok(COMPANY_SEARCH, await post(api, COMPANY_SEARCH, {"limit": 100}))
    assert [c["id"] for c in full["companies"]] == ordered[:100]
    rest = check_ok(
        COMPANY_SEARCH,
        await post(
            api, COMPANY_SEARCH, {"limit": 100, "search_after": full["metadata"]["search_after"]}
        ),
    )
    assert [c["id"] for c in rest["companies"]] == ordered[100:]
    assert rest["metadata"]["credits"] == 0.25 * 5


PERSON_LOOKUPS: list[tuple[dict[str, Any], str | None]] = [
    (
        {"person_professional_network_url": "https://www.linkedin.com/in/enzo-romera"},
        "Enzo Romera",
    ),
    ({"person_professional_network_url": "linkedin.com/in/ENZO-ROMERA/?utm=x"}, "Enzo Romera"),
    (
        {"person_professional_network_url": "https://fr.linkedin.com/in/zoe-muller"},
        "Zoë Müller",
    ),
    ({"person_professional_network_id": 61000004}, "Chloé Dupont"),
    (
        {
            "person_name": "jose antonio GARCIA MARQUEZ",
            "company_domain": "https://www.societegenerale.com/fr",
        },
        "José Antonio García Márquez",
    ),
    (
        {
            "person_name": "Márquez García José Antonio",
            "company_professional_network_url": "linkedin.com/company/societe-generale",
        },
        "José Antonio García Márquez",
    ),
    (
        {"person_name": "Chloé Dupont", "company_professional_network_id": 90000001},
        "Chloé Dupont",
    ),
    # The workspace's own record.
    ({"person_name": "Wile E. Coyote", "company_domain": "acme.example"}, "Wile E. Coyote"),
    # Name and company must both match.
    ({"person_name": "Chloé Dupont", "company_domain": "anthropic.com"}, None),
    ({"person_professional_network_url": "https://www.linkedin.com/in/nobody"}, None),
    ({"person_professional_network_id": 1}, None),
    # Another workspace's person is nobody's to find.
    ({"person_professional_network_url": "https://www.linkedin.com/in/enzo-secret"}, None),
    ({"person_name": "Enzo Secret", "company_domain": "anthropic.com"}, None),
]


async def test_person_lookup(filled: Api) -> None:
    given: set[str] = set()
    for body, expected in PERSON_LOOKUPS:
        answer = check_ok(PEOPLE_LOOKUP, await post(filled, PEOPLE_LOOKUP, body))
        assert names(answer) == ([expected] if expected else []), body
        # A quarter of a credit for a record the first time, nothing after.
        assert answer["metadata"]["credits"] == (0.25 if expected not in given | {None} else 0)
        given.add(expected or "")


COMPANY_LOOKUPS: list[tuple[dict[str, Any], str | None]] = [
    ({"domain": "anthropic.com"}, "Anthropic"),
    ({"domain": "https://WWW.Anthropic.com/careers"}, "Anthropic"),
    ({"professional_network_url": "https://www.linkedin.com/company/MistralAI/"}, "Mistral AI"),
    ({"professional_network_id": 4242}, "Société Générale"),
    ({"professional_network_id": 4242, "domain": "mistral.ai"}, "Société Générale"),
    ({"professional_network_id": 5, "domain": "mistral.ai"}, "Mistral AI"),
    ({"domain": "acme.example"}, "Acme Corp"),
    ({"domain": "nowhere.example"}, None),
    ({"professional_network_url": "https://example.com/company/anthropic"}, None),
]


async def test_company_lookup(filled: Api) -> None:
    given: set[str] = set()
    for body, expected in COMPANY_LOOKUPS:
        answer = check_ok(COMPANY_LOOKUP, await post(filled, COMPANY_LOOKUP, body))
        assert names(answer) == ([expected] if expected else []), body
        # A quarter of a credit for a record the first time, nothing after.
        assert answer["metadata"]["credits"] == (0.25 if expected not in given | {None} else 0)
        given.add(expected or "")


async def test_lookup_prefers_the_workspaces_own_record(filled: Api) -> None:
    mine = {
        "full_name": "Enzo Romera",
        "headline": "Our own notes",
        "social_profiles": {"professional_network": {"id": 530992355}},
    }
    async with filled.services.db.transaction() as session:
        await upsert_people(session, filled.workspace_id, [mine], "import", utcnow())
    answer = check_ok(
        PEOPLE_LOOKUP,
        await post(filled, PEOPLE_LOOKUP, {"person_professional_network_id": 530992355}),
    )
    assert [p["headline"] for p in answer["people"]] == ["Our own notes"]


async def test_other_workspaces_and_sandbox_keys_see_their_own(filled: Api) -> None:
    async with filled.services.db.transaction() as session:
        other = await repository.create_workspace(
            session, "other", filled.services.secret, credits=10
        )
    seen = check_ok(
        PEOPLE_SEARCH, await post(filled, PEOPLE_SEARCH, {"person_names": [{"value": "enzo"}]})
    )
    assert names(seen) == ["Enzo Romera"]
    theirs = check_ok(
        PEOPLE_SEARCH,
        await post(filled, PEOPLE_SEARCH, {"limit": 100}, key=other.api_key),
    )
    # What the operator imported for everyone, not the first workspace's own.
    assert names(theirs) == records.ALL_PEOPLE[:-1]
    sandbox = check_ok(
        PEOPLE_SEARCH, await post(filled, PEOPLE_SEARCH, {"limit": 100}, key=filled.sandbox_key)
    )
    assert "Enzo Romera" not in names(sandbox)


# ---- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
async def test_authorization_errors(api: Api, path: str) -> None:
    documented = documented_errors(path, "post", "401")
    cases = {
        "error.authorization.not_set": {},
        "error.authorization.not_bearer": {"Authorization": f"Token {api.key}"},
        "error.api.key": {"Authorization": "Bearer oe_live_nope"},
    }
    assert set(documented) == set(cases)
    for code, headers in cases.items():
        response = await api.client.post(url(path), json=GOOD[path], headers=headers)
        assert response.status_code == 401
        assert response.json() == {"code": code, "message": documented[code]}


async def test_rate_limit(database_url: str, tmp_path: Path) -> None:
    async with running_api(make_settings(database_url, tmp_path, rate_limit_per_minute=4)) as api:
        await fill(api)
        for path in PATHS:
            check_ok(path, await post(api, path, GOOD[path]))
        for path in PATHS:
            documented = documented_errors(path, "post", "429")
            response = await post(api, path, GOOD[path])
            assert response.status_code == 429
            assert response.json() == {
                "code": "error.rate.limit",
                "message": documented["error.rate.limit"],
            }


def _b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else orjson.dumps(value)
    return base64.b64encode(raw).decode()


VALID_CURSOR = _b64([0, "1b000000-0000-4000-8000-000000000001"])
NOT_OBJECTS: list[Any] = [[], "x", 5, None]

# (path, body, code, a part of the message)
BAD: list[tuple[str, Any, str, str]] = [
    *[(PEOPLE_SEARCH, body, "error.search.body", "JSON object") for body in NOT_OBJECTS],
    *[
        (
            COMPANY_SEARCH,
            {"limit": limit},
            "error.search.limit",
            "limit must be an integer from 1 to 100",
        )
        for limit in (0, 101, -1, "5", True, 2.5)
    ],
    *[
        (
            PEOPLE_SEARCH,
            {"offset": offset},
            "error.search.offset",
            "offset must be an integer from 0 to 10,000",
        )
        for offset in (-1, 10_001, "1", False, 1.5)
    ],
    *[
        (PEOPLE_SEARCH, {"search_after": after}, "error.search.search_after", "search_after")
        for after in (
            "%%% not base64",
            _b64(b"not json"),
            _b64(b"\xff\xfe"),
            _b64([1]),
            _b64(["1", "x"]),
            _b64([1.5, "x"]),
            _b64([True, "x"]),
            _b64([1, 2]),
            _b64({"a": 1, "b": 2}),
            _b64([1, "x" * 37]),
            12,
            ["a"],
        )
    ],
    (
        PEOPLE_SEARCH,
        {"offset": 3, "search_after": VALID_CURSOR},
        "error.search.pagination",
        "not both",
    ),
    (
        COMPANY_SEARCH,
        {"offset": 1, "search_after": VALID_CURSOR},
        "error.search.pagination",
        "not both",
    ),
    (
        PEOPLE_SEARCH,
        {"person_name": [{"value": "x"}]},
        "error.search.filter.unknown",
        "person_name",
    ),
    (PEOPLE_SEARCH, {"names": [{"value": "x"}]}, "error.search.filter.unknown", "names"),
    (
        COMPANY_SEARCH,
        {"person_names": [{"value": "x"}]},
        "error.search.filter.unknown",
        "person_names",
    ),
    (
        COMPANY_SEARCH,
        {"revenue_ranges": [{"min": 1}]},
        "error.search.filter.unknown",
        "revenue_ranges",
    ),
    (
        PEOPLE_SEARCH,
        {"current_company_keywords": []},
        "error.search.filter.unknown",
        "current_company_keywords",
    ),
    (PEOPLE_SEARCH, {"person_names": {"value": "x"}}, "error.search.filter", "array"),
    (PEOPLE_SEARCH, {"person_names": "Enzo"}, "error.search.filter", "array"),
    (
        PEOPLE_SEARCH,
        {"person_names": ["Enzo"]},
        "error.search.filter",
        "person_names[0] must be an object",
    ),
    (
        COMPANY_SEARCH,
        {"names": [{"value": "a"}, None]},
        "error.search.filter",
        "names[1] must be an object",
    ),
    (PEOPLE_SEARCH, {"person_names": [{}]}, "error.search.filter", "value"),
    (PEOPLE_SEARCH, {"person_names": [{"value": 5}]}, "error.search.filter", "non-empty string"),
    (PEOPLE_SEARCH, {"person_names": [{"value": ""}]}, "error.search.filter", "non-empty string"),
    (COMPANY_SEARCH, {"names": [{"value": "   "}]}, "error.search.filter", "non-empty string"),
    (COMPANY_SEARCH, {"names": [{"value": "x" * 501}]}, "error.search.filter", "500"),
    (COMPANY_SEARCH, {"names": [{"value": "x"}] * 101}, "error.search.filter", "100"),
    (
        COMPANY_SEARCH,
        {"professional_network_ids": [{"value": 1.5}]},
        "error.search.filter",
        "integer",
    ),
    (
        COMPANY_SEARCH,
        {"professional_network_ids": [{"value": True}]},
        "error.search.filter",
        "integer",
    ),
    (
        PEOPLE_SEARCH,
        {"person_names": [{"value": "x", "exclude": "yes"}]},
        "error.search.filter",
        "exclude",
    ),
    (
        PEOPLE_SEARCH,
        {"person_names": [{"value": "x", "exact_match": 1}]},
        "error.search.filter",
        "exact_match",
    ),
    (COMPANY_SEARCH, {"headcounts": [{"min": "3"}]}, "error.search.filter", "headcounts[0].min"),
    (COMPANY_SEARCH, {"headcounts": [{"max": 1.5}]}, "error.search.filter", "headcounts[0].max"),
    (COMPANY_SEARCH, {"headcounts": [{"min": True}]}, "error.search.filter", "integer"),
    (COMPANY_SEARCH, {"headcounts": [{"min": 10**10}]}, "error.search.filter", "integer"),
    (COMPANY_SEARCH, {"founded_years": [{}]}, "error.search.filter", "min, max or both"),
    (
        COMPANY_SEARCH,
        {"founded_years": [{"exclude": True}]},
        "error.search.filter",
        "min, max or both",
    ),
    (
        PEOPLE_SEARCH,
        {"current_position_years_in": [{"min": 5, "max": 2}]},
        "error.search.filter",
        "greater than max",
    ),
    *[
        (path, body, "error.lookup.body", "JSON object")
        for path in (PEOPLE_LOOKUP, COMPANY_LOOKUP)
        for body in NOT_OBJECTS
    ],
    (
        PEOPLE_LOOKUP,
        {"person_name": 5, "company_domain": "a.com"},
        "error.lookup.field",
        "person_name",
    ),
    (PEOPLE_LOOKUP, {"company_domain": ["a.com"]}, "error.lookup.field", "company_domain"),
    (PEOPLE_LOOKUP, {"person_professional_network_url": "x" * 2049}, "error.lookup.field", "2048"),
    (
        PEOPLE_LOOKUP,
        {"person_professional_network_id": "530992355"},
        "error.lookup.field",
        "positive integer",
    ),
    (
        PEOPLE_LOOKUP,
        {"company_professional_network_id": 0},
        "error.lookup.field",
        "positive integer",
    ),
    (COMPANY_LOOKUP, {"professional_network_id": -4242}, "error.lookup.field", "positive integer"),
    (COMPANY_LOOKUP, {"professional_network_id": True}, "error.lookup.field", "positive integer"),
    (COMPANY_LOOKUP, {"professional_network_id": 4242.0}, "error.lookup.field", "positive integer"),
    (COMPANY_LOOKUP, {"domain": 12}, "error.lookup.field", "domain"),
    (PEOPLE_LOOKUP, {}, "error.lookup.identifier", "person_professional_network_url"),
    (PEOPLE_LOOKUP, {"person_name": "Enzo Romera"}, "error.lookup.identifier", "person_name with"),
    (
        PEOPLE_LOOKUP,
        {"company_domain": "anthropic.com"},
        "error.lookup.identifier",
        "person_name with",
    ),
    (
        PEOPLE_LOOKUP,
        {"person_name": "   ", "company_domain": "anthropic.com"},
        "error.lookup.identifier",
        "person_name with",
    ),
    (COMPANY_LOOKUP, {}, "error.lookup.identifier", "domain"),
    (COMPANY_LOOKUP, {"name": "Anthropic"}, "error.lookup.identifier", "domain"),
    (COMPANY_LOOKUP, {"domain": "  "}, "error.lookup.identifier", "domain"),
]


async def test_bad_requests_are_clear_400s(api: Api) -> None:
    for path, body, code, message in BAD:
        response = await post(api, path, body)
        assert response.status_code == 400, (path, body, response.text)
        assert_schema(response.json(), "Error")
        assert set(response.json()) == {"code", "message"}
        assert response.json()["code"] == code, (path, body, response.text)
        assert message in response.json()["message"], (path, body, response.text)


@pytest.mark.parametrize("path", PATHS)
async def test_invalid_json_is_a_400(api: Api, path: str) -> None:
    response = await api.client.post(url(path), content=b'{"limit": 1', headers=api.auth(api.key))
    assert response.status_code == 400
    assert response.json() == {
        "code": "error.request.invalid",
        "message": "Request body is not valid JSON",
    }


# ---- credits -----------------------------------------------------------------------------


async def test_each_record_costs_a_quarter_credit_the_first_time_only(filled: Api) -> None:
    api = filled
    assert await balance(api) == 1000
    first = check_ok(PEOPLE_SEARCH, await post(api, PEOPLE_SEARCH, {"limit": 3}))
    assert first["metadata"]["credits"] == 0.75
    assert await balance(api) == 999.25
    again = check_ok(PEOPLE_SEARCH, await post(api, PEOPLE_SEARCH, {"limit": 3}))
    assert again["metadata"]["credits"] == 0
    assert isinstance(again["metadata"]["credits"], float)
    assert await balance(api) == 999.25
    # Two seen, two new.
    wider = check_ok(PEOPLE_SEARCH, await post(api, PEOPLE_SEARCH, {"limit": 4, "offset": 1}))
    assert wider["metadata"]["credits"] == 0.5
    assert await balance(api) == 998.75
    # A lookup of a person already given is free; a new one costs the same quarter.
    enzo = {"person_professional_network_id": 530992355}
    assert check_ok(PEOPLE_LOOKUP, await post(api, PEOPLE_LOOKUP, enzo))["metadata"]["credits"] == 0
    wile = {"person_professional_network_id": 61000007}
    assert (
        check_ok(PEOPLE_LOOKUP, await post(api, PEOPLE_LOOKUP, wile))["metadata"]["credits"] == 0.25
    )
    assert await balance(api) == 998.5
    # People and companies are counted apart.
    company = check_ok(COMPANY_LOOKUP, await post(api, COMPANY_LOOKUP, {"domain": "anthropic.com"}))
    assert company["metadata"]["credits"] == 0.25
    search = check_ok(
        COMPANY_SEARCH, await post(api, COMPANY_SEARCH, {"names": [{"value": "anthropic"}]})
    )
    assert search["metadata"]["credits"] == 0
    nothing = check_ok(
        COMPANY_SEARCH, await post(api, COMPANY_SEARCH, {"names": [{"value": "nobody"}]})
    )
    assert nothing["metadata"]["credits"] == 0
    assert await balance(api) == 998.25
    everything = check_ok(PEOPLE_SEARCH, await post(api, PEOPLE_SEARCH, {"limit": 100}))
    assert everything["metadata"]["credits"] == 0.25  # Björn, the only one not given yet
    assert await balance(api) == 998.0


async def test_a_balance_that_cannot_pay_is_a_402_that_records_nothing(
    database_url: str, tmp_path: Path
) -> None:
    async with running_api(make_settings(database_url, tmp_path), credits=0) as api:
        await fill(api)
        for path in PATHS:
            response = await post(api, path, GOOD[path])
            assert response.status_code == 402
            assert response.json() == {
                "code": "error.credits.insufficient",
                "message": "Not enough credits",
            }
        # Finding nothing costs nothing.
        empty = check_ok(
            PEOPLE_SEARCH, await post(api, PEOPLE_SEARCH, {"person_names": [{"value": "nobody"}]})
        )
        assert empty["metadata"]["credits"] == 0
        assert await balance(api) == 0
        async with api.services.db.transaction() as session:
            await repository.grant(session, api.workspace_id, False, 1)
        # The records refused above are charged now: the 402 recorded none of them.
        for path in PATHS:
            answer = check_ok(path, await post(api, path, GOOD[path]))
            assert answer["metadata"]["credits"] == 0.25, path
        assert await balance(api) == 0.0
        # Enzo is paid for; a page of him and two others is not.
        refused = await post(api, PEOPLE_SEARCH, {"limit": 3})
        assert refused.status_code == 402
        free = check_ok(PEOPLE_SEARCH, await post(api, PEOPLE_SEARCH, GOOD[PEOPLE_SEARCH]))
        assert free["metadata"]["credits"] == 0
        async with api.services.db.transaction() as session:
            await repository.grant(session, api.workspace_id, False, 1)
        page = check_ok(PEOPLE_SEARCH, await post(api, PEOPLE_SEARCH, {"limit": 3}))
        assert names(page)[0] == "Enzo Romera" and page["metadata"]["credits"] == 0.5
        assert await balance(api) == 0.5


async def test_sub_account_header_is_checked_and_the_call_is_workspace_level(filled: Api) -> None:
    api = filled
    created = await api.client.post(
        "/api/v2/sub-accounts", json={"name": "Europe"}, headers=api.auth(api.key)
    )
    assert created.status_code == 201
    sub = created.json()["id"]
    for bad in (str(uuid.uuid4()), "garbage"):
        for path in PATHS:
            response = await api.client.post(
                url(path), json=GOOD[path], headers={**api.auth(api.key), "Sub-Account-ID": bad}
            )
            assert response.status_code == 404
            assert response.json()["code"] == "error.sub_account.not_found"
    assert await balance(api) == 1000
    scoped = {**api.auth(api.key), "Sub-Account-ID": sub}
    in_scope = await api.client.post(url(PEOPLE_SEARCH), json={"limit": 2}, headers=scoped)
    assert check_ok(PEOPLE_SEARCH, in_scope)["metadata"]["credits"] == 0.5
    # The workspace pays, and what the sub-account was given the workspace has been given.
    assert await balance(api) == 999.5
    assert await balance(api, scoped) == 999.5
    workspace = check_ok(PEOPLE_SEARCH, await post(api, PEOPLE_SEARCH, {"limit": 3}))
    assert workspace["metadata"]["credits"] == 0.25
    back = await api.client.post(url(PEOPLE_SEARCH), json={"limit": 3}, headers=scoped)
    assert check_ok(PEOPLE_SEARCH, back)["metadata"]["credits"] == 0
    assert await balance(api) == 999.25
    # Enzo was given already; Anthropic is new, then given.
    for path, body, cost in (
        (PEOPLE_LOOKUP, {"person_professional_network_id": 530992355}, 0),
        (COMPANY_LOOKUP, {"domain": "anthropic.com"}, 0.25),
        (COMPANY_SEARCH, {"names": [{"value": "Anthropic"}]}, 0),
    ):
        response = await api.client.post(url(path), json=body, headers=scoped)
        assert check_ok(path, response)["metadata"]["credits"] == cost, path
    assert await balance(api) == 999.0
