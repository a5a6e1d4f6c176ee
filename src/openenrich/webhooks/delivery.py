"""The sending loop: lease due events, POST them signed, log every attempt, back off.

At-least-once: an event is marked delivered only after a 2xx, and a sender that dies
mid-attempt loses its lease, so the event is sent again, with the same `webhook-id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from cachetools import LRUCache
from sqlalchemy.ext.asyncio import AsyncSession

from openenrich.db import Database, utcnow
from openenrich.retrying import exponential_backoff, retry_after_seconds
from openenrich.webhooks import repository
from openenrich.webhooks.fairness import Gate
from openenrich.webhooks.models import EventStatus, WebhookAttempt, WebhookEvent
from openenrich.webhooks.sealing import Sealer
from openenrich.webhooks.settings import WebhookSettings
from openenrich.webhooks.signing import fullenrich_signature, standard_headers
from openenrich.webhooks.ssrf import BlockedDestination, Guard, ResolutionFailed
from openenrich.webhooks.transport import PinnedTransport
from openenrich.webhooks.workspace_secrets import workspace_secret

log = logging.getLogger(__name__)

USER_AGENT = "OpenEnrich-Webhooks/1"
SIGNATURE_CACHE_SIZE = 1024
# Bodies from this size on are signed in a process (a thread would take the loop's lock
# for tens of milliseconds or more).
HEAVY_SIGNING_BYTES = 16 * 1024
REFUSED = "refused: destination not allowed"


@dataclass(slots=True)
class Result:
    """What one attempt came to."""

    status_code: int | None = None
    body: str | None = None
    error: str | None = None
    retry_after: float | None = None
    permanent: bool = False  # no point retrying (refused destination, 410 Gone)

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def receiver_failed(self) -> bool:
        """The receiver did not take it: no answer, a 5xx or a 429 (the receiver is then
        paused); a refusal of ours or a 4xx says nothing about the receiver's health."""
        if self.permanent:
            return False
        if self.status_code is None:
            return True
        return self.status_code >= 500 or self.status_code == 429


def backoff(
    settings: WebhookSettings, attempt: int, draw: Callable[[], float] = random.random
) -> float:
    """Seconds before retry number `attempt` (1-based): exponential, capped, jittered."""
    return exponential_backoff(
        attempt - 1,
        base=settings.webhook_backoff_base_seconds,
        cap=settings.webhook_backoff_max_seconds,
        jitter=settings.webhook_jitter,
        draw=draw,
    )


