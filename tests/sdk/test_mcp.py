"""`openenrich mcp` started as a subprocess and driven by the MCP SDK's own stdio client,
against a real server with a sandbox key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult, TextContent
from tests.sdk.live import BIN, LiveServer, live_server
from tests.spec import assert_schema

pytestmark = pytest.mark.slow

TOOLS = {
    "enrich_contacts",
    "get_enrichment",
    "reverse_email_lookup",
    "search_people",
    "search_companies",
    "lookup_person",
    "lookup_company",
    "verify_email",
    "get_credits",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("mcp")) as running:
        yield running


def payload(result: CallToolResult) -> Any:
    if result.structuredContent is not None:
        return result.structuredContent.get("result", result.structuredContent)
    first = result.content[0]
    assert isinstance(first, TextContent)
    return json.loads(first.text)


def text_of(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


@pytest.mark.timeout(120)
def test_stdio_tools(server: LiveServer, tmp_path: Path) -> None:
    params = StdioServerParameters(command=str(BIN), args=["mcp"], env=server.client_env())

    async def main() -> None:
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            listed = await session.list_tools()
            names = {tool.name for tool in listed.tools}
            assert names == TOOLS
            for tool in listed.tools:
                assert tool.description and len(tool.description) > 40
                assert tool.inputSchema["type"] == "object"
            enrich = next(t for t in listed.tools if t.name == "enrich_contacts")
            assert enrich.inputSchema["required"] == ["contacts"]

            credits = await session.call_tool("get_credits", {})
            assert not credits.isError and payload(credits)["balance"] > 0

            done = await session.call_tool(
                "enrich_contacts",
                {
                    "contacts": [
                        {"first_name": "Grace", "last_name": "Hopper", "domain": "navy.example"},
                        {"linkedin_url": "https://www.linkedin.com/in/ghopper/"},
                    ],
                    "fields": ["contact.work_emails", "contact.phones"],
                    "wait_seconds": 60,
                },
            )
            assert not done.isError, text_of(done)
            body = payload(done)
            assert body["status"] == "FINISHED" and len(body["data"]) == 2
            assert_schema(body, "ResponseGetContactBulkEnrich")

            again = await session.call_tool("get_enrichment", {"enrichment_id": body["id"]})
            assert payload(again)["id"] == body["id"]

            invalid = await session.call_tool(
                "enrich_contacts", {"contacts": [{"first_name": "No", "last_name": "Company"}]}
            )
            assert invalid.isError and "error.enrichment." in text_of(invalid)

            # The sandbox key searches the synthetic population.
            search = await session.call_tool("search_people", {"query": {"limit": 2}})
            assert not search.isError, text_of(search)
            found = payload(search)
            assert len(found["people"]) == 2
            assert_schema({"people": found["people"]}, "SearchPeopleResponse")
            assert_schema({"metadata": found["metadata"]}, "Metadata")
            companies = await session.call_tool("search_companies", {"query": {"limit": 1}})
            assert len(payload(companies)["companies"]) == 1
            bad = await session.call_tool("search_people", {"query": {"limit": 500}})
            assert bad.isError and "error.search.limit" in text_of(bad)

    asyncio.run(main())
