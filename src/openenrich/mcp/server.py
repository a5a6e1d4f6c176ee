"""The MCP server: FullEnrich's API as tools for AI assistants, a thin layer over the SDK.
It holds no data of its own; every tool is one or two API calls with the user's key.

Tool results are the API's own JSON (spec-shaped), so an assistant reads the same fields
a developer would. API errors come back as tool errors carrying the wire code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

from pydantic import Field

from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from openenrich.client import (
    ApiError,
    AsyncClient,
    CompanySearch,
    Contact,
    OpenEnrichError,
    PeopleSearch,
)

T = TypeVar("T")

INSTRUCTIONS = (
    "Contact enrichment over a FullEnrich-compatible API (OpenEnrich or FullEnrich). "
    "enrich_contacts finds work emails, personal emails and mobile phones for people given "
    "a name with a company domain or name, or a LinkedIn URL; credits are spent only for "
    "what is found (work email 1, personal email 3, phone 10 at standard prices). Search and "
    "lookup cost 0.25 credit per result. Check get_credits before large jobs."
)

Fields = Annotated[
    list[str],
    Field(
        description="What to find for every contact: any of contact.work_emails, "
        "contact.personal_emails, contact.phones."
    ),
]


def build_server(
    base_url: str | None = None,
    api_key: str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
) -> FastMCP:
    """The tools, bound to one API and key (default: the OPENENRICH_* environment)."""
    server = FastMCP("openenrich", instructions=INSTRUCTIONS, host=host, port=port)

    def client() -> AsyncClient:
        try:
            return AsyncClient(base_url=base_url, api_key=api_key, poll_interval=1.0)
        except OpenEnrichError as error:
            raise ToolError(str(error)) from None

    async def call(work: Awaitable[T]) -> T:
        try:
            return await work
        except ApiError as error:
            raise ToolError(f"{error.code}: {error.message} (HTTP {error.status})") from None
        except OpenEnrichError as error:
            raise ToolError(str(error)) from None

    @server.tool()
    async def enrich_contacts(
        contacts: Annotated[
            list[Contact],
            Field(
                description="1 to 100 people. Each needs first_name + last_name + (domain or "
                "company_name), or linkedin_url. Optional custom: string values echoed back.",
                min_length=1,
                max_length=100,
            ),
        ],
        fields: Fields = ["contact.work_emails"],  # noqa: B006
        name: Annotated[str, Field(description="A label for the job.")] = "MCP enrichment",
        wait_seconds: Annotated[
            float,
            Field(
                description="How long to wait for the result (0-600). If the job is not "
                "finished by then, its enrichment_id is returned: use get_enrichment later.",
                ge=0,
                le=600,
            ),
        ] = 60,
    ) -> dict[str, Any]:
        """Find emails and phone numbers for up to 100 contacts. Returns the finished
        result (status, one record per contact with contact_info and, when a LinkedIn URL
        was given, profile; cost.credits), or {enrichment_id, status} if still running."""
        async with client() as api:
            job = await call(api.start_enrichment(contacts, fields, name=name))
            try:
                result = await call(api.wait_enrichment(job, timeout=wait_seconds))
            except TimeoutError:
                return {"enrichment_id": job, "status": "IN_PROGRESS"}
            return result.wire()

    @server.tool()
    async def get_enrichment(
        enrichment_id: Annotated[str, Field(description="The id enrich_contacts returned.")],
        partial: Annotated[
            bool, Field(description="Return what is found so far while it still runs.")
        ] = False,
    ) -> dict[str, Any]:
        """Read an enrichment: its status (CREATED, IN_PROGRESS, FINISHED,
        CREDITS_INSUFFICIENT, CANCELED) and, when finished, its records and cost."""
        async with client() as api:
            result = await call(api.get_enrichment(enrichment_id, force_results=partial))
            return result.wire()

    @server.tool()
    async def reverse_email_lookup(
        emails: Annotated[
            list[str],
            Field(description="1 to 100 email addresses.", min_length=1, max_length=100),
        ],
        wait_seconds: Annotated[float, Field(ge=0, le=600)] = 60,
    ) -> dict[str, Any]:
        """Find the person behind each email address (1 credit per profile found).
        Returns records with input.email and profile, or {enrichment_id} if still running."""
        async with client() as api:
            job = await call(api.start_reverse_email(emails, name="MCP reverse lookup"))
            try:
                result = await call(api.wait_reverse_email(job, timeout=wait_seconds))
            except TimeoutError:
                return {"enrichment_id": job, "status": "IN_PROGRESS"}
            return result.wire()

    @server.tool()
    async def search_people(
        query: Annotated[
            PeopleSearch,
            Field(
                description="Filters, each a list of {value, exclude?, exact_match?} (ranges: "
                "{min, max, exclude?}); values of one filter are alternatives, filters "
                "combine. Paging: limit (max 100, default 10), offset, search_after."
            ),
        ],
    ) -> dict[str, Any]:
        """Search people (0.25 credit per person returned). Returns people (profiles) and
        metadata {total, credits, search_after}; pass search_after back for the next page."""
        async with client() as api:
            return (await call(api.search_people(query))).wire()

    @server.tool()
    async def search_companies(
        query: Annotated[
            CompanySearch,
            Field(description="Company filters and paging, shaped like search_people's."),
        ],
    ) -> dict[str, Any]:
        """Search companies (0.25 credit per company returned). Returns companies and
        metadata {total, credits, search_after}."""
        async with client() as api:
            return (await call(api.search_companies(query))).wire()

    @server.tool()
    async def lookup_person(
        person_name: str | None = None,
        person_professional_network_url: Annotated[
            str | None, Field(description="LinkedIn profile URL: the most reliable key.")
        ] = None,
        company_domain: Annotated[str | None, Field(description="Disambiguates a name.")] = None,
        company_professional_network_url: str | None = None,
    ) -> dict[str, Any]:
        """Match one person (0.25 credit if found): people holds 0 or 1 profile."""
        async with client() as api:
            found = await call(
                api.lookup_person(
                    person_name=person_name,
                    person_professional_network_url=person_professional_network_url,
                    company_domain=company_domain,
                    company_professional_network_url=company_professional_network_url,
                )
            )
            return found.wire()

    @server.tool()
    async def lookup_company(
        domain: str | None = None,
        professional_network_url: Annotated[
            str | None, Field(description="The company's LinkedIn URL.")
        ] = None,
    ) -> dict[str, Any]:
        """Match one company by domain or LinkedIn URL (0.25 credit if found): companies
        holds 0 or 1 company."""
        async with client() as api:
            found = await call(
                api.lookup_company(domain=domain, professional_network_url=professional_network_url)
            )
            return found.wire()

    @server.tool()
    async def verify_email(
        email: Annotated[str, Field(description="One email address.")],
    ) -> dict[str, Any]:
        """Check whether an address receives mail, without sending any: status is
        DELIVERABLE, HIGH_PROBABILITY, CATCH_ALL, INVALID or INVALID_DOMAIN (OpenEnrich)."""
        async with client() as api:
            return (await call(api.verify_email(email))).wire()

    @server.tool()
    async def get_credits() -> dict[str, Any]:
        """The credit balance of the workspace the key belongs to, and its id."""
        async with client() as api:
            balance, key = await asyncio.gather(call(api.credits()), call(api.check_key()))
            return {"balance": balance.balance, "workspace_id": key.workspace_id}

    return server
