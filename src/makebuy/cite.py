"""Which sources an assessment rests on, so every report can list them with their dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from makebuy import seats, spot
from makebuy.models.catalog import Catalog
from makebuy.models.result import OptionResult, SourceRef

_RANK = {"verified": 0, "secondary": 1, "unverified": 2}


def cited_sources(catalog: Catalog, results: list[OptionResult]) -> list[SourceRef]:
    """Sources of the figures the options draw on, with the newest as-of used and the
    weakest status of the figures taken from each (so unverified facts stay flagged).

    Of an offering's price history and a GPU's price list only the row the cost stage used
    is cited; models, licences, evidence and an offering's other terms are cited whole.
    """
    newest: dict[str, dt.date] = {}
    weakest: dict[str, str] = {}

    def walk(node: Any, inherited: str | None = None) -> None:
        if isinstance(node, dict):
            src, as_of = node.get("source"), node.get("as_of")
            if isinstance(src, str) and src in catalog.sources and as_of is not None:
                day = dt.date.fromisoformat(str(as_of))
                newest[src] = max(newest.get(src, day), day)
                inherited = src
            status = node.get("status")
            if (
                inherited is not None
                and status in _RANK
                and _RANK[status] > _RANK[weakest.get(inherited, "verified")]
            ):
                weakest[inherited] = status
            for value in node.values():
                walk(value, inherited)
        elif isinstance(node, list):
            for value in node:
                walk(value, inherited)

    for r in results:
        model = catalog.models[r.model]
        walk(model.model_dump(mode="json"))
        for lic_id in (r.licence, r.terms):
            if lic_id and lic_id in catalog.licences:
                walk(catalog.licences[lic_id].model_dump(mode="json"))
        if r.offering:
            # The offering's terms, regions and lifecycle; of its prices, only the one used.
            offering = catalog.offerings[r.offering].model_dump(mode="json")
            prices = offering.pop("prices")
            walk(offering)
            if r.cost is not None:
                walk(
                    [
                        p
                        for p in prices
                        if p["source"] == r.cost.price_source
                        and p["as_of"] == str(r.cost.price_as_of)
                    ]
                )
        if r.kind == "seat" and r.cost is not None:
            walk(seats.cited(catalog, r.id, r.cost.price_source))
        for (model_id, _), ev in catalog.evidence.items():
            if model_id == r.model:
                walk(ev.model_dump(mode="json"))
        if r.cost is not None and r.cost.gpu:
            gpu = catalog.gpus[r.cost.gpu].model_dump(mode="json")
            gpu_prices = gpu.pop("prices")
            walk(gpu)
            walk([p for p in gpu_prices if p["usd_per_gpu_hour"] == r.cost.usd_per_gpu_hour])
            walk(spot.cited_prices(gpu_prices, r.cost))
        if r.cost is not None and r.cost.throughput_source:
            for measured in catalog.throughput.values():
                if measured.source == r.cost.throughput_source and r.model in measured.models:
                    walk(measured.model_dump(mode="json"))
    return [
        SourceRef(
            id=sid,
            title=catalog.sources[sid].title,
            url=catalog.sources[sid].url,
            as_of=newest[sid],
            status=weakest.get(sid, "verified"),
        )
        for sid in sorted(newest)
    ]
