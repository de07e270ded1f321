"""Organisation-wide settings: defaults under the questionnaire, and a policy the gate applies.

Where they come from, in rising precedence: built-in defaults; the first `makebuy.toml`, or
`pyproject.toml` with a `[tool.makebuy]` table, found from the working directory upward;
`MAKEBUY_*` environment variables. Command-line options beat all three (the CLI applies
them). A questionnaire's own answer beats a configured default.

The caller hands in the working directory and the variables (from `environment.current()`),
so this module never reads the process state itself.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from makebuy.errors import InputError
from makebuy.load import LoadedUseCase, check_input_file
from makebuy.models.methods import Method
from makebuy.models.result import Assumption, OptionKind

CONFIG_FILE = "makebuy.toml"
PYPROJECT_FILE = "pyproject.toml"
ENV_PREFIX = "MAKEBUY_"


MAX_USD_TO = 1e6
"""Largest exchange rate from USD accepted (the weakest currencies trade near 1e5)."""
MAX_ENGINEER_COST_PER_YEAR = 1e12
"""Largest engineer cost a year accepted, in the configured currency (1e6 USD at the
largest rate), so every cost computed from it stays finite."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Policy(_Strict):
    """What the organisation allows, whatever a questionnaire says; the gate applies it."""

    deny_providers: list[str] = Field([], description="API providers never to use.")
    allow_providers: list[str] = Field(
        [], description="If not empty, the only API providers allowed (self-hosting is not one)."
    )
    deny_models: list[str] = Field([], description="Model ids never to use.")
    allow_models: list[str] = Field([], description="If not empty, the only model ids allowed.")
    deny_licences: list[str] = Field([], description="Model licence ids never to accept.")
    allow_licences: list[str] = Field(
        [],
        description="If not empty, the only model licence ids accepted (a model with none"
        " recorded is ruled out).",
    )
    allowed_kinds: list[OptionKind] = Field(
        [], description="If not empty, the only option kinds allowed (buy, rent, make, hybrid)."
    )
    required_regions: list[str] = Field(
        [], description="API options must document processing in at least one of these regions."
    )


class Settings(_Strict):
    """Organisation defaults and policy, as a config file or the environment gives them."""

    catalogs: list[str] = Field(
        [], description="Extra catalog files or folders, relative to the config file."
    )
    currency: str | None = Field(
        None, pattern=r"^[A-Z]{3}$", description="Default report currency (ISO 4217)."
    )
    usd_to: float | None = Field(
        None,
        gt=0,
        le=MAX_USD_TO,
        description="Default exchange rate from USD into `currency` (at most 1e6).",
    )
    engineer_cost_per_year: float | None = Field(
        None,
        gt=0,
        le=MAX_ENGINEER_COST_PER_YEAR,
        description="Default fully loaded engineer cost a year, in `currency` (at most 1e12).",
    )
    method: Method | None = Field(None, description="Default scoring method.")
    policy: Policy = Field(default_factory=Policy, description="The organisation policy.")

    @model_validator(mode="after")
    def _rate_for_other_currency(self) -> Settings:
        if self.currency not in (None, "USD") and self.usd_to is None:
            raise ValueError(f"currency {self.currency} needs usd_to, the rate from USD")
        return self


SETTING_KEYS: tuple[str, ...] = tuple(k for k in Settings.model_fields if k != "policy")
POLICY_KEYS: tuple[str, ...] = tuple(Policy.model_fields)
LIST_KEYS = frozenset({"catalogs", *POLICY_KEYS})


