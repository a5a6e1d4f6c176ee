"""A real HTTP receiver on 127.0.0.1 for webhook tests, with its own signature checks."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from openenrich.services import Services
from openenrich.webhooks import Deliverer, WebhookSettings


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


class Receiver:
    """Answers POSTs with scripted replies (then 200), records every request it got."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: list[Reply] = []
        self.default = Reply()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    def start(self) -> Receiver:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                with owner._lock:
                    owner.received.append(
                        Received(
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            time.monotonic(),
                        )
                    )
                    reply = owner.script.pop(0) if owner.script else owner.default
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]


def verify_sha1(body: bytes, api_key: str, header: str | None) -> bool:
    """FullEnrich's check: lowercase hex HMAC-SHA1 of the raw body, keyed with the key."""
    expected = hmac.new(api_key.encode(), body, hashlib.sha1).hexdigest()
    return header is not None and hmac.compare_digest(expected, header)


def verify_standard(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, base64, `v1,` prefixed."""
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > 300:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(sig.partition(",")[2], expected)
        for sig in headers["webhook-signature"].split()
        if sig.startswith("v1,")
    )


def fast_settings(**overrides: object) -> WebhookSettings:
    """Delivery settings for tests: loopback (on any port) allowed, retries within tenths
    of a second."""
    values: dict[str, object] = {
        "webhook_allow_hosts": "127.0.0.1",
        "webhook_allowed_ports": "*",
        "webhook_backoff_base_seconds": 0.05,
        "webhook_backoff_max_seconds": 0.2,
        "webhook_jitter": 0.5,
        "webhook_timeout_seconds": 2.0,
        "webhook_poll_seconds": 0.02,
        "webhook_max_attempts": 5,
    }
    values.update(overrides)
    return WebhookSettings(**values)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def delivering(
    services: Services,
    settings: WebhookSettings | None = None,
    inner: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Deliverer]:
    """The services' delivery loop, running for the block, with `settings` (fast ones by
    default) also governing the hub's request-time checks."""
    hub = services.webhooks
    hub.settings = settings or fast_settings()
    deliverer = hub.deliverer(inner=inner)
    task = asyncio.create_task(deliverer.run())
    try:
        yield deliverer
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        outcome = check()
        if not isinstance(outcome, bool):
            outcome = await outcome
        if outcome:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
