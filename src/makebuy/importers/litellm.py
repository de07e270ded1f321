"""LiteLLM's `model_prices_and_context_window.json`: current prices of known offerings.

The file maps a key (`gpt-4-0613`, `together_ai/meta-llama/...`) to a mapping with
`litellm_provider`, `mode`, `input_cost_per_token`, `output_cost_per_token` and
`max_input_tokens`. Chat entries of providers makebuy knows are matched to base-catalog
offerings by provider and API model id; `--map KEY=MODEL_ID` adds an offering for a key
the base catalog lacks. The file carries no date, so the as-of date is required.
The input may also be a litellm wheel: its bundled backup copy is read.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

from makebuy.errors import InputError
from makebuy.importers.overlay import (
    ImportedFile,
    ImportResult,
    Unmapped,
    from_bytes,
    parse_json,
    read_file,
    source_for,
    update_offering,
    usd_per_1m,
)
from makebuy.models.catalog import Catalog, Figure, Offering, Price

PROVIDERS: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "bedrock": "aws-bedrock",
    "bedrock_converse": "aws-bedrock",
    "deepinfra": "deepinfra",
    "fireworks_ai": "fireworks",
    "gemini": "google",
    "groq": "groq",
    "together_ai": "together",
}
"""litellm_provider -> makebuy provider id."""

WHEEL_MEMBER = "litellm/model_prices_and_context_window_backup.json"
_WHEEL_NAME = re.compile(r"^litellm-(?P<version>[^-]+)-")


def read_input(path: Path, version: str | None) -> ImportedFile:
    """The JSON file itself, or the copy inside a litellm wheel (version from its name)."""
    if path.suffix == ".whl":
        match = _WHEEL_NAME.match(path.name)
        try:
            with zipfile.ZipFile(path) as wheel:
                data = wheel.read(WHEEL_MEMBER)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise InputError(f"not a litellm wheel with {WHEEL_MEMBER}: {exc}", path=path) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=path) from None
        return from_bytes(
            path,
            f"{path.name}!{WHEEL_MEMBER}",
            data,
            package="litellm",
            version=version or (match.group("version") if match else None),
        )
    return read_file(path, package="litellm", version=version)


def api_model_id(key: str, provider: str) -> str:
    """The provider's own model id: the key without LiteLLM's `provider/` prefix."""
    prefix = f"{provider}/"
    return key[len(prefix) :] if key.startswith(prefix) else key


def import_file(
    path: Path,
    catalog: Catalog,
    *,
    as_of: dt.date,
    force: bool = False,
    mappings: dict[str, str] | None = None,
    version: str | None = None,
) -> ImportResult:
    """Prices and context windows of base-catalog offerings, from a LiteLLM price file."""
    file = read_input(path, version)
    data = parse_json(file, path)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object of model entries", path=path)
    url = (
        f"https://pypi.org/project/litellm/{file.version}/"
        if file.version
        else "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"
    )
    result = ImportResult(
        importer="litellm",
        file=file,
        as_of=as_of,
        source=source_for(file, importer="litellm", url=url, publisher="BerriAI (third-party)"),
        forced=force,
    )
    mappings = dict(mappings or {})
    by_api_id = {(o.provider, o.api_model_id): o for o in catalog.offerings.values()}
    matched: dict[str, str] = {}
    for key in sorted(data):
        entry = data[key]
        if key == "sample_spec" or not isinstance(entry, dict):
            continue
        _import_entry(result, catalog, by_api_id, mappings, matched, key, entry)
    for key in sorted(mappings):
        result.unmapped.append(Unmapped(key, "--map names a key the file does not have"))
    return result


def _import_entry(
    result: ImportResult,
    catalog: Catalog,
    by_api_id: dict[tuple[str, str], Offering],
    mappings: dict[str, str],
    matched: dict[str, str],
    key: str,
    entry: dict[str, Any],
) -> None:
    litellm_provider = str(entry.get("litellm_provider") or "")
    provider = PROVIDERS.get(litellm_provider)
    if entry.get("mode") != "chat":
        result.unmapped.append(Unmapped(key, f"mode {entry.get('mode')!r} is not chat"))
        mappings.pop(key, None)
        return
    if provider is None:
        result.unmapped.append(Unmapped(key, f"provider {litellm_provider!r} is not mapped"))
        mappings.pop(key, None)
        return
    model_id = api_model_id(key, litellm_provider)
    base = by_api_id.get((provider, model_id))
    explicit = mappings.pop(key, None)
    if base is None and explicit is not None:
        if explicit not in catalog.models:
            result.unmapped.append(Unmapped(key, f"--map target {explicit!r} is not a model id"))
            return
        base = Offering(
            id=f"{provider}/{model_id}",
            model=explicit,
            provider=provider,
            api_model_id=model_id,
        )
    if base is None:
        result.unmapped.append(Unmapped(key, f"no {provider} offering with this API model id"))
        return
    if base.id in matched:
        result.unmapped.append(Unmapped(key, f"{base.id} already read from {matched[base.id]}"))
        return
    matched[base.id] = key
    input_1m = usd_per_1m(entry.get("input_cost_per_token"))
    output_1m = usd_per_1m(entry.get("output_cost_per_token"))
    prices = []
    if input_1m is not None and output_1m is not None:
        prices.append(
            Price(
                effective_from=result.as_of,
                input_per_1m=input_1m,
                output_per_1m=output_1m,
                source=result.source.id,
                as_of=result.as_of,
                status="secondary",
                note=f"litellm {key}: input_cost_per_token, output_cost_per_token x 1M",
            )
        )
    context = None
    max_input = entry.get("max_input_tokens")
    if isinstance(max_input, int) and not isinstance(max_input, bool) and max_input > 0:
        context = Figure[int](
            value=max_input,
            source=result.source.id,
            as_of=result.as_of,
            status="secondary",
            note=f"litellm {key}: max_input_tokens",
        )
    update_offering(result, base, prices=prices, context_tokens=context)
