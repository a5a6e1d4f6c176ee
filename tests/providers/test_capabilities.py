"""Every shipped source declares what it can do through the protocols of
`providers.base`, which is all the engine looks at."""

from __future__ import annotations

import pytest

from openenrich.providers import registry
from openenrich.providers.base import (
    CheckableAdapter,
    CheckParsingAdapter,
    CompanyAdapter,
    HttpAdapter,
    HttpVerifierAdapter,
    Learner,
    PollingAdapter,
    Provider,
    TokenAuthAdapter,
    Verifier,
)
from openenrich.providers.builtin import BuiltinFinder, BuiltinVerifier

POLLING = {"dropcontact", "icypeas", "rocketreach", "snov", "fullenrich"}
COMPANY = {"apollo", "pdl"}


@pytest.mark.parametrize("name", sorted(registry.ADAPTERS))
def test_each_registered_adapter_is_a_finder_or_a_verifier(name: str) -> None:
    adapter = registry.create_adapter(name)
    assert isinstance(adapter, HttpAdapter) != isinstance(adapter, HttpVerifierAdapter)
    assert isinstance(adapter, PollingAdapter) is (name in POLLING)
    assert isinstance(adapter, TokenAuthAdapter) is (name == "snov")
    assert isinstance(adapter, CompanyAdapter) is (name in COMPANY)
    if isinstance(adapter, CheckParsingAdapter):
        assert isinstance(adapter, CheckableAdapter)


def test_the_builtin_sources() -> None:
    finder, verifier = BuiltinFinder(), BuiltinVerifier()
    assert isinstance(finder, Provider) and isinstance(finder, Learner)
    assert not isinstance(finder, HttpAdapter)
    assert not isinstance(finder, CompanyAdapter)
    assert isinstance(verifier, Verifier) and not isinstance(verifier, Learner)
