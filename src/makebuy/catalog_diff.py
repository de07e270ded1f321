"""`makebuy catalog diff OLD NEW`: what a catalog update changes, for its pull request.

Compares two merged catalogs entry by entry: added and removed models, offerings, GPUs,
licences, seat products and servers; per offering, price changes (old -> new price
effective on a date), API terms changes and lifecycle (deprecation, retirement) changes; per
model, licence and lifecycle changes; per GPU, hourly price changes; per seat product, list
price changes per billing term; per server, purchase price and power changes; and the
facility defaults for owned servers (electricity price, PUE, depreciation). The result is
sorted, so the same two catalogs always give the same report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from makebuy.models.catalog import (
    Catalog,
    Facility,
    Figure,
    Gpu,
    Lifecycle,
    Offering,
    Price,
    SeatProduct,
    Server,
    effective_price,
    value_of,
)

KINDS = ("model", "offering", "gpu", "licence", "seat", "server", "facility")
"""Entry kinds compared, in report order."""

CHANGES = ("added", "removed", "price", "figure", "licence", "terms", "deprecated", "retires")
"""Kinds of change, in report order within an entry."""


@dataclass(frozen=True)
class Change:
    """One difference between the two catalogs."""

    kind: str
    id: str
    change: str
    old: str | None = None
    new: str | None = None
    effective: dt.date | None = None
    detail: str | None = None

    def sort_key(self) -> tuple[int, str, int, str, str]:
        """Kind, id, change kind, date, detail: the report's order."""
        return (
            KINDS.index(self.kind),
            self.id,
            CHANGES.index(self.change),
            self.effective.isoformat() if self.effective else "",
            self.detail or "",
        )


