"""How `openenrich serve` runs uvicorn: slow clients cut off, logs apart from output.

- A request head must be complete within `header_timeout_seconds` of the connection
  opening or of the previous response; uvicorn alone has no such deadline (its keep-alive
  timer stops at the first byte), so a slow-header client could hold a connection for ever.
- A request body is bounded in time by `BodyLimit` (`body_timeout_seconds`, then 408), and
  an idle kept-alive connection by `keep_alive_seconds` (uvicorn's `timeout_keep_alive`).
- Every log line, uvicorn's access log included, goes to stderr, so what a command prints
  on stdout (the first start's API keys) never mixes with the log stream.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol

from openenrich.config import Settings

# h11's own default; named here so it is a documented bound.
MAX_HEAD_BYTES = 16 * 1024


def log_config() -> dict[str, Any]:
    """uvicorn's logging, every handler on stderr."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    return config


def head_deadline_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection whose request head is not complete
    `seconds` after it opened or after the previous response."""

    class HeadDeadline(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _waiting_for: object = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.scope is not self._waiting_for:  # a new request head was parsed
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._waiting_for = self.scope
            self._deadline = self.loop.call_later(seconds, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                self.transport.close()

    return HeadDeadline


def uvicorn_config(app: Any, settings: Settings, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        log_config=log_config(),
        http=head_deadline_protocol(settings.header_timeout_seconds),
        timeout_keep_alive=max(1, round(settings.keep_alive_seconds)),
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
    )
