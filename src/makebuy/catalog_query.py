"""Questions asked of a loaded catalog: which models match, and what one entry holds.

`makebuy catalog list` and `show` are thin over these, so the same answers are open to
Python and to tests without the CLI; `makebuy.render.catalog` draws them. Cheap to import
(the CLI builds its choices from `ENTRY_KINDS` and `WEIGHTS`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from makebuy.errors import InputError

if TYPE_CHECKING:
    from makebuy.load import LoadedCatalog
    from makebuy.models.catalog import Catalog

LIST_COLUMNS = (
    "id",
    "name",
    "family",
    "weights",
    "licence",
    "released",
    "parameters_b",
    "context_tokens",
    "providers",
)
"""The columns of a model listing, in order (json and csv carry all of them)."""

WEIGHTS = ("open", "closed")
"""Values of the listing's `weights` column and of its filter."""

ENTRY_KINDS = (
    "models",
    "offerings",
    "licences",
    "gpus",
    "throughput",
    "sources",
    "seats",
    "servers",
)
"""Catalog sections an id is looked up in, in this order (model and offering ids coincide)."""


LISTED_KINDS = ("models", "gpus", "seats", "servers")
"""Sections `catalog list --kind` lists (models by default)."""

LISTING_COLUMNS: dict[str, tuple[str, ...]] = {
    "models": LIST_COLUMNS,
    "gpus": (
        "id",
        "name",
        "memory_gb",
        "bandwidth_gb_s",
        "bf16_dense_tflops",
        "fp8_dense_tflops",
        "cheapest_on_demand_usd_per_gpu_hour",
        "clouds",
    ),
    "seats": (
        "id",
        "name",
        "provider",
        "model",
        "monthly_usd_per_seat",
        "annual_usd_per_seat_month",
        "min_seats",
    ),
    "servers": ("id", "name", "gpu", "gpus", "power_kw", "price_usd"),
}
"""Every column of each listing, in order (json and csv carry all of them)."""

LISTING_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "models": ("id", "weights", "licence", "context_tokens", "providers"),
    "gpus": (
        "id",
        "memory_gb",
        "bf16_dense_tflops",
        "cheapest_on_demand_usd_per_gpu_hour",
        "clouds",
    ),
    "seats": ("id", "monthly_usd_per_seat", "annual_usd_per_seat_month", "min_seats", "model"),
    "servers": ("id", "gpu", "gpus", "power_kw", "price_usd"),
}
"""The columns a terminal table shows (it fits 100 columns)."""


@dataclass(frozen=True)
class Listing:
    """The entries that matched a listing's filters, and how many the catalog holds."""

    rows: list[dict[str, Any]]
    total: int
    kind: str = "models"

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column, in order."""
        return LISTING_COLUMNS[self.kind]

    @property
    def table_columns(self) -> tuple[str, ...]:
        """The columns of the terminal table."""
        return LISTING_TABLE_COLUMNS[self.kind]


def list_entries(cat: Catalog, kind: str) -> Listing:
    """Every GPU, seat product or server of the catalog, sorted by id, as rows."""
    rows = {"gpus": gpu_rows, "seats": seat_rows, "servers": server_rows}[kind](cat)
    return Listing(rows=rows, total=len(rows), kind=kind)


def gpu_rows(cat: Catalog) -> list[dict[str, Any]]:
    """One row per GPU: its figures, its cheapest on-demand price and the clouds pricing it."""
    from makebuy.models.catalog import value_of  # the module stays cheap to import

    rows = []
    for key in sorted(cat.gpus):
        g = cat.gpus[key]
        on_demand = [p.usd_per_gpu_hour for p in g.prices if p.commitment == "on-demand"]
        rows.append(
            {
                "id": key,
                "name": g.name,
                "memory_gb": value_of(g.memory_gb),
                "bandwidth_gb_s": value_of(g.bandwidth_gb_s),
                "bf16_dense_tflops": value_of(g.bf16_dense_tflops),
                "fp8_dense_tflops": value_of(g.fp8_dense_tflops),
                "cheapest_on_demand_usd_per_gpu_hour": min(on_demand) if on_demand else None,
                "clouds": sorted({p.cloud for p in g.prices}),
            }
        )
    return rows


def seat_rows(cat: Catalog) -> list[dict[str, Any]]:
    """One row per seat product: its list price per billing term (none when unpublished)."""
    from makebuy.models.catalog import value_of  # the module stays cheap to import

    rows = []
    for key in sorted(cat.seats):
        s = cat.seats[key]
        prices = {p.billing: p.usd_per_seat_month for p in s.prices}
        rows.append(
            {
                "id": key,
                "name": s.name,
                "provider": s.provider,
                "model": value_of(s.model),
                "monthly_usd_per_seat": prices.get("monthly"),
                "annual_usd_per_seat_month": prices.get("annual"),
                "min_seats": value_of(s.min_seats),
            }
        )
    return rows


def server_rows(cat: Catalog) -> list[dict[str, Any]]:
    """One row per server to buy: its GPUs, power and purchase price (none when unsourced)."""
    from makebuy.models.catalog import value_of  # the module stays cheap to import

    return [
        {
            "id": key,
            "name": cat.servers[key].name,
            "gpu": cat.servers[key].gpu,
            "gpus": cat.servers[key].gpus,
            "power_kw": value_of(cat.servers[key].power_kw),
            "price_usd": value_of(cat.servers[key].price_usd),
        }
        for key in sorted(cat.servers)
    ]


def cell(value: Any) -> str:
    """A catalog value as one line of text: `-` for none, lists joined, floats short."""
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def list_models(
    cat: Catalog,
    *,
    weights: str | None = None,
    families: set[str] | frozenset[str] = frozenset(),
    licences: set[str] | frozenset[str] = frozenset(),
    providers: set[str] | frozenset[str] = frozenset(),
) -> Listing:
    """The models matching every filter given, with the catalog's model count."""
    rows = model_rows(
        cat, weights=weights, families=families, licences=licences, providers=providers
    )
    return Listing(rows=rows, total=len(cat.models))


