"""A recorded FullEnrich v2 exchange, rebuilt from the published spec's own examples and
served through `httpx.MockTransport`: the answers are what FullEnrich documents, byte for
byte where the spec gives a whole example, field by field (each property's example) where
it gives only a schema. Requests are checked against the spec's request schemas, so a
client that passes here speaks FullEnrich's wire, not just OpenEnrich's."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from tests.spec import assert_schema, spec

KEY = "fullenrich-recorded-key"
ENRICHMENT_ID = "2db5ea61-1752-42cf-8ea1-ab1da060cd0a"
SECOND_CURSOR = "WzE1LjUzNDU2MywiYjQ5MDBiYmQtOTg5MS01Mzk1LWIyODUtOWEyOGNiZThjOTM3Il0="


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        resolved: dict[str, Any] = spec()["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return resolved
    return schema


def example_of(schema: dict[str, Any]) -> Any:
    """An instance made of the spec's examples: the nearest `example`/`examples` wins."""
    schema = _resolve(schema)
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(example_of(part))
        return merged
    if schema.get("type") == "array":
        return [example_of(schema["items"])]
    if schema.get("type") == "object" or "properties" in schema:
        return {k: example_of(v) for k, v in schema.get("properties", {}).items()}
    return {"string": "x", "integer": 1, "number": 1.0, "boolean": True}.get(
        str(schema.get("type"))
    )


def response_example(path: str, method: str = "get", status: str = "200") -> Any:
    content = spec()["paths"][path][method]["responses"][status]["content"]["application/json"]
    if "example" in content:
        return content["example"]
    return example_of(content["schema"])


def error_example(path: str, method: str, status: str, name: str) -> dict[str, str]:
    content = spec()["paths"][path][method]["responses"][status]["content"]["application/json"]
    value: dict[str, str] = content["examples"][name]["value"]
    return value


@dataclass
class RecordedFullEnrich:
    """The exchange, with a few scripted turns: the first GET of a job answers the
    documented 400 in_progress; `rate_limit_next` answers 429s the way FullEnrich does
    (no Retry-After header)."""

    rate_limit_next: int = 0
    requests: list[httpx.Request] = field(default_factory=list)
    polls: int = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def async_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v2")
        auth = request.headers.get("authorization")
        if auth is None:
            return self._json(
                401, error_example("/account/credits", "get", "401", "AuthorizationHeaderNotSet")
            )
        if auth != f"Bearer {KEY}":
            return self._json(401, error_example("/account/credits", "get", "401", "UnknownApiKey"))
        if self.rate_limit_next:
            self.rate_limit_next -= 1
            return self._json(
                429, error_example("/contact/enrich/bulk", "post", "429", "RateLimitExceeded")
            )
        body: dict[str, Any] = json.loads(request.content) if request.content else {}
        route = (request.method, path)
        if route == ("GET", "/account/keys/verify"):
            return self._json(200, {"workspace_id": ENRICHMENT_ID})
        if route == ("GET", "/account/credits"):
            return self._json(200, {"balance": 5000})
        if route == ("POST", "/contact/enrich/bulk"):
            assert_schema(body, "RequestPostContactBulkEnrich")
            if not body["name"]:
                return self._json(
                    400,
                    error_example("/contact/enrich/bulk", "post", "400", "EnrichmentNameNotSet"),
                )
            return self._json(200, {"enrichment_id": ENRICHMENT_ID})
        if route == ("GET", f"/contact/enrich/bulk/{ENRICHMENT_ID}"):
            self.polls += 1
            if self.polls == 1:
                return self._json(
                    400,
                    {
                        "code": "error.enrichment.in_progress",
                        "message": "Enrichment not ready, try again in 30 seconds",
                    },
                )
            return self._json(200, response_example("/contact/enrich/bulk/{enrichment_id}"))
        if path.startswith("/contact/enrich/bulk/"):
            return self._json(
                404, {"code": "error.enrichment.not_found", "message": "Enrichment ID not found"}
            )
        if route == ("POST", "/contact/reverse/email/bulk"):
            assert_schema(body, "RequestPostContactBulkReverseEmail")
            return self._json(200, {"enrichment_id": ENRICHMENT_ID})
        if route == ("GET", f"/contact/reverse/email/bulk/{ENRICHMENT_ID}"):
            return self._json(200, response_example("/contact/reverse/email/bulk/{enrichment_id}"))
        if route == ("POST", "/people/search"):
            assert_schema(body, "SearchPeopleRequest")
            return self._json(200, self._page("/people/search", "people", body))
        if route == ("POST", "/company/search"):
            assert_schema(body, "SearchCompanyRequest")
            return self._json(200, self._page("/company/search", "companies", body))
        if route == ("POST", "/people/lookup"):
            assert_schema(body, "LookUpPeopleRequest")
            return self._json(200, response_example("/people/lookup", "post"))
        if route == ("POST", "/company/lookup"):
            assert_schema(body, "LookUpCompanyRequest")
            return self._json(200, response_example("/company/lookup", "post"))
        return self._json(404, {"code": "error.not_found", "message": "Not Found"})

    def _page(self, path: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Two pages of `limit` results, then an empty page that still carries a cursor
        (FullEnrich hands one out after the last result)."""
        page: dict[str, Any] = response_example(path, "post")
        one = page[key][0]
        limit = body.get("limit", 10)
        cursor = body.get("search_after")
        if cursor is None:
            items, following = [one] * limit, SECOND_CURSOR
        elif cursor == SECOND_CURSOR:
            items, following = [one] * limit, "last-page"
        else:
            items, following = [], "after-the-end"
        page[key] = items
        page["metadata"] = {
            **page["metadata"],
            "search_after": following,
            "credits": 0.25 * len(items),
        }
        return page

    @staticmethod
    def _json(status: int, body: Any) -> httpx.Response:
        return httpx.Response(status, json=body)
