"""Error rendering, JSON bodies and the request-size guard."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openenrich.errors import AppError, RequestTimeout

JSON = "application/json"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(content=content, status_code=status, media_type=JSON, headers=headers)


def error_response(error: AppError) -> Response:
    return json_response(error.body(), error.status, error.headers)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise AppError("error.request.invalid", "Request body is not valid JSON") from None


def install_error_handlers(app: FastAPI) -> None:
    """Every failure leaves as `{"code", "message"}`; nothing else leaks."""

    async def app_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, AppError)
        return error_response(error)

    async def validation_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path"))
        message = f"Invalid value for '{where}'" if where else "Invalid request"
        return error_response(AppError("error.request.invalid", message))

    async def http_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        codes = {404: "error.not_found", 405: "error.method_not_allowed"}
        code = codes.get(error.status_code, "error.http")
        return error_response(AppError(code, str(error.detail), error.status_code))

    async def crash(_: Request, error: Exception) -> Response:
        return error_response(AppError("error.internal", "Internal server error", 500))

    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crash)


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, declared or streamed, and bodies
    whose next chunk takes longer than `timeout` seconds with 408 (the connection is then
    closed): a slow-body client cannot hold a request open for ever. Paths in `larger` have
    their own limit (file uploads, which stream to disk)."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        timeout: float | None = None,
        larger: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.limit)
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await self._refuse(scope, receive, send, limit)
                return
        seen = 0

        body_done = False

        async def counted() -> Message:
            nonlocal seen, body_done
            if body_done:  # later calls wait for a disconnect: no deadline
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                raise _SlowBody from None
            body_done = message["type"] != "http.request" or not message.get("more_body")
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, receive, send, limit)
        except _SlowBody:
            await error_response(RequestTimeout())(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        message = f"Request body exceeds {_size(limit)}"
        error = AppError("error.request.too_large", message, 413)
        await error_response(error)(scope, receive, send)


class _TooLarge(Exception):
    pass


class _SlowBody(Exception):
    pass


def _size(limit: int) -> str:
    """The configured limit as a person would write it ("1 MiB" by default)."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if limit >= scale and limit % scale == 0:
            return f"{limit // scale} {unit}"
    return f"{limit} bytes"
