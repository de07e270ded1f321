"""A saved OpenRouter `/api/v1/models` response: OpenRouter offerings of known models.

`data[]` entries have `id` (`meta-llama/llama-3.1-70b-instruct`), `pricing.prompt` and
`pricing.completion` (USD per token, as strings), `context_length` and `created` (Unix
time the model was added). An entry maps to the base catalog's `openrouter/<id>`
offering when there is one; else to the model named by `--map ID=MODEL_ID`; else to the
one base model whose name part (after the `/`) equals the entry's, lowercased. The
response carries no price date, so the as-of date is given.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from makebuy.errors import InputError
from makebuy.importers.overlay import (
    ImportResult,
    Unmapped,
    parse_json,
    read_file,
    source_for,
    update_offering,
    usd_per_1m,
)
from makebuy.models.catalog import Catalog, Figure, Offering, Price

PROVIDER = "openrouter"
OPENROUTER_URL = "https://openrouter.ai/api/v1/models"


def import_file(
    path: Path,
    catalog: Catalog,
    *,
    as_of: dt.date,
    force: bool = False,
    mappings: dict[str, str] | None = None,
) -> ImportResult:
    """Prices and context windows of OpenRouter offerings for models the catalog has."""
    file = read_file(path)
    data = parse_json(file, path)
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError("expected a JSON object with a data[] list (/api/v1/models)", path=path)
    result = ImportResult(
        importer="openrouter",
        file=file,
        as_of=as_of,
        source=source_for(
            file,
            importer="openrouter",
            url=OPENROUTER_URL,
            publisher="OpenRouter",
        ),
        forced=force,
    )
    mappings = dict(mappings or {})
    by_name: dict[str, list[str]] = {}
    for model_id in catalog.models:
        by_name.setdefault(model_id.split("/", 1)[1], []).append(model_id)
    for entry in sorted(
        (e for e in entries if isinstance(e, dict)), key=lambda e: str(e.get("id"))
    ):
        _import_entry(result, catalog, by_name, mappings, entry)
    for key in sorted(mappings):
        result.unmapped.append(Unmapped(key, "--map names an id the file does not have"))
    return result


def _import_entry(
    result: ImportResult,
    catalog: Catalog,
    by_name: dict[str, list[str]],
    mappings: dict[str, str],
    entry: dict[str, Any],
) -> None:
    key = str(entry.get("id") or "")
    offering_id = f"{PROVIDER}/{key}"
    base = catalog.offerings.get(offering_id)
    if base is None:
        model_id = mappings.pop(key, None)
        if model_id is None:
            candidates = by_name.get(key.split("/")[-1].lower(), [])
            if len(candidates) != 1:
                why = "no catalog model" if not candidates else f"several models {candidates}"
                result.unmapped.append(Unmapped(key, f"{why} with this name (use --map)"))
                return
            model_id = candidates[0]
        if model_id not in catalog.models:
            result.unmapped.append(Unmapped(key, f"--map target {model_id!r} is not a model id"))
            return
        base = Offering(id=offering_id, model=model_id, provider=PROVIDER, api_model_id=key)
    else:
        mappings.pop(key, None)
    pricing: dict[str, Any] = entry.get("pricing") or {}
    if not isinstance(pricing, dict):
        pricing = {}
    input_1m = usd_per_1m(pricing.get("prompt"))
    output_1m = usd_per_1m(pricing.get("completion"))
    prices = []
    if input_1m is not None and output_1m is not None:
        prices.append(
            Price(
                effective_from=result.as_of,
                input_per_1m=input_1m,
                output_per_1m=output_1m,
                source=result.source.id,
                as_of=result.as_of,
                note=f"openrouter {key}: pricing.prompt, pricing.completion x 1M",
            )
        )
    else:
        result.unmapped.append(Unmapped(f"{key}@pricing", "no prompt and completion price"))
    context = None
    length = entry.get("context_length")
    if isinstance(length, int) and not isinstance(length, bool) and length > 0:
        context = Figure[int](
            value=length,
            source=result.source.id,
            as_of=result.as_of,
            note=f"openrouter {key}: context_length",
        )
    update_offering(result, base, prices=prices, context_tokens=context)
