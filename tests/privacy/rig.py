"""A live waterfall on fake vendors: People Data Labs answers the people it knows, and
MillionVerifier calls every address deliverable; both record every request they get."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.harness import Api, make_settings, running_api

from openenrich.waterfall.config import WaterfallConfig


@dataclass(frozen=True)
class Someone:
    first: str
    last: str
    domain: str
    work_email: str
    personal_email: str
    phone: str
    handle: str

    @property
    def linkedin(self) -> str:
        return f"https://www.linkedin.com/in/{self.handle}/"

    def pdl_record(self) -> dict[str, Any]:
        return {
            "full_name": f"{self.first} {self.last}".lower(),
            "first_name": self.first.lower(),
            "last_name": self.last.lower(),
            "work_email": self.work_email,
            "personal_emails": [self.personal_email],
            "mobile_phone": self.phone,
            "linkedin_url": f"linkedin.com/in/{self.handle}",
        }

    def contact(self, *fields: str, with_url: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "first_name": self.first,
            "last_name": self.last,
            "domain": self.domain,
            "enrich_fields": list(fields)
            or ["contact.work_emails", "contact.personal_emails", "contact.phones"],
        }
        if with_url:
            body["linkedin_url"] = self.linkedin
        return body

    def traces(self) -> list[str]:
        """Lower-case strings that must not remain anywhere once they are erased."""
        return [
            self.first.lower(),
            self.last.lower(),
            self.work_email,
            self.personal_email,
            self.handle,
            self.phone,
        ]


OTTOLINE = Someone(
    "Ottoline",
    "Quennell",
    "acme.example",
    "ottoline.quennell@acme.example",
    "oq.home@mail.example",
    "+33 6 12 34 56 78",
    "oquennell",
)
BARNABY = Someone(
    "Barnaby",
    "Rudge",
    "acme.example",
    "barnaby.rudge@acme.example",
    "barnaby.home@mail.example",
    "+33 6 98 76 54 32",
    "brudge",
)
CORNELIA = Someone(
    "Cornelia",
    "Blimber",
    "globex.example",
    "cornelia.blimber@globex.example",
    "cb.home@mail.example",
    "+33 6 11 22 33 44",
    "cblimber",
)


@dataclass
class Vendors:
    people: list[Someone]
    pdl_asked: list[dict[str, Any]] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)

    def _match(self, asked: dict[str, Any]) -> Someone | None:
        for one in self.people:
            if asked.get("email") in (one.work_email, one.personal_email):
                return one
            if str(asked.get("first_name", "")).lower() == one.first.lower():
                return one
            if one.handle in str(asked.get("profile", "")):
                return one
        return None

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.millionverifier.com":
            self.verified.append(request.url.params["email"])
            return httpx.Response(200, json={"result": "ok", "resultcode": 1, "error": ""})
        assert request.url.host == "api.peopledatalabs.com", request.url
        asked = json.loads(request.content)
        self.pdl_asked.append(asked)
        one = self._match(asked)
        if one is None:
            return httpx.Response(404, json={"status": 404, "error": {"type": "not_found"}})
        return httpx.Response(200, json={"status": 200, "likelihood": 9, "data": one.pdl_record()})

    def asked_about(self, one: Someone) -> bool:
        """Whether any vendor heard of this person."""
        text = json.dumps(self.pdl_asked).lower() + " ".join(self.verified).lower()
        return any(trace in text for trace in one.traces()[:5])


CONFIG = {
    "order": {
        "work_email": ["pdl"],
        "personal_email": ["pdl"],
        "phone": ["pdl"],
        "profile": ["pdl"],
    },
    "verifiers": ["millionverifier"],
    "providers": {
        "pdl": {"api_key_env": "TEST_PDL_KEY", "price_per_hit": 0.1},
        "millionverifier": {"api_key_env": "TEST_MV_KEY"},
    },
}


@contextlib.asynccontextmanager
async def live_api(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    vendors: Vendors,
    **build: Any,
) -> AsyncIterator[Api]:
    monkeypatch.setenv("TEST_PDL_KEY", "pdl-key")
    monkeypatch.setenv("TEST_MV_KEY", "mv-key")
    http = httpx.AsyncClient(transport=httpx.MockTransport(vendors.handle))
    settings = make_settings(database_url, tmp_path, **build.pop("settings", {}))
    async with running_api(
        settings,
        credits=1000,
        http=http,
        waterfall_config=WaterfallConfig.model_validate(CONFIG),
        **build,
    ) as api:
        yield api
