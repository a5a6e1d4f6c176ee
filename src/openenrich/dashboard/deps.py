"""The dashboard's FastAPI dependencies: what its pages take from the process, typed, on
top of `openenrich.api.deps` (the database, the job starter, the key authenticator)."""

from __future__ import annotations

from typing import Annotated, Protocol

import httpx
from fastapi import Depends, Request

from openenrich.dashboard.state import Dashboard
from openenrich.enrichment.jobs import ContactJobs
from openenrich.waterfall import Waterfall


class Provided(Protocol):
    """The part of `openenrich.services.Services` the dashboard reads beyond the API's."""

    @property
    def jobs(self) -> ContactJobs: ...
    @property
    def secret(self) -> bytes: ...
    @property
    def http(self) -> httpx.AsyncClient: ...
    @property
    def live(self) -> Waterfall | None: ...


def get_provided(request: Request) -> Provided:
    found: Provided = request.app.state.services
    return found


def get_dashboard(request: Request) -> Dashboard:
    found: Dashboard = request.app.state.dashboard
    return found


def get_contact_jobs(request: Request) -> ContactJobs:
    return get_provided(request).jobs


def get_secret(request: Request) -> bytes:
    return get_provided(request).secret


Process = Annotated[Provided, Depends(get_provided)]
Dash = Annotated[Dashboard, Depends(get_dashboard)]
ContactsJobs = Annotated[ContactJobs, Depends(get_contact_jobs)]
Secret = Annotated[bytes, Depends(get_secret)]