def model_rows(
    cat: Catalog,
    *,
    weights: str | None = None,
    families: set[str] | frozenset[str] = frozenset(),
    licences: set[str] | frozenset[str] = frozenset(),
    providers: set[str] | frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """One row per model matching every filter given (an empty filter matches all)."""
    offered: dict[str, set[str]] = {}
    terms: dict[str, set[str]] = {}
    for off in cat.offerings.values():
        offered.setdefault(off.model, set()).add(off.provider)
        if off.terms:
            terms.setdefault(off.model, set()).add(off.terms)
    rows = []
    for key in sorted(cat.models):
        m = cat.models[key]
        provs = sorted(offered.get(key, set()))
        lics = ({m.licence} if m.licence else set()) | terms.get(key, set())
        if weights is not None and m.open_weights != (weights == "open"):
            continue
        if families and m.family not in families:
            continue
        if licences and not licences & lics:
            continue
        if providers and not providers & set(provs):
            continue
        rows.append(
            {
                "id": key,
                "name": m.name,
                "family": m.family,
                "weights": "open" if m.open_weights else "closed",
                "licence": m.licence,
                "released": m.released.value.isoformat() if m.released else None,
                "parameters_b": m.parameters_b.value if m.parameters_b else None,
                "context_tokens": m.context_tokens.value if m.context_tokens else None,
                "providers": provs,
            }
        )
    return rows


def entry_views(loaded: LoadedCatalog, entry_id: str, kind: str | None) -> list[dict[str, Any]]:
    """Every entry with this id (model and offering ids may coincide), as facts and sources."""
    cat = loaded.catalog
    kinds = [kind] if kind else list(ENTRY_KINDS)
    views = []
    for k in kinds:
        entry = getattr(cat, k, {}).get(entry_id)
        if entry is None:
            continue
        origin = loaded.origins.get((k, entry_id))
        dump = entry.model_dump(mode="json")
        facts = list(_facts(dump)) if k != "licences" else list(_licence_facts(dump))
        attributes = {
            a: v
            for a, v in dump.items()
            if not isinstance(v, dict | list) and a not in {"source", "as_of", "status"}
        }
        view: dict[str, Any] = {
            "kind": k.removesuffix("s"),
            "id": entry_id,
            "defined_at": f"{origin.path}:{origin.line}" if origin and origin.line else None,
            "attributes": attributes,
            "facts": facts,
        }
        if k == "models":
            evidence = [
                {
                    "field": f"evidence.{bench}",
                    "value": ev.value if ev.ci95 is None else f"{ev.value:g} ± {ev.ci95:g}",
                    "source": ev.source,
                    "as_of": ev.as_of.isoformat(),
                    "status": ev.status,
                    "note": ev.note,
                }
                for (model, bench), ev in sorted(cat.evidence.items())
                if model == entry_id
            ]
            view["facts"] = facts + evidence
            view["offerings"] = sorted(o.id for o in cat.offerings.values() if o.model == entry_id)
        cited = sorted({f["source"] for f in view["facts"] if f["source"]})
        if k == "sources":
            cited = []
        view["sources"] = [
            {"id": s, "title": cat.sources[s].title, "url": cat.sources[s].url}
            for s in cited
            if s in cat.sources
        ]
        views.append(view)
    if not views:
        known = [key for k in kinds for key in getattr(cat, k, {})]
        close = difflib.get_close_matches(entry_id, known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"no catalog entry with id {entry_id!r}{hint}")
    return views


_META = {"source", "as_of", "status", "note"}


def _facts(node: Any, at: str = "") -> Iterator[dict[str, Any]]:
    """Flatten an entry's figures: one row per figure, group or price, with its source."""
    if isinstance(node, dict):
        if "source" in node and "as_of" in node:
            if "value" in node:
                value: Any = node["value"]
            else:
                value = ", ".join(
                    f"{k}={cell(v)}" for k, v in node.items() if k not in _META and v is not None
                )
            yield {
                "field": at or "entry",
                "value": value,
                "source": node["source"],
                "as_of": node["as_of"],
                "status": node.get("status", "verified"),
                "note": node.get("note"),
            }
            return
        for k, v in node.items():
            yield from _facts(v, f"{at}.{k}" if at else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _facts(v, f"{at}[{i}]")


def _licence_facts(dump: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A licence's terms: the licence text is the source of every term; the clause is quoted."""
    yield {
        "field": "text",
        "value": dump["url"],
        "source": dump["source"],
        "as_of": dump["as_of"],
        "status": "verified",
        "note": None,
    }
    for name, term in (dump.get("terms") or {}).items():
        if term is None:
            continue
        yield {
            "field": f"terms.{name}",
            "value": term["value"],
            "source": dump["source"],
            "as_of": dump["as_of"],
            "status": term.get("status", "verified"),
            "note": f'"{term["clause"]}"' + (f" ({term['url']})" if term.get("url") else ""),
        }
