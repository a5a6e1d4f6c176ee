"""`Idempotency-Key` on creating POSTs: the same key with the same request within 24 hours
answers the first response again (same status, same body); with another request, a 422.

The key is claimed (a unique row, committed in its own transaction) before the work, so
concurrent requests with one key, on any replica, run the work once: the others wait for
its response and replay it."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable

import orjson
from fastapi import Request
from fastapi.responses import Response

from openenrich import errors
from openenrich.accounts.idempotency import Busy, Claimed, Completed, IdempotencyStore
from openenrich.accounts.repository import Caller
from openenrich.api.http import error_response, json_response

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY = 255


async def fingerprint(request: Request) -> str:
    """What makes two requests "the same": method, path, query and the JSON body (key
    order and whitespace aside; a body that is not JSON counts byte for byte)."""
    raw = await request.body()
    try:
        body = orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS) if raw else b""
    except orjson.JSONDecodeError:
        body = raw
    digest = hashlib.sha256()
    for part in (
        request.method.encode(),
        request.url.path.encode(),
        orjson.dumps(sorted(request.query_params.multi_items())),
        body,
    ):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _key(value: str) -> str:
    key = value.strip()
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable():
        raise errors.IdempotencyKeyInvalid()
    return key


class Idempotency:
    def __init__(self, store: IdempotencyStore, wait: float = 60.0, poll: float = 0.05) -> None:
        self.store = store
        self.wait = wait
        self.poll = poll

    async def run(
        self, request: Request, caller: Caller, work: Callable[[], Awaitable[Response]]
    ) -> Response:
        """`work()` once per key; without the header, simply `work()`."""
        header = request.headers.get(HEADER)
        if header is None:
            return await work()
        key = _key(header)
        request_print = await fingerprint(request)
        deadline = time.monotonic() + self.wait
        while True:
            claim = await self.store.claim(caller, key, request_print)
            if isinstance(claim, Completed):
                return json_response(claim.body, claim.status_code, {REPLAYED: "true"})
            if isinstance(claim, Claimed):
                break
            assert isinstance(claim, Busy)
            if time.monotonic() > deadline:
                raise errors.IdempotencyInProgress()
            await asyncio.sleep(self.poll)
        try:
            response = await work()
        except errors.AppError as error:
            response = error_response(error)
        except BaseException:
            await self.store.release(claim)
            raise
        if response.status_code >= 500 or response.status_code == 429:
            await self.store.release(claim)  # not an answer to keep: a retry runs again
        else:
            await self.store.complete(claim, response.status_code, bytes(response.body))
        return response