@dataclass(frozen=True)
class CatalogDiff:
    """The differences between an old and a new catalog."""

    old_files: list[str]
    new_files: list[str]
    changes: list[Change] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Changes per kind of change, in CHANGES order, zeros left out."""
        out = {c: sum(1 for x in self.changes if x.change == c) for c in CHANGES}
        return {k: v for k, v in out.items() if v}


def _money(p: Price | None) -> str | None:
    return None if p is None else p.shown


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def diff_catalogs(old: Catalog, new: Catalog) -> CatalogDiff:
    """Every difference between `old` and `new` that a reviewer of a catalog update checks."""
    changes: list[Change] = []
    for kind, section in (
        ("model", "models"),
        ("offering", "offerings"),
        ("gpu", "gpus"),
        ("licence", "licences"),
        ("seat", "seats"),
        ("server", "servers"),
    ):
        before, after = getattr(old, section), getattr(new, section)
        changes += [Change(kind, k, "added") for k in after.keys() - before.keys()]
        changes += [Change(kind, k, "removed") for k in before.keys() - after.keys()]
    for key in old.models.keys() & new.models.keys():
        a, b = old.models[key], new.models[key]
        if a.licence != b.licence:
            changes.append(Change("model", key, "licence", a.licence, b.licence))
        changes += _lifecycle("model", key, a.lifecycle, b.lifecycle)
    for key in old.offerings.keys() & new.offerings.keys():
        changes += _offering(old.offerings[key], new.offerings[key])
    for key in old.gpus.keys() & new.gpus.keys():
        changes += _gpu(old.gpus[key], new.gpus[key])
    for key in old.seats.keys() & new.seats.keys():
        changes += _seat(old.seats[key], new.seats[key])
    for key in old.servers.keys() & new.servers.keys():
        changes += _server(old.servers[key], new.servers[key])
    changes += _facility(old.facility, new.facility)
    return CatalogDiff(
        old_files=old.files,
        new_files=new.files,
        changes=sorted(changes, key=Change.sort_key),
    )


def _lifecycle(kind: str, key: str, a: Lifecycle | None, b: Lifecycle | None) -> list[Change]:
    out = []
    for name in ("deprecated", "retires"):
        before = getattr(a, name) if a else None
        after = getattr(b, name) if b else None
        if before != after:
            out.append(Change(kind, key, name, _date(before), _date(after)))
    return out


def _offering(a: Offering, b: Offering) -> list[Change]:
    out = []
    if a.terms != b.terms:
        out.append(Change("offering", a.id, "terms", a.terms, b.terms))
    out += _lifecycle("offering", a.id, a.lifecycle, b.lifecycle)
    old_rows = {p.effective_from: p for p in a.prices}
    new_rows = {p.effective_from: p for p in b.prices}
    for day in sorted(old_rows.keys() | new_rows.keys()):
        before, after = old_rows.get(day), new_rows.get(day)
        if before is not None and after is not None:
            if _money(before) != _money(after):
                out.append(Change("offering", a.id, "price", _money(before), _money(after), day))
        elif after is not None:
            previous = effective_price(a.prices, day)
            if _money(previous) != _money(after):
                out.append(Change("offering", a.id, "price", _money(previous), _money(after), day))
        elif before is not None:
            now = effective_price(b.prices, day)
            out.append(
                Change(
                    "offering",
                    a.id,
                    "price",
                    _money(before),
                    _money(now),
                    day,
                    "row removed",
                )
            )
    return out


def _keyed_prices(
    kind: str, key: str, old: dict[str, float], new: dict[str, float], unit: str, detail: str
) -> list[Change]:
    """One price change per key (cloud and shape, billing term) whose price differs."""
    return [
        Change(
            kind,
            key,
            "price",
            None if old.get(k) is None else f"${old[k]:g}/{unit}",
            None if new.get(k) is None else f"${new[k]:g}/{unit}",
            detail=detail.format(k),
        )
        for k in sorted(old.keys() | new.keys())
        if old.get(k) != new.get(k)
    ]


def _gpu(a: Gpu, b: Gpu) -> list[Change]:
    def key(p: object) -> str:
        parts = (getattr(p, n) for n in ("cloud", "commitment", "region", "instance"))
        return " ".join(str(v) for v in parts if v)

    return _keyed_prices(
        "gpu",
        a.id,
        {key(p): p.usd_per_gpu_hour for p in a.prices},
        {key(p): p.usd_per_gpu_hour for p in b.prices},
        "GPU-h",
        "{}",
    )


def _seat(a: SeatProduct, b: SeatProduct) -> list[Change]:
    out = _keyed_prices(
        "seat",
        a.id,
        {p.billing: p.usd_per_seat_month for p in a.prices},
        {p.billing: p.usd_per_seat_month for p in b.prices},
        "seat-month",
        "{} billing",
    )
    out += _figure_change("seat", a.id, "figure", a.min_seats, b.min_seats, "{:g}", "minimum seats")
    return out + _lifecycle("seat", a.id, a.lifecycle, b.lifecycle)


def _figure_change(
    kind: str,
    key: str,
    change: str,
    a: Figure[Any] | None,
    b: Figure[Any] | None,
    shown: str,
    detail: str,
) -> list[Change]:
    """One change when figure `a` (old) and `b` (new) differ, each shown with `shown`."""
    before, after = value_of(a), value_of(b)
    if before == after:
        return []
    return [
        Change(
            kind,
            key,
            change,
            None if before is None else shown.format(before),
            None if after is None else shown.format(after),
            detail=detail,
        )
    ]


def _server(a: Server, b: Server) -> list[Change]:
    out = _figure_change(
        "server", a.id, "price", a.price_usd, b.price_usd, "${:,.0f}", "purchase price"
    )
    out += _figure_change("server", a.id, "figure", a.power_kw, b.power_kw, "{:g} kW", "power")
    if (a.gpus, a.gpu) != (b.gpus, b.gpu):
        out.append(
            Change(
                "server",
                a.id,
                "figure",
                f"{a.gpus} x {a.gpu}",
                f"{b.gpus} x {b.gpu}",
                detail="GPUs",
            )
        )
    return out


_FACILITY = (
    ("electricity_usd_per_kwh", "price", "${:g}/kWh", "electricity"),
    ("pue", "figure", "{:g}", "PUE"),
    ("depreciation_years", "figure", "{:g} years", "depreciation"),
)


def _facility(a: Facility | None, b: Facility | None) -> list[Change]:
    out = []
    for name, change, shown, label in _FACILITY:
        out += _figure_change(
            "facility",
            "facility",
            change,
            getattr(a, name) if a else None,
            getattr(b, name) if b else None,
            shown,
            label,
        )
    return out
