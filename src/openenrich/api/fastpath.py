"""The hot read path: a poll of a finished job, answered without FastAPI.

Clients poll `GET .../bulk/{id}` far more often than they do anything else, and a finished
job's body never changes. Routing and dependency resolution cost several times what the
rest of such a request does, so a GET whose answer the reader already holds is served
here, through the same `Authenticator`, `RequestLimiter` and `ResultReader` the endpoints
use: the same keys, the same limit, the same workspace-and-mode isolation, the same bytes.
Everything else (another path, a body not read yet, an error) goes down to the app, which
answers it exactly as it would have."""

from __future__ import annotations

import re
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from openenrich.accounts.auth import Authenticator, RequestLimiter, bearer_token
from openenrich.api.http import JSON, error_response
from openenrich.enrichment.models import JobKind
from openenrich.enrichment.service import ResultReader
from openenrich.errors import AppError

_RESULT = re.compile(r"/api/v2/contact/(enrich|reverse/email)/bulk/([0-9a-fA-F-]{36})")
_KINDS = {"enrich": JobKind.ENRICH, "reverse/email": JobKind.REVERSE_EMAIL}


class Readers(Protocol):
    """What this path takes from the process (`openenrich.services.Services` fits)."""

    @property
    def auth(self) -> Authenticator: ...
    @property
    def limiter(self) -> RequestLimiter: ...
    @property
    def reader(self) -> ResultReader: ...


class CachedResults:
    """ASGI middleware answering polls of jobs whose terminal body is already held."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        matched = _RESULT.fullmatch(scope["path"])
        if matched is None:
            await self.app(scope, receive, send)
            return
        found: Readers = scope["app"].state.services
        authorization = None
        for name, value in scope["headers"]:
            if name == b"sub-account-id":  # a scoped read: the app checks the scope
                await self.app(scope, receive, send)
                return
            if name == b"authorization":
                authorization = value.decode("latin-1")
        try:
            caller = await found.auth.caller(bearer_token(authorization))
        except AppError:
            await self.app(scope, receive, send)  # the app renders the 401 itself
            return
        answer = found.reader.cached(caller, matched.group(2), _KINDS[matched.group(1)])
        if answer is None:
            await self.app(scope, receive, send)  # read from the database, then held
            return
        try:
            await found.limiter.hit(caller.workspace_id, caller.sandbox)
        except AppError as error:
            await error_response(error)(scope, receive, send)
            return
        status, body = answer
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", JSON.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
