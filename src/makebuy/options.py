"""Options stage: every way to get each model in the catalog.

buy: a proprietary model's API; rent: a hosted open-weight model's API; make: self-host
open weights. One model may have several buy or rent options (one per offering) and at
most one make option (the cost stage picks its GPUs).
"""

from __future__ import annotations

import numpy as np

from makebuy.models.catalog import Catalog
from makebuy.models.result import Option


def model_quality(catalog: Catalog) -> dict[str, tuple[float, str]]:
    """Each model's position on the 0-100 quality scale, and the benchmark it came from.

    The first benchmark in the scale's precedence that a model has evidence for wins; its
    value maps onto the scale by piecewise-linear interpolation between the anchors
    (clamped at the ends).
    """
    scale = catalog.quality_scale
    out: dict[str, tuple[float, str]] = {}
    for bench in reversed(scale.precedence):
        points = scale.benchmarks[bench].points
        ids = [m for (m, b) in catalog.evidence if b == bench]
        if not ids:
            continue
        values = np.array([catalog.evidence[(m, bench)].value for m in ids])
        mapped = np.interp(values, [p[0] for p in points], [p[1] for p in points])
        out.update({m: (round(float(q), 1), bench) for m, q in zip(ids, mapped, strict=True)})
    return out


def enumerate_options(catalog: Catalog) -> list[Option]:
    """All options, sorted by id so every later stage sees them in a stable order."""
    quality = model_quality(catalog)
    options: list[Option] = []
    for off in catalog.offerings.values():
        model = catalog.models[off.model]
        q = quality.get(model.id)
        context = off.context_tokens or model.context_tokens
        kind = "rent" if model.open_weights else "buy"
        options.append(
            Option(
                id=f"{kind}:{off.id}",
                kind=kind,
                model=model.id,
                model_name=model.name,
                offering=off.id,
                provider=off.provider,
                licence=model.licence,
                terms=off.terms,
                open_weights=model.open_weights,
                quality=q[0] if q else None,
                quality_evidence=q[1] if q else None,
                context_tokens=context.value if context else None,
            )
        )
    for model in catalog.models.values():
        if not model.open_weights:
            continue
        q = quality.get(model.id)
        options.append(
            Option(
                id=f"make:{model.id}",
                kind="make",
                model=model.id,
                model_name=model.name,
                provider="self-hosted",
                licence=model.licence,
                open_weights=True,
                quality=q[0] if q else None,
                quality_evidence=q[1] if q else None,
                context_tokens=model.context_tokens.value if model.context_tokens else None,
            )
        )
    return sorted(options, key=lambda o: o.id)
