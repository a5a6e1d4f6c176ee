"""`openenrich providers check`: test each key with the vendor's cheapest authenticated
call. Adapters opt in by implementing `CheckableAdapter` (and `CheckParsingAdapter` to read
the reply themselves); a key exchange (`TokenAuthAdapter`) is a check in itself."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from openenrich.providers.base import (
    CheckableAdapter,
    CheckParsingAdapter,
    ErrorKind,
    ProviderError,
    TokenAuthAdapter,
)

__all__ = ["CheckResult", "check_key"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool | None  # None: the vendor offers no free call to check with
    detail: str


_STATUS_MEANING = {
    401: "key refused (401)",
    403: "key refused or plan without API access (403)",
    402: "out of credits (402)",
    429: "key accepted, rate limited right now (429)",
}


async def check_key(adapter: object, api_key: str, http: httpx.AsyncClient) -> CheckResult:
    """Check one key with whatever `adapter` declares it can do (any adapter, even one
    that declares nothing: then the key is only reported present)."""
    try:
        if isinstance(adapter, CheckableAdapter):
            response = await http.send(adapter.build_check(api_key))
            if isinstance(adapter, CheckParsingAdapter):
                adapter.parse_check(response)
            elif response.status_code == 429:
                return CheckResult(True, _STATUS_MEANING[429])
            elif response.status_code >= 400:
                meaning = _STATUS_MEANING.get(response.status_code)
                return CheckResult(False, meaning or f"HTTP {response.status_code}")
            return CheckResult(True, f"HTTP {response.status_code}")
        if isinstance(adapter, TokenAuthAdapter):
            adapter.parse_token(await http.send(adapter.build_token_request(api_key)))
            return CheckResult(True, "token exchange succeeded")
    except ProviderError as exc:
        if exc.kind is ErrorKind.RATE_LIMITED:
            return CheckResult(True, "key accepted, rate limited right now")
        return CheckResult(False, str(exc))
    except httpx.HTTPError as exc:
        return CheckResult(False, f"unreachable: {type(exc).__name__}")
    return CheckResult(None, "no free call to check the key with; key present")
