"""Validation of response bodies against the published FullEnrich v2 schemas."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

# What the server ships (and serves at /openapi.json): the published YAML converted to JSON.
SPEC = Path(__file__).parents[1] / "src" / "openenrich" / "api" / "fullenrich-v2-openapi.json"
# The published YAML itself lives beside the repository (shared/spec), not in it.
PUBLISHED = Path("shared") / "spec" / "fullenrich-v2-openapi.yml"


def published_spec() -> Path | None:
    """The published YAML in the nearest ancestor of the repository that holds it (the repo
    may be a worktree nested deeper than the main checkout), or None outside that layout."""
    for ancestor in Path(__file__).resolve().parents[1].parents:
        if (ancestor / PUBLISHED).is_file():
            return ancestor / PUBLISHED
    return None


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC.read_bytes())
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
