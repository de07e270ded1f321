"""Owned hardware: GPU servers bought and run in one's own data centre.

With `organisation.gpu_commitment: owned`, a self-hosted replica runs on whole servers
from the catalog's `servers` (or the user's catalog files). A server is costed like an
instance shape that is paid by the hour, so sizing, costing, the break-even search and the
robustness scenarios all read the same table:

    server hourly cost = purchase price / (depreciation years x 12 x hours a month)
                       + power kW x PUE x electricity USD/kWh

- Capital cost is depreciated straight-line, month by month, over the depreciation
  period: a horizon shorter than that period carries only its share, and a server bought
  when growth needs it is charged from that month on. This keeps the horizon's total
  comparable with renting and with the APIs (cost per month used). What buying means
  for cash is shown separately: the months until the capital spent is recovered by the
  monthly savings against each API (`payback`).
- Power is the vendor's maximum system power, drawn around the clock (an upper bound: a
  server serving light traffic draws less), times the data centre's PUE.
- A server with no purchase price (the catalog ships none that rests on a community
  source alone) is only used once the questionnaire gives one in
  `organisation.server_prices_usd`; with no priced server, or no electricity price, the
  make options are ruled out and the reason names the missing field. Nothing is priced
  with an invented figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from makebuy import sizing
from makebuy.errors import InputError
from makebuy.load import LoadedUseCase
from makebuy.models.catalog import Catalog, Figure, Server
from makebuy.models.result import Assumption, OptionResult, Payback
from makebuy.models.usecase import UseCase
from makebuy.money import money
from makebuy.units import HOURS_PER_MONTH

OWNED_CLOUD = "premises"
"""The `cloud` column of a server's row in the GPU price table."""


class FacilityTerm(BaseModel):
    """One facility figure an owned server is costed with, and where it came from."""

    model_config = ConfigDict(frozen=True)

    value: float
    origin: str = Field(description="`questionnaire`, or the catalog source id.")
    as_of: str | None = Field(None, description="The catalog figure's as-of date.")


class FacilityTerms(BaseModel):
    """The PUE, electricity price and depreciation period in force (None: unknown)."""

    model_config = ConfigDict(frozen=True)

    pue: FacilityTerm | None
    electricity_usd_per_kwh: FacilityTerm | None
    depreciation_years: FacilityTerm | None

    def missing(self) -> list[str]:
        """The organisation fields that must be given because neither side has them."""
        return [
            f"organisation.{name}"
            for name in ("electricity_usd_per_kwh", "pue", "depreciation_years")
            if getattr(self, name) is None
        ]


def facility_terms(usecase: UseCase, catalog: Catalog) -> FacilityTerms:
    """Each figure from the questionnaire when it gives one, else the catalog's facility."""
    org = usecase.organisation
    facility = catalog.facility

    def term(name: str) -> FacilityTerm | None:
        given = getattr(org, name)
        if given is not None:
            return FacilityTerm(value=float(given), origin="questionnaire")
        fig: Figure[float] | None = getattr(facility, name) if facility else None
        if fig is None:
            return None
        return FacilityTerm(value=fig.value, origin=fig.source, as_of=fig.as_of.isoformat())

    return FacilityTerms(
        pue=term("pue"),
        electricity_usd_per_kwh=term("electricity_usd_per_kwh"),
        depreciation_years=term("depreciation_years"),
    )


def server_price(usecase: UseCase, server: Server) -> tuple[float, str] | None:
    """The server's purchase price in USD and where it came from: the questionnaire's
    `organisation.server_prices_usd`, else the catalog's; None: neither gives one."""
    given = (usecase.organisation.server_prices_usd or {}).get(server.id)
    if given is not None:
        return float(given), "questionnaire"
    if server.price_usd is not None:
        return server.price_usd.value, server.price_usd.source
    return None


SERVER_COLUMNS = (
    "server",
    "server_price_usd",
    "server_price_origin",
    "server_power_kw",
    "capex_usd_per_hour",
    "power_usd_per_hour",
)
"""Columns a server's price row adds to `sizing.PRICE_ROW_COLUMNS` (per whole server)."""


