"""Reading vendor replies: JSON bodies, Retry-After, and the usual HTTP error classes.

Adapters call `check_status` first (with their vendor's quirks as overrides), then read
the body through the `Shape` they declare once (the JSON object and the keys the vendor
documents for an answer, a miss included), then pick values with `text`/`mapping`/`items`,
which treat the wrong type as absent (vendors send `true` in place of a masked email, `{}`
for null, and so on). A body that is not JSON, or not of the declared shape (`[]`, a
string, `{"data": null}` where an object is due), is a `GarbageReply`, never a miss.
Error details carry the status and the vendor's error code, never the body's free text,
which may echo the person looked up. The request-side checks every adapter shares (the
minimum input a lookup needs, dropping empty values from a body) live here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from openenrich.domain import CompanyQuery, ContactQuery
from openenrich.providers.base import ErrorKind, GarbageReply, Pending, ProviderError
from openenrich.providers.person import linkedin_url
from openenrich.retrying import retry_after_seconds

__all__ = [
    "ANY_OBJECT",
    "ARRAY",
    "BOOLEAN",
    "COMPANY_INPUT",
    "LOOKUP_INPUT",
    "NULL",
    "NUMBER",
    "OBJECT",
    "STRING",
    "Shape",
    "body_error",
    "check_status",
    "checked_body",
    "error_code",
    "fail",
    "filled",
    "garbage",
    "integer",
    "items",
    "json_array",
    "json_body",
    "mapping",
    "maybe_json",
    "missed",
    "pending_from_path",
    "requested_email",
    "require_company_input",
    "require_lookup_input",
    "require_name_or_linkedin",
    "retry_after",
    "text",
    "texts",
]

LOOKUP_INPUT = "needs a LinkedIn URL, an email, or a name with a company"
COMPANY_INPUT = "needs a domain, or a professional network URL or ID"
_NAME_OR_LINKEDIN = "needs first and last name with a company, or a LinkedIn URL"

_DEFAULT_KINDS: Mapping[int, ErrorKind] = {
    400: ErrorKind.BAD_REQUEST,
    401: ErrorKind.AUTH,
    402: ErrorKind.QUOTA,
    403: ErrorKind.AUTH,
    408: ErrorKind.TRANSIENT,
    425: ErrorKind.TRANSIENT,
    429: ErrorKind.RATE_LIMITED,
}


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from the reply's `Retry-After` (delta-seconds or an HTTP date)."""
    return retry_after_seconds(response.headers.get("retry-after"))


def error_code(body: Any) -> str:
    """The vendor's machine-readable error code in a body, or '' (never free text)."""
    if isinstance(body, Mapping):
        for key in ("error_code", "code", "type", "id"):
            value = body.get(key)
            if isinstance(value, str) and value and len(value) <= 64 and " " not in value:
                return value
        for key in ("error", "errors"):
            nested = body.get(key)
            if isinstance(nested, list) and nested:
                nested = nested[0]
            if isinstance(nested, Mapping):
                return error_code(nested)
    return ""


def fail(
    kind: ErrorKind, response: httpx.Response, code: str = "", retry: float | None = None
) -> ProviderError:
    """A `ProviderError` naming the HTTP status and vendor code."""
    detail = f"HTTP {response.status_code}" + (f" {code}" if code else "")
    if retry is None and kind is ErrorKind.RATE_LIMITED:
        retry = retry_after(response)
    return ProviderError(kind, detail, retry)


def maybe_json(response: httpx.Response) -> Any:
    """The decoded JSON body, or None when there is none (for reading error replies)."""
    try:
        return response.json()
    except ValueError:
        return None


def check_status(
    response: httpx.Response, overrides: Mapping[int, ErrorKind | None] | None = None
) -> None:
    """Raise `ProviderError` for a failed reply; return for 2xx.

    Defaults: 401/403 auth, 402 quota, 429 rate limited (Retry-After honoured), 408/425
    and 5xx transient, any other 4xx bad request, anything else (1xx, 3xx) transient.
    `overrides` maps a status to another kind, or to None to let it through (a vendor's
    404 that means "no match", a 202 that the adapter reads itself).
    """
    status = response.status_code
    if overrides and status in overrides:
        kind = overrides[status]
        if kind is None:
            return
    elif 200 <= status < 300:
        return
    elif status in _DEFAULT_KINDS:
        kind = _DEFAULT_KINDS[status]
    elif 400 <= status < 500:
        kind = ErrorKind.BAD_REQUEST
    else:
        kind = ErrorKind.TRANSIENT
    raise fail(kind, response, error_code(maybe_json(response)))


