"""The shipped contract (JSON, so the server needs no YAML parser) is FullEnrich's published
YAML, value for value."""

from __future__ import annotations

import json

import pytest
import yaml
from tests.spec import SPEC, published_spec


def test_shipped_json_equals_the_published_yaml() -> None:
    published = published_spec()
    if published is None:
        pytest.skip("the published spec (shared/spec) is not beside this checkout")
    assert json.loads(SPEC.read_bytes()) == yaml.safe_load(published.read_text())
