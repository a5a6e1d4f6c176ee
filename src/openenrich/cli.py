"""The `openenrich` command. Each package adds its commands through a `register(app)` hook."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="OpenEnrich: self-hosted contact enrichment.", no_args_is_help=True)

# Modules exposing `register(app: typer.Typer) -> None`.
COMMAND_MODULES: tuple[str, ...] = (
    "openenrich.operator_cli",
    "openenrich.verification.cli",
    "openenrich.waterfall.cli",
    "openenrich.webhooks.cli",
    "openenrich.client.cli",
    "openenrich.mcp.cli",
)


def main() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    app()