def server_rows(usecase: UseCase, catalog: Catalog) -> pd.DataFrame:
    """One GPU price row per priced server: `gpus_per_instance` its GPU count and
    `usd_per_gpu_hour` its hourly cost (depreciation plus power) over that count, so
    `sizing.place_replicas` places replicas on whole servers. Empty when the facility
    terms are incomplete or no server has a price."""
    terms = facility_terms(usecase, catalog)
    columns = [*sizing.PRICE_ROW_COLUMNS, *SERVER_COLUMNS]
    if terms.missing() or not catalog.servers:
        return pd.DataFrame(columns=columns)
    assert terms.pue and terms.electricity_usd_per_kwh and terms.depreciation_years
    hours = terms.depreciation_years.value * 12 * HOURS_PER_MONTH
    rows = []
    for sid in sorted(catalog.servers):
        server = catalog.servers[sid]
        price = server_price(usecase, server)
        if price is None or server.gpu not in catalog.gpus:
            continue
        capex_hour = price[0] / hours
        power_hour = server.power_kw.value * terms.pue.value * terms.electricity_usd_per_kwh.value
        rows.append(
            {
                "gpu": server.gpu,
                "cloud": OWNED_CLOUD,
                "instance": server.name,
                "gpus_per_instance": float(server.gpus),
                "usd_per_gpu_hour": (capex_hour + power_hour) / server.gpus,
                "source": price[1],
                "as_of": server.power_kw.as_of,
                "server": sid,
                "server_price_usd": price[0],
                "server_price_origin": price[1],
                "server_power_kw": server.power_kw.value,
                "capex_usd_per_hour": capex_hour,
                "power_usd_per_hour": power_hour,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def unpriced_reason(usecase: UseCase, catalog: Catalog) -> str:
    """Why no owned server can be costed: the fields the questionnaire must add."""
    terms = facility_terms(usecase, catalog)
    parts = []
    if not catalog.servers:
        parts.append(
            "The catalog lists no GPU server to buy (add one under `servers`, see"
            " docs/catalog-format.md)"
        )
    elif not any(server_price(usecase, s) for s in catalog.servers.values()):
        ids = ", ".join(sorted(catalog.servers))
        parts.append(
            "No server has a purchase price: the catalog ships none it could source from the"
            " vendor or reputable press, so give yours in organisation.server_prices_usd"
            f" (servers: {ids})"
        )
    missing = terms.missing()
    if missing:
        parts.append(
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not given and the"
            " catalog has no sourced default"
        )
    return "; ".join(parts) + "."


def gpu_line_note(row: Mapping[Any, Any], replicas: np.ndarray, rate: float) -> str:
    """`; of which depreciation $X and power $Y` for a make option's gpus line on servers
    (nothing for a row without a server, e.g. an owned per-GPU catalog price)."""
    capex = row.get("capex_usd_per_hour")
    power = row.get("power_usd_per_hour")
    if capex is None or power is None or pd.isna(capex) or pd.isna(power):
        return ""
    hours = float(replicas.sum()) * HOURS_PER_MONTH
    return (
        f"; of which depreciation {money(float(capex) * hours * rate, 'USD')}"
        f" and power {money(float(power) * hours * rate, 'USD')} (USD; server price"
        f" {money(float(row['server_price_usd']), 'USD')}, {row['server_price_origin']};"
        f" {float(row['server_power_kw']):g} kW maximum)"
    )


def assumptions(usecase: UseCase, catalog: Catalog) -> list[Assumption]:
    """The owned-hardware figures every owned make option was costed with."""
    terms = facility_terms(usecase, catalog)
    out = []
    reasons = {
        "pue": "Facility power over IT power: cooling and power conversion on top of the"
        " servers' own draw.",
        "electricity_usd_per_kwh": "Electricity price per kWh, applied to every hour of the"
        " horizon.",
        "depreciation_years": "A server's price is depreciated straight-line over this"
        " period; a horizon shorter than it carries only its share (the rest is book value"
        " kept), and the payback table shows the cash view.",
    }
    for name, reason in reasons.items():
        term: FacilityTerm | None = getattr(terms, name)
        if term is None or term.origin == "questionnaire":
            continue
        out.append(
            Assumption(
                field=f"organisation.{name}",
                value=f"{term.value:g}",
                origin="default",
                reason=f"{reason} The catalog's figure ({term.origin}, {term.as_of}).",
            )
        )
    out.append(
        Assumption(
            field="cost.owned_power",
            value="maximum system power, around the clock",
            origin="estimate",
            reason="Each owned server draws its datasheet maximum every hour of the horizon"
            " (an upper bound); servers are bought when the peak first needs them and kept.",
        )
    )
    return out


PAYBACK_APIS = 10
"""The payback table compares the best owned make option with at most this many of the
best-ranked buy and rent options."""


def payback(
    usecase: UseCase,
    results: list[OptionResult],
    best: pd.DataFrame,
) -> list[Payback] | None:
    """Months until the best-ranked owned make option's capital spent is recovered by its
    monthly savings against each of the `PAYBACK_APIS` best-ranked buy and rent options;
    None unless gpu_commitment is owned (empty: no owned make option was costed).

    Capital: whole servers bought in the month the peak first needs them (never sold).
    Savings: the API's cost that month minus the make option's running cost (its monthly
    cost less depreciation). It breaks even in the first month in which the savings so far
    cover the capital spent so far."""
    org = usecase.organisation
    if org.gpu_commitment != "owned":
        return None
    makes = [
        r
        for r in results
        if r.kind == "make" and r.cost is not None and r.status == "eligible" and r.rank
    ]
    apis = [
        r
        for r in results
        if r.kind in ("buy", "rent") and r.cost is not None and r.status == "eligible" and r.rank
    ]
    out: list[Payback] = []
    vol = usecase.volume
    months = vol.horizon_months
    growth = (1.0 + vol.growth_per_year) ** (np.arange(months) / 12.0)
    peak = (vol.peak_requests_per_second or 0.0) * growth
    # The best-ranked make option that runs on servers, against the best-ranked APIs.
    served = [
        (m, row)
        for m in sorted(makes, key=lambda r: r.rank or 0)
        if (row := _serving_row(best, m)) is not None
    ]
    for make, row in served[:1]:
        assert make.cost is not None
        replicas = np.maximum(1, np.ceil(peak / float(row["capacity_rps"]) - 1e-9))
        bought = np.maximum.accumulate(replicas)
        capex_spent = bought * float(row["server_price_usd"]) * org.usd_to
        depreciation = replicas * float(row["capex_usd_per_hour"]) * HOURS_PER_MONTH * org.usd_to
        running = np.asarray(make.cost.monthly, dtype=float) - depreciation
        for api in sorted(apis, key=lambda r: r.rank or 0)[:PAYBACK_APIS]:
            assert api.cost is not None
            savings = np.cumsum(np.asarray(api.cost.monthly, dtype=float) - running)
            even = np.nonzero(savings >= capex_spent)[0]
            month = int(even[0]) + 1 if even.size else None
            out.append(
                Payback(
                    make=make.id,
                    versus=api.id,
                    capital=float(capex_spent[-1]),
                    months=month,
                    statement=_statement(make, api, month, capex_spent[-1], months, org.currency),
                )
            )
    return out


def _serving_row(best: pd.DataFrame, make: OptionResult) -> pd.Series | None:
    """The capacity row the make option was costed on, when it runs on a server."""
    cost = make.cost
    if best.empty or cost is None or "server" not in best.columns:
        return None
    mine = best[
        (best["model"] == make.model)
        & (best["gpu"] == cost.gpu)
        & (best["tp"] == cost.gpus_per_replica)
        & (best["precision"] == cost.precision)
        & best["server"].notna()
    ]
    return None if mine.empty else mine.iloc[0]


def _statement(
    make: OptionResult,
    api: OptionResult,
    month: int | None,
    capital: float,
    horizon: int,
    currency: str,
) -> str:
    spent = money(float(capital), currency)
    if month is None:
        return (
            f"{make.title} does not recover its {spent} of servers against {api.title} within"
            f" the {horizon}-month horizon."
        )
    return f"{make.title} recovers its {spent} of servers against {api.title} in month {month}."


def with_servers(gpus: pd.DataFrame, usecase: UseCase, catalog: Catalog) -> pd.DataFrame:
    """The capacity stage's GPU price table plus one row per priced server (each with its
    GPU's memory, bandwidth and tensor rates), sorted as `capacity.gpu_price_table` sorts."""
    servers = server_rows(usecase, catalog)
    if servers.empty:
        return gpus
    specs = pd.DataFrame(
        [
            {
                "gpu": g.id,
                "memory_gb": g.memory_gb.value,
                "bandwidth_gb_s": g.bandwidth_gb_s.value,
                "tflops": g.bf16_dense_tflops.value,
                "fp8_tflops": g.fp8_dense_tflops.value if g.fp8_dense_tflops else np.nan,
            }
            for g in catalog.gpus.values()
        ]
    )
    servers = servers.merge(specs, on="gpu", how="left")
    table = servers if gpus.empty else pd.concat([gpus, servers], ignore_index=True)
    return table.sort_values(["gpu", "usd_per_gpu_hour", "cloud", "source"], ignore_index=True)


def check_server_ids(loaded: LoadedUseCase, catalog: Catalog) -> None:
    """Ids in `organisation.server_prices_usd` must name catalog servers (a typo would
    silently price nothing). A catalog with no server at all is not checked: the make
    options' exclusion then says that the catalog lists none."""
    prices = loaded.usecase.organisation.server_prices_usd or {}
    if not catalog.servers:
        return
    for key in prices:
        if key not in catalog.servers:
            known = ", ".join(sorted(catalog.servers)) or "none"
            raise InputError(
                f"unknown server id {key!r} (catalog servers: {known})",
                path=loaded.path,
                line=loaded.lines.get(("organisation", "server_prices_usd", key))
                or loaded.lines.get(("organisation", "server_prices_usd")),
                field=f"organisation.server_prices_usd.{key}",
            )
