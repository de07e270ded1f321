"""`makebuy config show`: the effective organisation settings and where each came from."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from makebuy.cli.common import DEBUG_OPTION, current_environment, reported_errors, write_stdout

if TYPE_CHECKING:
    from makebuy.config import Config


class ShowFormat(StrEnum):
    """Formats of `config show`."""

    table = "table"
    json = "json"


config_app = typer.Typer(
    rich_markup_mode=None,
    name="config",
    help="Organisation settings: makebuy.toml or [tool.makebuy] in pyproject.toml, found from"
    " the working directory upward, and MAKEBUY_* environment variables.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


def effective_config() -> Config:
    """The settings for the working directory and variables of the current environment."""
    from makebuy.config import load_config

    env = current_environment()
    return load_config(env.working_dir, env.env_vars)


def _rows(cfg: Config) -> list[tuple[str, Any, str]]:
    from makebuy.config import POLICY_KEYS, SETTING_KEYS

    s = cfg.settings
    rows: list[tuple[str, Any, str]] = [(k, getattr(s, k), cfg.origin(k)) for k in SETTING_KEYS]
    rows += [(f"policy.{k}", getattr(s.policy, k), cfg.origin(f"policy.{k}")) for k in POLICY_KEYS]
    return rows


@config_app.command("show")
def show(
    output_format: ShowFormat = typer.Option(ShowFormat.table, "--format", "-f"),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Print the effective settings and where each came from (default, a file, or a
    MAKEBUY_* variable). Exit 2 for a broken config file."""
    with reported_errors(debug):
        cfg = effective_config()
        rows = _rows(cfg)
        if output_format == ShowFormat.json:
            doc = {
                "file": str(cfg.file) if cfg.file else None,
                "settings": {k: {"value": v, "origin": o} for k, v, o in rows},
                "catalog_paths": [str(p) for p in cfg.catalog_paths],
            }
            write_stdout(json.dumps(doc, indent=2) + "\n")
            return
        lines = [f"config file: {cfg.file if cfg.file else 'none found'}"]
        width = max(len(k) for k, _, _ in rows)
        for key, value, origin in rows:
            shown = "(unset)" if value is None or value == [] else json.dumps(value)
            lines.append(f"{key:<{width}}  {shown}  [{origin}]")
        write_stdout("\n".join(lines) + "\n")