def garbage(response: httpx.Response, what: str) -> GarbageReply:
    """The reply is not what the vendor documents (`what` says how, never quoting it)."""
    return GarbageReply(f"HTTP {response.status_code} {what}")


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body; a body that is not JSON is garbage."""
    try:
        return response.json()
    except ValueError as exc:
        raise garbage(response, "unparseable body") from exc


# JSON types, as the Python types `json` decodes them to; combine with `+` (`OBJECT + NULL`).
OBJECT: tuple[type, ...] = (dict,)
ARRAY: tuple[type, ...] = (list,)
STRING: tuple[type, ...] = (str,)
NUMBER: tuple[type, ...] = (int, float)
BOOLEAN: tuple[type, ...] = (bool,)
NULL: tuple[type, ...] = (type(None),)

_JSON_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return _JSON_NAMES.get(type(value), type(value).__name__)


def _is(value: Any, types: tuple[type, ...]) -> bool:
    """`isinstance`, except that a boolean is not a number (Python counts it as one)."""
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


class Shape:
    """The 2xx reply a vendor documents, declared once per adapter: a JSON object whose
    `keys` are present with values of the given JSON types, e.g.
    `Shape(person=OBJECT + NULL)` (Apollo: a person, or null for a miss). Other keys are
    read leniently. Anything else (`[]`, a string, an object without those keys) is a
    `GarbageReply`, so a vendor answering nonsense is never read as a clean miss."""

    __slots__ = ("keys",)

    def __init__(self, **keys: tuple[type, ...]) -> None:
        self.keys = keys

    def check(self, response: httpx.Response, body: Any) -> Mapping[str, Any]:
        """`body` (decoded from `response`) if it has this shape; else `GarbageReply`."""
        if not isinstance(body, Mapping):
            raise garbage(response, f"body is {_json_type(body)}, not an object")
        for key, types in self.keys.items():
            if key not in body:
                raise garbage(response, f"body has no '{key}'")
            if not _is(body[key], types):
                raise garbage(response, f"'{key}' is {_json_type(body[key])}")
        return body

    def read(
        self, response: httpx.Response, overrides: Mapping[int, ErrorKind | None] | None = None
    ) -> Mapping[str, Any]:
        """`check_status`, then the JSON body, checked against this shape."""
        check_status(response, overrides)
        return self.check(response, json_body(response))


ANY_OBJECT = Shape()


def checked_body(
    response: httpx.Response, overrides: Mapping[int, ErrorKind | None] | None = None
) -> Mapping[str, Any]:
    """`check_status`, then the JSON body, which must be an object (else garbage)."""
    return ANY_OBJECT.read(response, overrides)


def json_array(response: httpx.Response) -> list[Any]:
    """`check_status`, then the JSON body, which must be a non-empty array (else garbage)."""
    check_status(response)
    body = json_body(response)
    if not isinstance(body, list) or not body:
        shown = "an empty array" if body == [] else _json_type(body)
        raise garbage(response, f"body is {shown}, not a list of results")
    return body


def mapping(value: Any) -> Mapping[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def text(value: Any) -> str | None:
    """A non-blank string, stripped; anything else (None, booleans, numbers) is None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def integer(value: Any) -> int | None:
    """An integer (not a boolean, which Python counts as one), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def texts(value: Any) -> list[str]:
    """The non-blank strings of a JSON array, stripped; anything else is dropped."""
    return [s for s in (text(v) for v in items(value)) if s]


def missed(
    response: httpx.Response, overrides: Mapping[int, ErrorKind | None] | None = None
) -> bool:
    """`check_status` for a vendor whose 404 means "no match": True for that clean miss."""
    check_status(response, {**(overrides or {}), 404: None})
    return response.status_code == 404


def requested_email(response: httpx.Response) -> str:
    """The `email` query parameter of the request a verifier's reply answers."""
    return str(response.request.url.params.get("email", ""))


def pending_from_path(response: httpx.Response, poll_after: float) -> Pending:
    """Still running: poll again the job named by the last segment of the polled URL."""
    handle = response.request.url.path.rstrip("/").rsplit("/", 1)[-1]
    return Pending(handle, poll_after)


def body_error(
    response: httpx.Response, message: str, auth_words: tuple[str, ...] = ("key",)
) -> ProviderError:
    """An error a verifier words in a 200 body: credits are the quota, a word of
    `auth_words` the key, anything else our request. Only a code goes in the detail."""
    lowered = message.lower()
    if "credit" in lowered:
        return fail(ErrorKind.QUOTA, response, "credits")
    if any(word in lowered for word in auth_words):
        return fail(ErrorKind.AUTH, response, "api_key")
    return fail(ErrorKind.BAD_REQUEST, response, "error")


def filled(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` without its empty (falsy) entries, for a request body or query string."""
    return {key: value for key, value in values.items() if value}


def require_lookup_input(
    query: ContactQuery, detail: str = LOOKUP_INPUT, *, canonical: bool = False
) -> None:
    """Refuse a query with neither a LinkedIn URL, an email, nor a full name with a
    company (domain or name). With `canonical`, only a public profile URL counts."""
    url = linkedin_url(query.linkedin_url) if canonical else query.linkedin_url
    named = bool(query.first_name and query.last_name)
    if not (url or query.email or (named and (query.domain or query.company_name))):
        raise ProviderError(ErrorKind.BAD_REQUEST, detail)


def require_name_or_linkedin(query: ContactQuery) -> None:
    """Refuse a query with neither a full name with a company nor a LinkedIn URL."""
    named = bool(query.first_name and query.last_name)
    if not query.linkedin_url and not (named and (query.domain or query.company_name)):
        raise ProviderError(ErrorKind.BAD_REQUEST, _NAME_OR_LINKEDIN)


def require_company_input(query: CompanyQuery, detail: str = COMPANY_INPUT) -> None:
    """Refuse a company query with neither a domain nor a professional network URL or ID."""
    url = query.professional_network_url.strip()
    if not (query.domain.strip() or url or query.professional_network_id):
        raise ProviderError(ErrorKind.BAD_REQUEST, detail)