class Config(BaseModel):
    """The effective settings and, for each key set, where it came from (a file path, or
    an environment variable's name); keys missing from `origins` are built-in defaults."""

    model_config = ConfigDict(frozen=True)

    settings: Settings = Field(default_factory=Settings)
    file: Path | None = Field(None, description="The config file read, if any.")
    origins: dict[str, str] = Field(default_factory=dict)
    quotes: dict[str, str] = Field(
        default_factory=dict,
        description="Each policy key set, as its line reads: 'makebuy.toml: policy.x = [...]'.",
    )
    catalog_paths: list[Path] = Field(
        default_factory=list, description="`catalogs`, resolved against the config file."
    )

    def origin(self, key: str) -> str:
        return self.origins.get(key, "default")

    @property
    def policy(self) -> Policy:
        return self.settings.policy

    def allows_kind(self, kind: str) -> bool:
        """Whether the policy allows options of this kind (hybrids are built after the
        gate, so the pipeline asks before building them)."""
        kinds = self.settings.policy.allowed_kinds
        return not kinds or kind in kinds

    def apply_defaults(self, loaded: LoadedUseCase) -> tuple[LoadedUseCase, list[Assumption]]:
        """Fill the organisation keys the questionnaire left out with configured defaults,
        one assumption each naming where the default came from.

        A questionnaire answer wins. The exchange rate and engineer cost are in the
        configured currency (USD when none is), so they apply only when the questionnaire
        reports in that currency too."""
        s = self.settings
        org = loaded.usecase.organisation
        answered = loaded.answered
        updates: dict[str, Any] = {}
        config_currency = s.currency or "USD"
        if s.currency is not None and "organisation.currency" not in answered:
            updates["currency"] = s.currency
        currency = updates.get("currency", org.currency)
        if currency == config_currency:
            if s.usd_to is not None and "organisation.usd_to" not in answered:
                updates["usd_to"] = s.usd_to
            if (
                s.engineer_cost_per_year is not None
                and "organisation.engineer_cost_per_year" not in answered
            ):
                updates["engineer_cost_per_year"] = s.engineer_cost_per_year
        if not updates:
            return loaded, []
        if (
            updates.get("currency", "USD") != "USD"
            and "usd_to" not in updates
            and ("organisation.usd_to" not in answered)
        ):
            updates.pop("currency")  # Settings validation makes this unreachable; stay safe
        usecase = loaded.usecase.model_copy(update={"organisation": org.model_copy(update=updates)})
        assumptions = []
        for key, value in updates.items():
            origin = self.origin(key)
            if key == "engineer_cost_per_year":
                shown = f"{value:,.0f} {currency}"
            elif key == "usd_to":
                shown = f"{value:g}"
            else:
                shown = str(value)
            assumptions.append(
                Assumption(
                    field=f"organisation.{key}",
                    value=shown,
                    origin="config",
                    reason=f"not answered; the organisation default from {origin}",
                )
            )
        filled = frozenset(f"organisation.{k}" for k in updates)
        return replace(loaded, usecase=usecase, answered=loaded.answered | filled), assumptions


def find_config_file(start: Path) -> tuple[Path, str] | None:
    """The first makebuy.toml, or pyproject.toml with [tool.makebuy], from `start` up to the
    filesystem root, and the table prefix its keys sit under ('' or 'tool.makebuy.')."""
    start = start.resolve()
    for folder in (start, *start.parents):
        own = folder / CONFIG_FILE
        if own.is_file():
            return own, ""
        project = folder / PYPROJECT_FILE
        if project.is_file() and _has_tool_table(project):
            return project, "tool.makebuy."
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        check_input_file(path)
        text = path.read_text(encoding="utf-8")
    except (InputError, OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\.makebuy(\.policy)?\s*\]", text, re.MULTILINE) is not None


def _line_of(text: str, key: str, table: str) -> int | None:
    """The line a key is set on, within its [table] (best effort; TOML gives no positions)."""
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1)
            continue
        if current == table and re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
    return None


def _shown(path: Path, working_dir: Path) -> str:
    try:
        return str(path.relative_to(working_dir))
    except ValueError:
        return str(path)