class Deliverer:
    def __init__(
        self,
        db: Database,
        sealer: Sealer,
        settings: WebhookSettings,
        guard: Guard,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.db = db
        self.sealer = sealer
        self.settings = settings
        self.guard = guard
        self.transport = PinnedTransport(guard, inner)
        self.client = httpx.AsyncClient(
            transport=self.transport,
            follow_redirects=False,
            timeout=httpx.Timeout(settings.webhook_timeout_seconds),
            headers={"User-Agent": USER_AGENT},
        )
        self.gate = Gate(
            per_workspace=settings.webhook_max_in_flight_per_workspace,
            per_receiver=settings.webhook_max_in_flight_per_receiver,
            pause_base=settings.webhook_backoff_base_seconds,
            pause_max=settings.webhook_receiver_pause_max_seconds,
        )
        self._wake = asyncio.Event()
        # An event's body never changes, so neither does its signature: retries reuse it.
        self._signatures: LRUCache[str, str] = LRUCache(maxsize=SIGNATURE_CACHE_SIZE)
        # The SHA-1 of `X-Signature-SHA1` is pure Python (about 2 s per MB). A small body is
        # signed on a thread; a large one in a process of its own, started on first use,
        # since a thread would hold the interpreter lock the event loop needs (a 3 MB body
        # pushed /healthz p95 to 0.37 s). One signer each: more would not sign faster.
        self._signer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="openenrich-sign")
        self._heavy_signer: ProcessPoolExecutor | None = None

    def poke(self) -> None:
        """Look for due events now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Keep up to `webhook_concurrency` attempts in flight, claiming more as soon as
        one ends: a receiver that never answers holds its own slots until its timeout,
        never a round that other workspaces' webhooks wait behind."""
        tasks: set[asyncio.Task[None]] = set()
        try:
            while True:
                self._wake.clear()
                try:
                    await self._fill(tasks)
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    # The type only at ERROR: a message or traceback may quote contact data.
                    log.error("webhook delivery round failed: %s", type(error).__name__)
                    log.debug("webhook delivery failure", exc_info=True)
                # asyncio.timeout, not wait_for: on 3.11, wait_for can swallow a cancel
                # that lands as the event is set, and stopping the loop then hangs.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.webhook_poll_seconds):
                        await self._wake.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.aclose()

    async def _fill(self, tasks: set[asyncio.Task[None]]) -> None:
        free = self.settings.webhook_concurrency - len(tasks)
        if free <= 0:
            return
        for lease in await self.claim(free):
            self.gate.enter(lease.workspace_id, lease.receiver)
            task = asyncio.create_task(self._attempt(lease))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            task.add_done_callback(lambda _: self._wake.set())

    async def claim(self, limit: int) -> list[repository.Lease]:
        """Lease up to `limit` due events that fit under the gate's caps."""
        gate = self.gate
        async with self.db.read() as session:
            candidates = await repository.due_candidates(
                session,
                limit * 2,
                per_workspace=gate.per_workspace,
                per_receiver=gate.per_receiver,
                skip_receivers=gate.skip_receivers(),
                skip_workspaces=gate.skip_workspaces(),
            )
        chosen = [c.event_id for c in gate.choose(candidates, limit)]
        if not chosen:
            return []
        lease = timedelta(seconds=self.settings.webhook_timeout_seconds + 30)
        async with self.db.transaction() as session:
            return await repository.lease(session, chosen, lease)

    async def _attempt(self, lease: repository.Lease) -> None:
        receiver_failed = True
        try:
            result = await self._deliver(lease)
            receiver_failed = result.receiver_failed
        except Exception as error:
            log.error("webhook %s attempt failed: %s", lease.event_id, type(error).__name__)
            log.debug("webhook attempt failure", exc_info=True)
        finally:
            self.gate.leave(lease.workspace_id, lease.receiver, receiver_failed)

    async def _deliver(self, lease: repository.Lease) -> Result:
        async with self.db.read() as session:
            event = await session.get(WebhookEvent, lease.event_id)
            assert event is not None
            states = await self._signing_states(session, event.enrichment_id)
            manual = event.round_attempts == 0 and event.attempts > 0
        secret = await workspace_secret(self.db, self.sealer, event.workspace_id, event.sandbox)
        started = utcnow()
        clock = time.monotonic()
        result = await self._post(event, states, secret)
        attempt = WebhookAttempt(
            event_id=event.id,
            number=event.attempts + 1,
            started_at=started,
            duration_ms=int((time.monotonic() - clock) * 1000),
            status_code=result.status_code,
            error=result.error[:500] if result.error else None,
            response_body=result.body,
            succeeded=result.succeeded,
            manual=manual,
        )
        status, due = self._next(event, result)
        attempt.next_attempt_at = due
        async with self.db.transaction() as session:
            kept = await repository.record_attempt(session, lease, attempt, status, due)
        if not kept:
            log.info("webhook %s was rescheduled meanwhile; attempt not logged", event.id)
        elif status == EventStatus.FAILED:
            log.warning("webhook %s gave up after %d attempts", event.id, attempt.number)
        return result

    def _next(self, event: WebhookEvent, result: Result) -> tuple[str, datetime | None]:
        if result.succeeded:
            return EventStatus.SUCCEEDED, None
        tried = event.round_attempts + 1
        if result.permanent or tried >= self.settings.webhook_max_attempts:
            return EventStatus.FAILED, None
        delay = backoff(self.settings, tried)
        if result.retry_after is not None:
            delay = max(
                delay, min(result.retry_after, self.settings.webhook_retry_after_max_seconds)
            )
        return EventStatus.PENDING, utcnow() + timedelta(seconds=delay)

    async def _signing_states(self, session: AsyncSession, enrichment_id: str) -> bytes | None:
        """The creating key's HMAC-SHA1 midstates; None for an enrichment created without
        a key, or before midstates were kept (it is then sent without `X-Signature-SHA1`)."""
        sealed = await repository.sealed_states(session, enrichment_id)
        opened = self.sealer.open(sealed) if sealed else None
        return bytes.fromhex(opened) if opened else None

    async def headers(
        self, event: WebhookEvent, states: bytes | None, secret: str
    ) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        headers.update(standard_headers(secret, event.id, datetime.now(UTC), event.body))
        if states:
            headers["X-Signature-SHA1"] = await self._signature(event, states)
        return headers

    async def _signature(self, event: WebhookEvent, states: bytes) -> str:
        signature = self._signatures.get(event.id)
        if signature is None:
            signature = await self._sign(event.body, states)
            self._signatures[event.id] = signature
        return signature

    async def _sign(self, body: bytes, states: bytes) -> str:
        loop = asyncio.get_running_loop()
        if len(body) >= HEAVY_SIGNING_BYTES:
            if self._heavy_signer is None:
                context = multiprocessing.get_context("spawn")
                self._heavy_signer = ProcessPoolExecutor(max_workers=1, mp_context=context)
            try:
                return await loop.run_in_executor(
                    self._heavy_signer, fullenrich_signature, body, states
                )
            except BrokenProcessPool:  # the signer died (killed, out of memory): a thread
                self._heavy_signer = None
        return await loop.run_in_executor(self._signer, fullenrich_signature, body, states)

    async def _post(self, event: WebhookEvent, states: bytes | None, secret: str) -> Result:
        headers = await self.headers(event, states, secret)
        try:
            return await asyncio.wait_for(
                self._exchange(event.url, event.body, headers),
                self.settings.webhook_timeout_seconds,
            )
        # The tenant reads `error` in the delivery log: it says what happened, never what a
        # name resolved to nor which address was tried (no oracle on internal DNS); the
        # operator's log has the reason.
        except BlockedDestination as error:
            log.info("webhook %s refused: %s", event.id, error.reason)
            return Result(error=REFUSED, permanent=True)
        except ResolutionFailed:
            return Result(error="dns: the host did not resolve")
        except TimeoutError:
            return Result(error="timeout")
        except httpx.InvalidURL:
            return Result(error="invalid url", permanent=True)
        except httpx.HTTPError as error:
            log.debug("webhook %s: %s", event.id, error)
            return Result(error=type(error).__name__)
        except Exception as error:  # a bug or an odd reply must not wedge the event
            log.error("webhook %s: unexpected failure: %s", event.id, type(error).__name__)
            log.debug("webhook %s failure", event.id, exc_info=True)
            return Result(error=type(error).__name__)

    async def _exchange(self, url: str, body: bytes, headers: dict[str, str]) -> Result:
        limit = self.settings.webhook_response_max_bytes
        async with self.client.stream("POST", url, content=body, headers=headers) as response:
            kept = bytearray()
            async for chunk in response.aiter_bytes():
                kept.extend(chunk[: limit - len(kept)])
                if len(kept) >= limit:
                    break
            return Result(
                status_code=response.status_code,
                body=kept.decode("utf-8", "replace"),
                retry_after=retry_after_seconds(response.headers.get("retry-after")),
                permanent=response.status_code == 410,
            )

    async def aclose(self) -> None:
        self._signer.shutdown(wait=False, cancel_futures=True)
        if self._heavy_signer is not None:
            self._heavy_signer.shutdown(wait=False, cancel_futures=True)
        await self.client.aclose()
