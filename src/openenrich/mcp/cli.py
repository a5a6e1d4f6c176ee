"""`openenrich mcp`: stdio by default (what desktop assistants start), `--http` for
streamable HTTP on a port."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def mcp(
        http: Annotated[bool, typer.Option("--http", help="Streamable HTTP, not stdio.")] = False,
        host: Annotated[str, typer.Option(help="Address for --http.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port for --http.")] = 8765,
        base_url: Annotated[
            str | None, typer.Option(help="API server (default $OPENENRICH_BASE_URL).")
        ] = None,
        api_key: Annotated[
            str | None, typer.Option(help="API key (default $OPENENRICH_API_KEY).")
        ] = None,
    ) -> None:
        """Serve the enrichment, search and lookup tools to an MCP client."""
        from openenrich.mcp.server import build_server

        server = build_server(base_url, api_key, host=host, port=port)
        server.run("streamable-http" if http else "stdio")