def _read_file(path: Path, prefix: str) -> dict[str, Any]:
    check_input_file(path)  # a regular file of at most MAX_INPUT_BYTES
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise InputError("invalid TOML: values nested too deeply", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the config file: {exc}", path=path) from None
    except ValueError as exc:  # TOMLDecodeError, or int() of a 5,000-digit number
        if not isinstance(exc, tomllib.TOMLDecodeError):
            raise InputError(f"invalid TOML: {str(exc).split(';')[0]}", path=path) from None
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        message = str(exc).split(" (at ")[0]
        raise InputError(f"invalid TOML: {message}", path=path, line=line) from None
    table = data.get("tool", {}).get("makebuy", {}) if prefix else data
    if not isinstance(table, dict):
        raise InputError("expected a table", path=path, field=prefix.rstrip("."))
    root = prefix.rstrip(".")
    _check_keys(table, path, text, prefix, root)
    return table


def _check_keys(table: dict[str, Any], path: Path, text: str, prefix: str, root: str) -> None:
    for key, value in table.items():
        if key == "policy":
            if not isinstance(value, dict):
                raise InputError("expected a [policy] table", path=path, field=f"{prefix}policy")
            table_name = f"{prefix}policy"
            for sub in value:
                if sub not in POLICY_KEYS:
                    raise InputError(
                        f"unknown key; expected one of {', '.join(POLICY_KEYS)}",
                        path=path,
                        line=_line_of(text, sub, table_name),
                        field=f"{prefix}policy.{sub}",
                    )
        elif key not in SETTING_KEYS:
            raise InputError(
                f"unknown key; expected one of {', '.join((*SETTING_KEYS, 'policy'))}",
                path=path,
                line=_line_of(text, key, root),
                field=f"{prefix}{key}",
            )


def _env_settings(variables: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    """Settings from MAKEBUY_<KEY> and MAKEBUY_POLICY_<KEY> (lists comma-separated; catalogs
    separated by the OS path separator), with the variable that gave each."""
    out: dict[str, tuple[Any, str]] = {}
    for key in (*SETTING_KEYS, *(f"policy.{k}" for k in POLICY_KEYS)):
        name = ENV_PREFIX + key.replace(".", "_").upper()
        raw = variables.get(name)
        if raw is None or raw == "":
            continue
        leaf = key.rpartition(".")[2]
        value: Any
        if leaf == "catalogs":
            value = [p for p in raw.split(os.pathsep) if p]
        elif leaf in LIST_KEYS:
            value = [p.strip() for p in raw.split(",") if p.strip()]
        elif leaf in ("usd_to", "engineer_cost_per_year"):
            try:
                value = float(raw)
            except ValueError:
                raise InputError(f"expected a number, got {raw!r}", field=name) from None
        else:
            value = raw
        out[key] = (value, name)
    return out


def load_config(working_dir: Path, variables: Mapping[str, str]) -> Config:
    """The effective settings for a command run in `working_dir` with `variables`."""
    merged: dict[str, Any] = {}
    policy: dict[str, Any] = {}
    origins: dict[str, str] = {}
    quotes: dict[str, str] = {}
    found = find_config_file(working_dir)
    file = None
    file_table: dict[str, Any] = {}
    prefix = ""
    if found is not None:
        file, prefix = found
        file_table = _read_file(file, prefix)
        shown = _shown(file, working_dir)
        for key, value in file_table.items():
            if key == "policy":
                for sub, subvalue in value.items():
                    policy[sub] = subvalue
                    origins[f"policy.{sub}"] = str(file)
                    quotes[sub] = f"{shown}: {prefix}policy.{sub} = {json.dumps(subvalue)}"
            else:
                merged[key] = value
                origins[key] = str(file)
    for key, (value, name) in _env_settings(variables).items():
        if key.startswith("policy."):
            sub = key.removeprefix("policy.")
            policy[sub] = value
            quotes[sub] = f"{name}={variables[name]}"
        else:
            merged[key] = value
        origins[key] = name
    for key in ("usd_to", "engineer_cost_per_year"):
        value = merged.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                merged[key] = float(value)
            except OverflowError:  # past the largest float: out of range all the same
                merged[key] = math.inf
    try:
        settings = Settings.model_validate({**merged, "policy": policy})
    except ValidationError as exc:
        raise _settings_error(exc, origins, file, prefix) from None
    catalog_paths = []
    base = file.parent if file is not None and origins.get("catalogs") == str(file) else working_dir
    for entry in settings.catalogs:
        path = Path(entry)
        catalog_paths.append(path if path.is_absolute() else base / path)
    return Config(
        settings=settings, file=file, origins=origins, quotes=quotes, catalog_paths=catalog_paths
    )


def _settings_error(
    exc: ValidationError, origins: dict[str, str], file: Path | None, prefix: str
) -> InputError:
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    key = ".".join(loc[:2]) if loc and loc[0] == "policy" else (loc[0] if loc else "")
    origin = origins.get(key, "")
    if origin.startswith(ENV_PREFIX):
        return InputError(first["msg"], field=origin)
    line = None
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError:
            text = ""
        leaf = key.rpartition(".")[2]
        table = (prefix + "policy") if key.startswith("policy.") else prefix.rstrip(".")
        line = _line_of(text, leaf, table)
    return InputError(first["msg"], path=file, line=line, field=prefix + key)
