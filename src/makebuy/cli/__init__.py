"""The command line: one module per command group, each thin.

Heavy modules (pandas, numpy, pydantic models) are imported inside commands, so
`makebuy --help` starts quickly.
"""

from __future__ import annotations

import importlib

import typer

from makebuy import __version__

COMMAND_MODULES: tuple[str, ...] = (
    "init",
    "assess",
    "portfolio",
    "size",
    "catalog",
    "adr",
    "check",
    "compare",
    "render",
    "schema",
    "config",
)
"""Modules under makebuy.cli whose `register(app)` adds a command or command group."""

app = typer.Typer(
    rich_markup_mode=None,  # click's plain help: no rich_utils, markdown or pygments
    name="makebuy",
    help="Make-or-buy decisions for AI use cases: self-host an open-weight model, rent one"
    " hosted, or buy a proprietary API.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"makebuy {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """makebuy."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"makebuy.cli.{_name}").register(app)


def main() -> None:
    """Console-script entry point: every command cleans up its temporary files when
    SIGINT, SIGTERM or SIGHUP stops it (see cli.signals)."""
    from makebuy.cli.common import configure_standard_streams
    from makebuy.cli.signals import cleanup_on_signals

    configure_standard_streams()
    with cleanup_on_signals():
        app()
