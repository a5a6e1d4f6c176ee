"""Validation of response bodies against the published FullEnrich v2 schemas."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC = Path(__file__).parents[1] / "src" / "openenrich" / "api" / "fullenrich-v2-openapi.yml"


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    return loaded


def assert_schema(body: Any, name: str) -> None:
    """Raise if `body` does not match `components/schemas/<name>`."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": spec()["components"]}
    jsonschema.Draft202012Validator(schema).validate(body)


def documented_errors(path: str, method: str, status: str) -> dict[str, str]:
    """code -> message of the examples the spec gives for one response."""
    response = spec()["paths"][path][method]["responses"][status]
    examples = response["content"]["application/json"].get("examples", {})
    return {e["value"]["code"]: e["value"]["message"] for e in examples.values()}
