"""The FastAPI dependencies endpoints declare, one small typed alias per thing they use.

Every dependency is `async def`: FastAPI runs a plain `def` dependency in a worker thread,
a thread hop per dependency per request that cost more than everything else on a GET.

The composition root puts what the process holds on `app.state.services`; this module sees
it only as `Provided`, the part the HTTP layer needs, so no endpoint imports upward into
`openenrich.services` or `openenrich.app`, and a test can provide any object that fits."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, Request

from openenrich import errors
from openenrich.accounts.auth import Authenticator, RequestLimiter, bearer_token
from openenrich.accounts.provider_keys import ProviderKeys
from openenrich.accounts.repository import Caller
from openenrich.accounts.subaccounts import HEADER as SUB_ACCOUNT_HEADER
from openenrich.accounts.subaccounts import SubAccounts
from openenrich.api.idempotency import Idempotency
from openenrich.db import Database
from openenrich.enrichment.extensions import CostEstimator
from openenrich.enrichment.service import JobStarter, ResultReader
from openenrich.people.service import PeopleService
from openenrich.privacy.screen import Switches
from openenrich.privacy.service import Privacy
from openenrich.verification.service import VerifyService
from openenrich.webhooks.hub import WebhookHub


class Provided(Protocol):
    """What endpoints take from the process (`openenrich.services.Services` fits)."""

    @property
    def db(self) -> Database: ...
    @property
    def auth(self) -> Authenticator: ...
    @property
    def limiter(self) -> RequestLimiter: ...
    @property
    def starter(self) -> JobStarter: ...
    @property
    def reader(self) -> ResultReader: ...
    @property
    def webhooks(self) -> WebhookHub: ...
    @property
    def subaccounts(self) -> SubAccounts: ...
    @property
    def idempotency(self) -> Idempotency: ...
    @property
    def provider_keys(self) -> ProviderKeys: ...
    @property
    def estimator(self) -> CostEstimator: ...
    @property
    def verify(self) -> VerifyService: ...
    @property
    def privacy(self) -> Privacy: ...
    @property
    def switches(self) -> Switches: ...
    @property
    def people(self) -> PeopleService: ...


def _provided(request: Request) -> Provided:
    found: Provided = request.app.state.services
    return found


async def get_db(request: Request) -> Database:
    return _provided(request).db


async def get_authenticator(request: Request) -> Authenticator:
    return _provided(request).auth


async def get_limiter(request: Request) -> RequestLimiter:
    return _provided(request).limiter


async def get_starter(request: Request) -> JobStarter:
    return _provided(request).starter


async def get_reader(request: Request) -> ResultReader:
    return _provided(request).reader


async def get_webhooks(request: Request) -> WebhookHub:
    return _provided(request).webhooks


async def get_subaccounts(request: Request) -> SubAccounts:
    return _provided(request).subaccounts


async def get_idempotency(request: Request) -> Idempotency:
    return _provided(request).idempotency


async def get_provider_keys(request: Request) -> ProviderKeys:
    return _provided(request).provider_keys


async def get_estimator(request: Request) -> CostEstimator:
    return _provided(request).estimator


async def get_verify(request: Request) -> VerifyService:
    return _provided(request).verify


async def get_privacy(request: Request) -> Privacy:
    return _provided(request).privacy


async def get_switches(request: Request) -> Switches:
    return _provided(request).switches


async def get_people(request: Request) -> PeopleService:
    return _provided(request).people


Db = Annotated[Database, Depends(get_db)]
Auth = Annotated[Authenticator, Depends(get_authenticator)]
Limiter = Annotated[RequestLimiter, Depends(get_limiter)]
Jobs = Annotated[JobStarter, Depends(get_starter)]
Reader = Annotated[ResultReader, Depends(get_reader)]
Webhooks = Annotated[WebhookHub, Depends(get_webhooks)]
SubAccountsDep = Annotated[SubAccounts, Depends(get_subaccounts)]
Once = Annotated[Idempotency, Depends(get_idempotency)]
ProviderKeysDep = Annotated[ProviderKeys, Depends(get_provider_keys)]
Estimator = Annotated[CostEstimator, Depends(get_estimator)]
Verify = Annotated[VerifyService, Depends(get_verify)]
PrivacyService = Annotated[Privacy, Depends(get_privacy)]
PrivacySwitches = Annotated[Switches, Depends(get_switches)]
People = Annotated[PeopleService, Depends(get_people)]


async def api_key(request: Request) -> str:
    """The bearer key of the request (a 401 without one). Read from the request rather
    than declared as a header parameter, so the generated OpenAPI stays as it was."""
    return bearer_token(request.headers.get("authorization"))


ApiKey = Annotated[str, Depends(api_key)]


async def current_key(
    request: Request, key: ApiKey, auth: Auth, limiter: Limiter, subs: SubAccountsDep
) -> Caller:
    """The authenticated key (workspace, sandbox flag), counted against the per-minute
    limit of its workspace and mode (sandbox calls never use up the live allowance),
    acting in the sub-account its `Sub-Account-ID` header names (an unknown one is a 404
    on every endpoint). Read from the request, not declared, so the generated OpenAPI
    stays as it was."""
    who = await auth.caller(key)
    await limiter.hit(who.workspace_id, who.sandbox)
    return await subs.scoped(who, request.headers.get(SUB_ACCOUNT_HEADER))


CurrentKey = Annotated[Caller, Depends(current_key)]


async def workspace_key(request: Request, key: ApiKey, auth: Auth, limiter: Limiter) -> Caller:
    """For workspace-level management (`/sub-accounts`): the header is refused."""
    who = await auth.caller(key)
    await limiter.hit(who.workspace_id, who.sandbox)
    if request.headers.get(SUB_ACCOUNT_HEADER) is not None:
        raise errors.SubAccountHeaderNotAllowed()
    return who


WorkspaceKey = Annotated[Caller, Depends(workspace_key)]
