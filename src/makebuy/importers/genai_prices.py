"""pydantic/genai-prices' `prices/data.json`: date-ranged prices of known offerings.

The file is a list of providers, each with `models[]`: `id`, `match` (a clause tree whose
`equals` values are API model ids), `context_window` and `prices`: either one price set
(`input_mtok`, `output_mtok`, USD per 1M tokens, a number or `{base, tiers}`) or a list of
conditional prices, each `{constraint: {start_date}, prices}`, the later ones taking over
from their start date. Dated price sets become price rows effective from their start
date until the next one's; an undated set is dated with `--as-of` when it is the only one,
and left out (listed as unmapped) when dated ones follow it. The PyPI wheel ships the same
data as Python (`genai_prices/data.py`); the JSON lives in the project's repository.
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
)
from makebuy.models.catalog import Catalog, Figure, Offering, Price

PROVIDERS: dict[str, str] = {
    "anthropic": "anthropic",
    "aws": "aws-bedrock",
    "fireworks": "fireworks",
    "google": "google",
    "groq": "groq",
    "openai": "openai",
    "together": "together",
    "deepinfra": "deepinfra",
}
"""genai-prices provider id -> makebuy provider id."""


def api_ids(model: dict[str, Any]) -> set[str]:
    """The model's id plus every `equals` value in its match clause tree."""
    found = {str(model.get("id"))}
    stack: list[Any] = [model.get("match")]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "equals" and isinstance(value, str):
                    found.add(value)
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _per_1m(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("base")
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def import_file(
    path: Path,
    catalog: Catalog,
    *,
    as_of: dt.date,
    force: bool = False,
    version: str | None = None,
) -> ImportResult:
    """Price history and context windows of base-catalog offerings from genai-prices."""
    file = read_file(path, package="genai-prices", version=version)
    data = parse_json(file, path)
    if not isinstance(data, list):
        raise InputError("expected a JSON list of providers (prices/data.json)", path=path)
    url = (
        f"https://pypi.org/project/genai-prices/{version}/"
        if version
        else "https://github.com/pydantic/genai-prices/blob/main/prices/data.json"
    )
    result = ImportResult(
        importer="genai-prices",
        file=file,
        as_of=as_of,
        source=source_for(
            file, importer="genai-prices", url=url, publisher="Pydantic (third-party)"
        ),
        forced=force,
    )
    matched: set[str] = set()
    for provider in sorted(data, key=lambda p: str(p.get("id"))):
        pid = str(provider.get("id"))
        ours = PROVIDERS.get(pid)
        for model in sorted(provider.get("models") or [], key=lambda m: str(m.get("id"))):
            key = f"{pid}/{model.get('id')}"
            if ours is None:
                result.unmapped.append(Unmapped(key, f"provider {pid!r} is not mapped"))
                continue
            ids = api_ids(model)
            offerings = [
                o
                for o in sorted(catalog.offerings.values(), key=lambda o: o.id)
                if o.provider == ours and o.api_model_id in ids and o.id not in matched
            ]
            if not offerings:
                result.unmapped.append(Unmapped(key, f"no {ours} offering with these API ids"))
                continue
            prices = _price_rows(result, key, model.get("prices"))
            for offering in offerings:
                matched.add(offering.id)
                _apply(result, offering, key, model, prices)
    return result


def _apply(
    result: ImportResult,
    offering: Offering,
    key: str,
    model: dict[str, Any],
    prices: list[Price],
) -> None:
    context = None
    window = model.get("context_window")
    if isinstance(window, int) and not isinstance(window, bool) and window > 0:
        context = Figure[int](
            value=window,
            source=result.source.id,
            as_of=result.as_of,
            status="secondary",
            note=f"genai-prices {key}: context_window",
        )
    update_offering(result, offering, prices=prices, context_tokens=context)


def _price_rows(result: ImportResult, key: str, prices: Any) -> list[Price]:
    """Dated rows from one price set or a list of conditional ones."""
    sets: list[tuple[dt.date | None, dict[str, Any]]] = []
    if isinstance(prices, dict):
        sets.append((None, prices))
    elif isinstance(prices, list):
        for item in prices:
            if not isinstance(item, dict) or not isinstance(item.get("prices"), dict):
                continue
            constraint = item.get("constraint")
            if constraint is None:
                sets.append((None, item["prices"]))
            elif isinstance(constraint, dict) and "start_date" in constraint:
                try:
                    start = dt.date.fromisoformat(str(constraint["start_date"]))
                except ValueError:
                    result.unmapped.append(Unmapped(key, "start_date is not an ISO date"))
                    continue
                sets.append((start, item["prices"]))
            else:
                result.unmapped.append(Unmapped(key, f"constraint {constraint!r} not supported"))
    dated = sorted((d, p) for d, p in sets if d is not None)
    undated = [p for d, p in sets if d is None]
    if undated and dated:
        result.unmapped.append(
            Unmapped(f"{key}@undated", f"undated price set before {dated[0][0]} left out")
        )
    suffix = ""
    if undated and not dated:
        dated = [(result.as_of, undated[-1])]
        suffix = " (undated in the file: dated with --as-of)"
    rows: list[Price] = []
    for i, (start, price_set) in enumerate(dated):
        input_1m = _per_1m(price_set.get("input_mtok"))
        output_1m = _per_1m(price_set.get("output_mtok"))
        if input_1m is None or output_1m is None:
            result.unmapped.append(Unmapped(f"{key}@{start}", "no input_mtok and output_mtok"))
            continue
        end = dated[i + 1][0] if i + 1 < len(dated) else None
        rows.append(
            Price(
                effective_from=start,
                effective_to=end,
                input_per_1m=input_1m,
                output_per_1m=output_1m,
                source=result.source.id,
                as_of=start,
                status="secondary",
                note=f"genai-prices {key}: input_mtok, output_mtok{suffix}",
            )
        )
    return rows
