"""`Client`: the v2 API over `httpx.Client`. Mirrors `AsyncClient` method for method."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, Literal, Self, overload

import httpx

from openenrich.client import _base as base
from openenrich.client._errors import (
    ConnectionFailed,
    EnrichmentFailed,
    PaymentRequiredError,
)
from openenrich.client._models import (
    CompanyLookup,
    CompanyMatch,
    CompanyPage,
    CompanySearch,
    Contact,
    Credits,
    EmailVerification,
    EnrichField,
    Enrichment,
    EnrichmentStarted,
    EnrichmentStatus,
    KeyCheck,
    PeoplePage,
    PeopleSearch,
    PersonLookup,
    PersonMatch,
    ReverseEmailContact,
    ReverseEmailResult,
    SearchMetadata,
    WebhookEvents,
    WebhookSecret,
)
from openenrich.client._shared import enrich_body, next_page, reverse_body


class Client:
    """`Client(base_url=..., api_key=...)`; both default from the environment
    (`OPENENRICH_BASE_URL`, `OPENENRICH_API_KEY`). Works against FullEnrich too:
    `base_url="https://app.fullenrich.com"`.

    429s are absorbed: the call waits `Retry-After` (or the next minute) and tries again,
    up to `max_rate_limit_wait` seconds in all. GETs are retried on connection failures and
    5xx; POSTs only when the request never reached the server, so a retry cannot pay twice.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        requests_per_minute: int | None = None,
        max_rate_limit_wait: float = 600.0,
        retries: int = 3,
        transport: httpx.BaseTransport | None = None,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
    ) -> None:
        self.base_url = base.api_root(base_url)
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            headers=base.headers(base.api_key_from(api_key)),
            timeout=timeout,
            transport=transport,
        )
        self._pacer = base.Pacer(requests_per_minute)
        self._lock = threading.Lock()
        self.max_rate_limit_wait = max_rate_limit_wait
        self.retries = retries
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.rate_limited = 0  # 429s absorbed so far, for callers that report them

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- transport -------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        waited = 0.0
        attempt = 0
        idempotent = method == "GET"
        while True:
            with self._lock:
                delay = self._pacer.delay()
            if delay:
                time.sleep(delay)
            try:
                response = self._http.request(
                    method, path.lstrip("/"), json=json, params=params, headers=extra_headers
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                attempt += 1
                if attempt > self.retries:
                    raise ConnectionFailed(f"{self.base_url}: {error}") from error
                time.sleep(min(8.0, 0.5 * 2**attempt))
                continue
            except httpx.TransportError as error:
                attempt += 1
                if not idempotent or attempt > self.retries:
                    raise ConnectionFailed(f"{self.base_url}: {error}") from error
                time.sleep(min(8.0, 0.5 * 2**attempt))
                continue
            if response.status_code == 429:
                wait = base.retry_after(response)
                if waited + wait > self.max_rate_limit_wait:
                    base.raise_for(response)
                self.rate_limited += 1
                waited += wait
                time.sleep(wait)
                continue
            if response.status_code >= 500 and idempotent and attempt < self.retries:
                attempt += 1
                time.sleep(min(8.0, 0.5 * 2**attempt))
                continue
            return response

    # --- account ---------------------------------------------------------------------

    def check_key(self) -> KeyCheck:
        """`GET /account/keys/verify`: the workspace the key belongs to."""
        return base.parse(KeyCheck, self._request("GET", "account/keys/verify"))

    def credits(self) -> Credits:
        """`GET /account/credits`: the balance the key spends from (sandbox keys: sandbox)."""
        return base.parse(Credits, self._request("GET", "account/credits"))

    # --- enrichment ------------------------------------------------------------------

    def start_enrichment(
        self,
        contacts: Iterable[Contact | Mapping[str, Any]],
        fields: Iterable[EnrichField | str] = base.DEFAULT_FIELDS,
        *,
        name: str = "OpenEnrich SDK",
        webhook_url: str | None = None,
        webhook_events: WebhookEvents | None = None,
        silent_fail: bool = False,
        idempotency_key: str | None = None,
    ) -> str:
        """`POST /contact/enrich/bulk` for up to 100 contacts; returns the enrichment id.
        `idempotency_key` is sent as `Idempotency-Key` (servers without support ignore it)."""
        body = enrich_body(contacts, fields, name, webhook_url, webhook_events)
        response = self._request(
            "POST",
            "contact/enrich/bulk",
            json=body,
            params={"silentFail": "true"} if silent_fail else None,
            extra_headers={"Idempotency-Key": idempotency_key} if idempotency_key else None,
        )
        return base.parse(EnrichmentStarted, response).enrichment_id

    def get_enrichment(self, enrichment_id: str, *, force_results: bool = False) -> Enrichment:
        """`GET /contact/enrich/bulk/{id}`. A running job reads as IN_PROGRESS whichever way
        the server says so; a job out of credits is returned (status CREDITS_INSUFFICIENT)."""
        response = self._request(
            "GET",
            f"contact/enrich/bulk/{enrichment_id}",
            params={"forceResults": "true"} if force_results else None,
        )
        return base.job_result(Enrichment, response, enrichment_id)

    def wait_enrichment(self, enrichment_id: str, *, timeout: float | None = None) -> Enrichment:
        """Poll with backoff until the job is terminal; TimeoutError after `timeout` s."""
        deadline = None if timeout is None else time.monotonic() + timeout
        backoff = base.Backoff(self.poll_interval, self.max_poll_interval)
        while True:
            result = self.get_enrichment(enrichment_id)
            if result.status.terminal:
                return result
            delay = backoff.next()
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"enrichment {enrichment_id} still {result.status}")
                delay = min(delay, left)
            time.sleep(delay)

    @overload
    def enrich(
        self,
        contacts: Iterable[Contact | Mapping[str, Any]],
        fields: Iterable[EnrichField | str] = ...,
        *,
        wait: Literal[True] = ...,
        name: str = ...,
        batch_size: int = ...,
        max_pending: int = ...,
        silent_fail: bool = ...,
    ) -> Iterator[base.EnrichedContact]: ...

    @overload
    def enrich(
        self,
        contacts: Iterable[Contact | Mapping[str, Any]],
        fields: Iterable[EnrichField | str] = ...,
        *,
        wait: Literal[False],
        name: str = ...,
        batch_size: int = ...,
        max_pending: int = ...,
        silent_fail: bool = ...,
    ) -> Iterator[str]: ...

    def enrich(
        self,
        contacts: Iterable[Contact | Mapping[str, Any]],
        fields: Iterable[EnrichField | str] = base.DEFAULT_FIELDS,
        *,
        wait: bool = True,
        name: str = "OpenEnrich SDK",
        batch_size: int = base.MAX_BATCH,
        max_pending: int = 20,
        silent_fail: bool = False,
    ) -> Iterator[base.EnrichedContact] | Iterator[str]:
        """Enrich any number of contacts: batches of `batch_size`, at most `max_pending`
        jobs running at once, polled with backoff; yields each contact as its batch ends
        (`EnrichedContact`, with its index in `contacts`). `wait=False` yields the ids of
        the started jobs instead. A batch that runs out of credits is yielded, then no
        further batch is started and `PaymentRequiredError` is raised; CANCELED, RATE_LIMIT
        and UNKNOWN raise `EnrichmentFailed` after their records are yielded."""
        stream = base.chunks(base.contacts_of(contacts, fields), batch_size)
        if not wait:
            return self._start_all(stream, name, silent_fail)
        return self._enrich(stream, name, max_pending, silent_fail)

    def _start_all(
        self, batches: Iterable[list[Contact]], name: str, silent_fail: bool
    ) -> Iterator[str]:
        for number, batch in enumerate(batches, 1):
            yield self.start_enrichment(batch, name=f"{name} #{number}", silent_fail=silent_fail)

    def _enrich(
        self, batches: Iterable[list[Contact]], name: str, max_pending: int, silent_fail: bool
    ) -> Iterator[base.EnrichedContact]:
        source = enumerate(batches, 1)
        pending: deque[tuple[int, list[Contact], str]] = deque()
        start = 0
        exhausted = False
        backoff = base.Backoff(self.poll_interval, self.max_poll_interval)
        failure: Exception | None = None
        while True:
            while not exhausted and failure is None and len(pending) < max_pending:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                number, batch = item
                job = self.start_enrichment(
                    batch, name=f"{name} #{number}", silent_fail=silent_fail
                )
                pending.append((start, batch, job))
                start += len(batch)
            if not pending:
                break
            first, batch, job = pending[0]
            result = self.get_enrichment(job)
            if not result.status.terminal:
                time.sleep(backoff.next())
                continue
            backoff.reset()
            pending.popleft()
            yield from base.pair_records(first, batch, result)
            if result.status is EnrichmentStatus.CREDITS_INSUFFICIENT and failure is None:
                failure = PaymentRequiredError(
                    402, "error.credits.insufficient", f"enrichment {job} ran out of credits"
                )
            elif result.status is not EnrichmentStatus.FINISHED and failure is None:
                failure = EnrichmentFailed(job, result.status.value)
        if failure is not None:
            raise failure

    # --- reverse email ---------------------------------------------------------------

    def start_reverse_email(
        self,
        emails: Iterable[str | ReverseEmailContact | Mapping[str, Any]],
        *,
        name: str = "OpenEnrich SDK reverse lookup",
        webhook_url: str | None = None,
        webhook_events: WebhookEvents | None = None,
        idempotency_key: str | None = None,
    ) -> str:
        """`POST /contact/reverse/email/bulk` for up to 100 emails; returns the job id."""
        response = self._request(
            "POST",
            "contact/reverse/email/bulk",
            json=reverse_body(emails, name, webhook_url, webhook_events),
            extra_headers={"Idempotency-Key": idempotency_key} if idempotency_key else None,
        )
        return base.parse(EnrichmentStarted, response).enrichment_id

    def get_reverse_email(self, enrichment_id: str) -> ReverseEmailResult:
        """`GET /contact/reverse/email/bulk/{id}` (402 returned as a result, like jobs)."""
        response = self._request("GET", f"contact/reverse/email/bulk/{enrichment_id}")
        return base.job_result(ReverseEmailResult, response, enrichment_id)

    def wait_reverse_email(
        self,
        enrichment_id: str,
        *,
        timeout: float | None = None,
    ) -> ReverseEmailResult:
        deadline = None if timeout is None else time.monotonic() + timeout
        backoff = base.Backoff(self.poll_interval, self.max_poll_interval)
        while True:
            result = self.get_reverse_email(enrichment_id)
            if result.status.terminal:
                return result
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"reverse lookup {enrichment_id} still {result.status}")
            time.sleep(backoff.next())

    def reverse_email(
        self, emails: Iterable[str | ReverseEmailContact | Mapping[str, Any]], **options: Any
    ) -> ReverseEmailResult:
        """Start a reverse lookup and wait for it."""
        timeout = options.pop("timeout", None)
        job = self.start_reverse_email(emails, **options)
        return self.wait_reverse_email(job, timeout=timeout)

    # --- search and lookup -----------------------------------------------------------

    def search_people(
        self, query: PeopleSearch | Mapping[str, Any] | None = None, **filters: Any
    ) -> PeoplePage:
        """`POST /people/search`: one page (0.25 credit per person returned at FullEnrich)."""
        body = {**base.body_of(query, PeopleSearch), **base.body_of(filters, PeopleSearch)}
        return base.parse(PeoplePage, self._request("POST", "people/search", json=body))

    def search_companies(
        self, query: CompanySearch | Mapping[str, Any] | None = None, **filters: Any
    ) -> CompanyPage:
        """`POST /company/search`: one page."""
        body = {**base.body_of(query, CompanySearch), **base.body_of(filters, CompanySearch)}
        return base.parse(CompanyPage, self._request("POST", "company/search", json=body))

    def iter_search(
        self, query: PeopleSearch | CompanySearch, *, max_results: int | None = None
    ) -> Iterator[Any]:
        """Every result of a search, page after page with `search_after`; stops at an empty
        or short page, a repeated cursor, or `max_results` (results are paid for)."""
        body = query.wire()
        seen = 0
        while True:
            metadata: SearchMetadata
            items: list[Any]
            if isinstance(query, PeopleSearch):
                people = self.search_people(body)
                items, metadata = list(people.people), people.metadata
            else:
                companies = self.search_companies(body)
                items, metadata = list(companies.companies), companies.metadata
            for item in items:
                if max_results is not None and seen >= max_results:
                    return
                seen += 1
                yield item
            following = next_page(body, items, metadata)
            if following is None or (max_results is not None and seen >= max_results):
                return
            body = following

    def lookup_person(
        self, query: PersonLookup | Mapping[str, Any] | None = None, **identifiers: Any
    ) -> PersonMatch:
        """`POST /people/lookup`: the best match for one person, if any."""
        body = {**base.body_of(query, PersonLookup), **base.body_of(identifiers, PersonLookup)}
        return base.parse(PersonMatch, self._request("POST", "people/lookup", json=body))

    def lookup_company(
        self, query: CompanyLookup | Mapping[str, Any] | None = None, **identifiers: Any
    ) -> CompanyMatch:
        """`POST /company/lookup`: the best match for one company, if any."""
        body = {**base.body_of(query, CompanyLookup), **base.body_of(identifiers, CompanyLookup)}
        return base.parse(CompanyMatch, self._request("POST", "company/lookup", json=body))

    # --- OpenEnrich extensions -------------------------------------------------------

    def verify_email(self, email: str) -> EmailVerification:
        """`POST /email/verify` (OpenEnrich only): the status of one address."""
        response = self._request("POST", "email/verify", json={"email": email})
        return base.parse(EmailVerification, response)

    def webhook_secret(self) -> str:
        """The workspace's Standard Webhooks secret (OpenEnrich only)."""
        return base.parse(WebhookSecret, self._request("GET", "webhooks/secret")).secret

    def webhook_deliveries(
        self, *, enrichment_id: str | None = None, status: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The webhook delivery log (OpenEnrich only)."""
        params = {"limit": str(limit)}
        if enrichment_id:
            params["enrichment_id"] = enrichment_id
        if status:
            params["status"] = status
        response = self._request("GET", "webhooks/deliveries", params=params)
        base.raise_for(response)
        deliveries: list[dict[str, Any]] = response.json()["deliveries"]
        return deliveries

    def redeliver_webhook(self, event_id: str) -> None:
        """Queue one delivery again (OpenEnrich only)."""
        base.raise_for(self._request("POST", f"webhooks/deliveries/{event_id}/redeliver"))


__all__ = ["Client"]
