"""Every profile an adapter builds from its vendor's documented example is a valid spec
`Person`, and every company a valid spec `Company`: the shapes FullEnrich clients parse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from tests.providers.conftest import load_fixture
from tests.spec import assert_schema, spec

from openenrich.domain import ProfileFinding
from openenrich.providers.apollo import ApolloAdapter
from openenrich.providers.base import ProviderResult
from openenrich.providers.contactout import ContactOutAdapter
from openenrich.providers.fullenrich import FullEnrichAdapter
from openenrich.providers.lusha import LushaAdapter
from openenrich.providers.pdl import PdlAdapter
from openenrich.providers.prospeo import ProspeoAdapter
from openenrich.providers.rocketreach import RocketReachAdapter

REQUEST = httpx.Request("GET", "https://vendor.example/")

Parse = Callable[[httpx.Response], Any]
CASES: list[tuple[str, str, Parse]] = [
    ("apollo", "match_found", ApolloAdapter().parse_response),
    ("pdl", "enrich_found", PdlAdapter().parse_response),
    ("prospeo", "enrich_found", ProspeoAdapter().parse_response),
    ("contactout", "found", ContactOutAdapter().parse_response),
    ("lusha", "found", LushaAdapter().parse_response),
    ("rocketreach", "check_status_complete", RocketReachAdapter().parse_poll),
    ("fullenrich", "finished", FullEnrichAdapter().parse_poll),
]


@pytest.mark.parametrize(("vendor", "fixture", "parse"), CASES, ids=[c[0] for c in CASES])
def test_profiles_match_the_spec_person(vendor: str, fixture: str, parse: Parse) -> None:
    result = parse(httpx.Response(200, json=load_fixture(vendor, fixture), request=REQUEST))
    assert isinstance(result, ProviderResult)
    profiles = [f.person for f in result.findings if isinstance(f, ProfileFinding)]
    assert profiles, f"{vendor}: no profile from its documented example"
    for person in profiles:
        assert_schema(dict(person), "Person")
        assert person.get("full_name") or person.get("first_name")


COMPANY_CASES: list[tuple[str, str, Parse]] = [
    ("apollo", "organization_enrich_found", ApolloAdapter().parse_company_response),
    ("pdl", "company_enrich_found", PdlAdapter().parse_company_response),
]


def _declared_keys_only(value: Any, schema: dict[str, Any]) -> None:
    """The schema allows any extra key; hold the company to the keys it declares."""
    schemas = spec()["components"]["schemas"]
    for part in [schema, *schema.get("allOf", [])]:
        if "$ref" in part:
            part = schemas[part["$ref"].rsplit("/", 1)[-1]]
        properties: dict[str, Any] = part.get("properties", {})
        if not properties:
            continue
        assert set(value) <= set(properties), set(value) - set(properties)
        for key, item in value.items():
            if isinstance(item, dict):
                _declared_keys_only(item, properties[key])


@pytest.mark.parametrize(
    ("vendor", "fixture", "parse"), COMPANY_CASES, ids=[c[0] for c in COMPANY_CASES]
)
def test_companies_match_the_spec_company(vendor: str, fixture: str, parse: Parse) -> None:
    company = parse(httpx.Response(200, json=load_fixture(vendor, fixture), request=REQUEST))
    assert isinstance(company, dict), f"{vendor}: no company from its documented example"
    assert_schema(company, "Company")
    _declared_keys_only(company, spec()["components"]["schemas"]["Company"])
    assert "id" not in company, "the store assigns company ids"
    assert company["name"] and company["domain"]
