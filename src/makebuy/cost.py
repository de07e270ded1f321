"""Cost stage: total cost of ownership of every eligible option over the horizon.

buy and rent: tokens times the API price effective on the evaluation date.
make: the cheapest GPU configuration (on the questionnaire's cloud and commitment) that
holds the weights plus the KV cache for the context, served at the batch size that gives
the most requests per second within the latency target; enough replicas for the peak rate
as it grows; plus operations staff and, when planned, fine-tuning. Memory and speed come
from `makebuy.sizing` (a roofline with calibrated efficiency factors); a published
measurement of the same model, GPU, count, precision and batch in the catalog replaces the
estimate, and the cost line says which was used. Every make option also reports its
average utilisation and its cost per 1M input and per 1M output tokens (the total split by
the share of GPU time prompts take), to set beside API prices.

Everything is computed on whole tables (numpy/pandas): one row per option, or per option x
GPU x tensor-parallel size x batch size for sizing. Parameters without a catalog source
are listed in `CostParameters` and reported as assumptions whenever a make option is
costed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from makebuy import capacity, finetune, loadshape, owned, platform, seats, sizing, spot
from makebuy.models.catalog import Catalog, Offering, Price, effective_price
from makebuy.models.result import (
    Assumption,
    Cost,
    CostLine,
    Exclusion,
    GateResult,
)
from makebuy.models.stages import Capacity, CostedOption
from makebuy.models.usecase import UseCase
from makebuy.money import money
from makebuy.sizing import Precision, SizingParameters
from makebuy.units import HOURS_PER_MONTH, SECONDS_PER_MONTH


class CostParameters(SizingParameters):
    """Cost-model parameters that are estimates, not catalog facts. Each is reported.

    The memory and throughput estimates are inherited from `sizing.SizingParameters`.
    """

    serving_precision: Precision = Field(
        "bf16",
        description="Precision of a model whose catalog entry names no published"
        " checkpoint precisions (bf16, the precision quality benchmarks measure); models"
        " published in fp8 or MXFP4 are sized in those, and requirements.quantisation adds"
        " fp8, int8 or int4.",
    )
    ops_fte_with_mlops_team: float = Field(
        0.5, description="Engineers needed to run one self-hosted model, with an MLOps team."
    )
    ops_fte_without_mlops_team: float = Field(
        1.5, description="Engineers needed without one (hiring and learning included)."
    )
    fine_tuning_runs_per_year: float = Field(2.0, description="Fine-tuning runs a year.")
    fine_tuning_tokens: float = Field(
        30e6, description="Training tokens per run (10M-token dataset, 3 epochs)."
    )
    fine_tuning_engineer_months: float = Field(
        1.0, description="Engineer-months of data preparation and evaluation per run."
    )
    migration_engineer_weeks: float = Field(
        2.0,
        description="Engineer-weeks to move a use case to a retiring API's successor:"
        " re-tuning prompts, re-running the evaluation set, a staged roll-out. Not a sourced"
        " figure; published practitioner estimates range from a day to several weeks"
        " ($1,250-11,500 one-off, ai-cost-estimator.com, 2026-05-25).",
    )


DEFAULT_PARAMETERS = CostParameters()

COST_CODES: tuple[str, ...] = ("price.missing", "capacity", "latency")
"""Exclusions the cost stage adds to options the gate let through: no price on the date,
no GPU configuration that holds the model, or none that meets the latency target."""


def month_volumes(usecase: UseCase) -> np.ndarray:
    """Requests in each month of the horizon, growing smoothly at `growth_per_year`."""
    vol = usecase.volume
    months = np.arange(vol.horizon_months)
    return vol.requests_per_month * (1.0 + vol.growth_per_year) ** (months / 12.0)


def price_on(offering: Offering, on: dt.date) -> Price | None:
    """The offering's price effective on `on` (see `models.catalog.effective_price`)."""
    return effective_price(offering.prices, on)


def make_capacity(
    usecase: UseCase,
    catalog: Catalog,
    gated: list[GateResult],
    params: CostParameters = DEFAULT_PARAMETERS,
) -> Capacity:
    """The capacity stage for the make options that passed the gate, at the serving
    precision of the cost model (computed once per assessment)."""
    models = sorted({g.option.model for g in gated if g.eligible and g.option.kind == "make"})
    return capacity.capacity(usecase, catalog, models, params.serving_precision, params)


def cost_options(
    usecase: UseCase,
    catalog: Catalog,
    gated: list[GateResult],
    on: dt.date,
    sized: Capacity,
    params: CostParameters = DEFAULT_PARAMETERS,
) -> tuple[list[CostedOption], list[Assumption]]:
    """Cost every eligible option; options that cannot be costed gain an exclusion.

    Make options are costed on `sized`, the capacity stage's tables: costing the same
    options at another volume (a hybrid leg's share) never sizes anything again."""
    volumes = month_volumes(usecase)
    eligible = [g for g in gated if g.eligible]
    api = [g for g in eligible if g.option.kind not in ("make", "seat")]
    make = [g for g in eligible if g.option.kind == "make"]
    costs: dict[str, Cost] = {}
    new_exclusions: dict[str, Exclusion] = {}
    migrates, api_prices = _cost_api(
        usecase, catalog, api, on, volumes, costs, new_exclusions, params
    )
    tokens_m = float(volumes.sum()) * usecase.volume.tokens_per_request
    seat_notes = seats.cost_seats(usecase, catalog, eligible, tokens_m / 1e6, costs, new_exclusions)
    assumptions: list[Assumption] = []
    if make:
        assumptions = _cost_make(
            usecase, catalog, make, volumes, sized, params, costs, new_exclusions
        )
        if usecase.organisation.gpu_commitment == "owned" and sized.gpus_priced:
            assumptions += owned.assumptions(usecase, catalog)
    assumptions += loadshape.api_assumptions(usecase, api_prices)
    assumptions += seat_notes
    assumptions += _fine_tuning_assumptions(usecase, catalog, api, on, costs, params, assumptions)
    if migrates:
        assumptions.append(
            Assumption(
                field="cost.migration_engineer_weeks",
                value=_show(params.migration_engineer_weeks),
                origin="estimate",
                reason=CostParameters.model_fields["migration_engineer_weeks"].description or "",
            )
        )
    unchecked = sorted(
        g.option.id
        for g in api
        if g.option.id in costs and costs[g.option.id].latency_source is None
    )
    if unchecked:
        assumptions.append(
            Assumption(
                field="cost.api_latency",
                value=f"{len(unchecked)} of {len(api)} buy/rent options not checked",
                origin="default",
                reason="The catalog holds no latency figure for these offerings, so they are"
                f" not checked against the latency targets ({latency_targets(usecase)});"
                " each one's output_tokens line says so.",
            )
        )
    out = []
    for g in gated:
        if g.option.id in new_exclusions:
            g = g.model_copy(update={"exclusions": [*g.exclusions, new_exclusions[g.option.id]]})
        out.append(CostedOption(gate=g, cost=costs.get(g.option.id)))
    return out, assumptions


def _fine_tuning_assumptions(
    usecase: UseCase,
    catalog: Catalog,
    api: list[GateResult],
    on: dt.date,
    costs: dict[str, Cost],
    params: CostParameters,
    already: list[Assumption],
) -> list[Assumption]:
    """The fine-tuning assumptions (`finetune.assumptions`), plus the run parameters when
    an API option was costed with training runs and no make option listed them."""
    out = finetune.assumptions(usecase, catalog, [g.option for g in api], on)
    tuned = any(
        line.item == "fine_tuning"
        for g in api
        if g.option.id in costs
        for line in costs[g.option.id].breakdown
    )
    have = {a.field for a in already}
    if tuned:
        for name in (
            "fine_tuning_runs_per_year",
            "fine_tuning_tokens",
            "fine_tuning_engineer_months",
        ):
            if f"cost.{name}" not in have:
                out.append(
                    Assumption(
                        field=f"cost.{name}",
                        value=_show(getattr(params, name)),
                        origin="estimate",
                        reason=CostParameters.model_fields[name].description or "",
                    )
                )
    return out


def _cost_api(
    usecase: UseCase,
    catalog: Catalog,
    api: list[GateResult],
    on: dt.date,
    volumes: np.ndarray,
    costs: dict[str, Cost],
    exclusions: dict[str, Exclusion],
    params: CostParameters = DEFAULT_PARAMETERS,
) -> tuple[bool, list[Price]]:
    """Cost the buy and rent options. Returns True when one of them migrates to a
    successor, and the catalog price (before any fine-tuning) of each option costed."""
    rate = usecase.organisation.usd_to
    vol = usecase.volume
    months = len(volumes)
    priced: list[tuple[GateResult, Price, Price | None]] = []
    listed: list[Price] = []
    tuning: dict[str, tuple[float, str]] = {}
    for g in api:
        assert g.option.offering is not None
        price = price_on(catalog.offerings[g.option.offering], on)
        move = g.migration
        later = price_on(catalog.offerings[move.successor], move.on) if move else None
        if price is None:
            exclusions[g.option.id] = Exclusion(
                code="price.missing",
                message=f"The catalog holds no price effective on {on.isoformat()}.",
            )
        elif (
            reason := api_latency_miss(usecase, catalog.offerings[g.option.offering])
        ) is not None:
            exclusions[g.option.id] = Exclusion(code="latency", message=reason)
        else:
            listed_price = price
            if usecase.requirements.fine_tuning == "planned":
                tuned = _tune(usecase, catalog, g, price, later, params, tuning)
                if isinstance(tuned, str):
                    exclusions[g.option.id] = Exclusion(code="price.missing", message=tuned)
                    continue
                price, later = tuned
            priced.append((g, price, later))
            listed.append(listed_price)
    if not priced:
        return False, listed
    # Price per option and month: the successor's from the migration month on.
    after = np.array([g.migration.month if g.migration else months for g, _, _ in priced])
    moved = np.arange(months)[None, :] >= after[:, None]

    def monthly_price(side: str) -> np.ndarray:
        """Options x months: the price per 1M `side` tokens in force each month."""
        load = usecase.load
        before = np.array([loadshape.effective_per_1m(p, load, side) for _, p, _ in priced])
        since = np.array([loadshape.effective_per_1m(n or p, load, side) for _, p, n in priced])
        before, since = before[:, None], since[:, None]
        return np.where(moved, since, before)

    prices_in = monthly_price("input_per_1m")
    prices_out = monthly_price("output_per_1m")
    tokens_in = volumes[None, :] * vol.input_tokens_per_request / 1e6
    tokens_out = volumes[None, :] * vol.output_tokens_per_request / 1e6
    monthly_in = prices_in * tokens_in * rate
    monthly_out = prices_out * tokens_out * rate
    one_off = params.migration_engineer_weeks * usecase.organisation.engineer_cost_per_year / 52.0
    migration = np.where(np.arange(months)[None, :] == after[:, None], one_off, 0.0)
    runs = finetune.run_months(months, params.fine_tuning_runs_per_year)
    per_run = np.array([tuning.get(g.option.id, (0.0, ""))[0] for g, _, _ in priced])
    tuned = per_run[:, None] * runs[None, :]
    monthly = monthly_in + monthly_out + migration + tuned
    total_tokens_m = float((tokens_in + tokens_out).sum())
    for i, (g, price, later) in enumerate(priced):
        total = float(monthly[i].sum())
        assert g.option.offering is not None
        latency = catalog.offerings[g.option.offering].latency
        speed_note = (
            f"; latency: first token {_ms(latency.ttft_ms)}, {_tps(latency.output_tokens_per_s)}"
            f" ({latency.source}, {latency.as_of.isoformat()})"
            if latency is not None
            else "; latency not checked: the catalog has no latency figure for this offering"
        )
        lines = [
            CostLine(
                item="input_tokens",
                total=float(monthly_in[i].sum()),
                detail=_token_detail(tokens_in, "input", price, later, after[i], usecase),
            ),
            CostLine(
                item="output_tokens",
                total=float(monthly_out[i].sum()),
                detail=_token_detail(tokens_out, "output", price, later, after[i], usecase)
                + speed_note,
            ),
        ]
        if g.option.id in tuning:
            lines.append(
                CostLine(
                    item="fine_tuning",
                    fixed=True,
                    total=float(tuned[i].sum()),
                    detail=f"{int(runs.sum())} run(s) on {g.option.provider}, each "
                    + tuning[g.option.id][1],
                )
            )
        if g.migration is not None:
            lines.append(
                CostLine(
                    item="migration",
                    total=float(migration[i].sum()),
                    detail=f"{params.migration_engineer_weeks:g} engineer-weeks to move to"
                    f" {g.migration.successor} when this offering retires on"
                    f" {g.migration.on.isoformat()} (month {g.migration.month + 1})",
                    fixed=True,
                )
            )
        costs[g.option.id] = Cost(
            currency=usecase.organisation.currency,
            total=total,
            monthly=[round(float(x), 2) for x in monthly[i]],
            per_million_tokens=total / total_tokens_m,
            breakdown=lines,
            # With a migration: the token-weighted average of the two prices over the horizon.
            input_per_1m_usd=_average_price(prices_in[i], tokens_in[0]),
            output_per_1m_usd=_average_price(prices_out[i], tokens_out[0]),
            price_source=price.source,
            price_as_of=price.as_of,
            time_to_first_token_ms=latency.ttft_ms if latency else None,
            output_tokens_per_s=latency.output_tokens_per_s if latency else None,
            latency_source=latency.source if latency else None,
        )
    return any(g.migration is not None for g, _, _ in priced), listed


def _tune(
    usecase: UseCase,
    catalog: Catalog,
    g: GateResult,
    price: Price,
    later: Price | None,
    params: CostParameters,
    tuning: dict[str, tuple[float, str]],
) -> tuple[Price, Price | None] | str:
    """A planned fine-tuning on a buy or rent option: the tuned model's prices now and
    after a migration, with the cost of one training run put in `tuning`; or why the
    catalog cannot price them."""
    assert g.option.offering is not None
    offering = catalog.offerings[g.option.offering]
    run = finetune.api_training_run(
        usecase, offering, params.fine_tuning_tokens, params.fine_tuning_engineer_months
    )
    tuned = finetune.tuned_price(offering, price)
    if isinstance(run, str) or isinstance(tuned, str):
        return " ".join(m for m in (tuned, run) if isinstance(m, str))
    tuned_later = None
    if later is not None and g.migration is not None:
        successor = catalog.offerings[g.migration.successor]
        moved = finetune.tuned_price(successor, later)
        if isinstance(moved, str):
            return f"Its successor {successor.id}: {moved}"
        tuned_later = moved
    tuning[g.option.id] = run
    return tuned, tuned_later


def _average_price(prices: np.ndarray, tokens: np.ndarray) -> float:
    """The price paid per 1M tokens over the horizon (one price: that price, exactly)."""
    if np.all(prices == prices[0]):
        return float(prices[0])
    return float((prices * tokens).sum() / tokens.sum())


def _token_detail(
    tokens: np.ndarray, kind: str, row: Price, later: Price | None, month: int, usecase: UseCase
) -> str:
    """`12.3M input tokens at $0.15 per 1M`, split at the migration month when there is one
    (and by batch and cached tokens when the questionnaire's load section has shares)."""
    if loadshape.shares_apply(usecase.load):
        if later is None:
            return loadshape.split_detail(float(tokens.sum()), kind, row, usecase.load)
        before, since = tokens[0, :month].sum(), tokens[0, month:].sum()
        return (
            f"{loadshape.split_detail(float(before), kind, row, usecase.load)}; then at the"
            f" successor: {loadshape.split_detail(float(since), kind, later, usecase.load)}"
        )
    price = row.input_per_1m if kind == "input" else row.output_per_1m
    if later is None:
        return f"{tokens.sum():,.1f}M {kind} tokens at ${price:g} per 1M"
    new = later.input_per_1m if kind == "input" else later.output_per_1m
    before, since = tokens[0, :month].sum(), tokens[0, month:].sum()
    return (
        f"{before:,.1f}M {kind} tokens at ${price:g} per 1M, then {since:,.1f}M at the"
        f" successor's ${new:g} per 1M"
    )


PRICE_MAX_AGE_DAYS = 180
"""An API price read longer ago than this before the evaluation date is flagged in reports."""


def price_age_assumptions(costed: list[CostedOption], on: dt.date) -> list[Assumption]:
    """Flag the API prices an assessment used that were read more than PRICE_MAX_AGE_DAYS
    before the evaluation date: the report still uses them, and says so."""
    oldest = on - dt.timedelta(days=PRICE_MAX_AGE_DAYS)
    old = sorted(
        (c.gate.option.offering or c.gate.option.id, c.cost.price_as_of)
        for c in costed
        if c.gate.eligible
        and c.cost is not None
        and c.cost.price_as_of is not None
        and c.cost.price_as_of < oldest
    )
    if not old:
        return []
    listed = ", ".join(f"{oid} (read {day.isoformat()})" for oid, day in old)
    return [
        Assumption(
            field="catalog.price_age",
            value=f"{len(old)} API prices older than {PRICE_MAX_AGE_DAYS} days",
            origin="catalog",
            reason=f"These prices were read more than {PRICE_MAX_AGE_DAYS} days before the"
            f" evaluation date {on.isoformat()} and may have changed: {listed}.",
        )
    ]


def _ms(value: float | None) -> str:
    return "not given" if value is None else f"{value:,.0f} ms"


def _tps(value: float | None) -> str:
    return "speed not given" if value is None else f"{value:,.0f} tokens/s"


def api_latency_miss(usecase: UseCase, offering: Offering) -> str | None:
    """Why a buy or rent offering misses the latency targets on its catalog figures; None
    when it meets them or the catalog has no figure (the report then says it is unchecked).
    The whole answer takes the time to first token plus the output tokens at its speed."""
    lat = offering.latency
    if lat is None:
        return None
    out = usecase.volume.output_tokens_per_request
    whole = (
        lat.ttft_ms + out / lat.output_tokens_per_s * 1e3
        if lat.ttft_ms is not None and lat.output_tokens_per_s is not None
        else np.nan
    )
    ok = capacity.meets_latency_targets(
        usecase,
        pd.Series([lat.ttft_ms if lat.ttft_ms is not None else 0.0]),
        pd.Series([lat.output_tokens_per_s if lat.output_tokens_per_s is not None else np.inf]),
        pd.Series([whole if not np.isnan(whole) else 0.0]),
    )
    if bool(ok.iloc[0]):
        return None
    return (
        f"Its catalog latency (first token {_ms(lat.ttft_ms)}, {_tps(lat.output_tokens_per_s)};"
        f" {lat.source}, {lat.as_of.isoformat()}) misses the targets"
        f" ({latency_targets(usecase)})."
    )


def replica_count(load: np.ndarray) -> np.ndarray:
    """Replicas that carry `load` (peak requests/s over one replica's capacity): at least
    one, and a whole number (the 1e-9 keeps an exact fit from rounding up)."""
    return np.maximum(1, np.ceil(load - 1e-9))


def replicas_needed(peak_rps: np.ndarray, capacity_rps: np.ndarray) -> np.ndarray:
    """Replicas (rows: configurations) that serve each peak rate (columns): at least one."""
    return replica_count(peak_rps[None, :] / capacity_rps[:, None])


def fixed_monthly(usecase: UseCase, params: CostParameters) -> tuple[float, float]:
    """Operations staff per month and its FTE count (report currency): on an existing
    shared platform, only the marginal staff of one more model (`makebuy.platform`)."""
    org = usecase.organisation
    fte = params.ops_fte_with_mlops_team if org.mlops_team else params.ops_fte_without_mlops_team
    if platform.on_platform(usecase):
        fte = platform.fte_per_model(usecase)
    return fte * org.engineer_cost_per_year / 12.0, fte


def fine_tuning_run(
    usecase: UseCase,
    catalog: Catalog,
    model_id: str,
    row: Mapping[Any, Any],
    params: CostParameters,
) -> tuple[float, float]:
    """Cost of one fine-tuning run (report currency) and its GPU-hours; `row`'s `tflops` and
    `usd_per_gpu_hour` may be arrays (one per configuration), and so are the results.

    Training FLOPs = 6 x parameters x tokens for full fine-tuning, less for LoRA (see
    `finetune.training_flops`), at the compute efficiency on the serving GPU. A
    mixture-of-experts model counts its active parameters (`finetune.compute_parameters_b`).
    """
    org = usecase.organisation
    m = catalog.models[model_id]
    train_flops = finetune.training_flops(
        finetune.compute_parameters_b(m) * 1e9,
        params.fine_tuning_tokens,
        finetune.method(usecase),
    )
    gpu_hours = train_flops / (row["tflops"] * 1e12 * params.compute_efficiency * 3600)
    per_run = (
        gpu_hours * row["usd_per_gpu_hour"] * org.usd_to
        + params.fine_tuning_engineer_months * org.engineer_cost_per_year / 12
    )
    return per_run, gpu_hours


def _cost_make(
    usecase: UseCase,
    catalog: Catalog,
    make: list[GateResult],
    volumes: np.ndarray,
    sized: Capacity,
    params: CostParameters,
    costs: dict[str, Cost],
    exclusions: dict[str, Exclusion],
) -> list[Assumption]:
    org = usecase.organisation
    vol = usecase.volume
    rate = org.usd_to
    by_model = {g.option.model: g for g in make}
    replica_load = loadshape.replica_load(usecase)
    if not sized.gpus_priced:
        for g in make:
            exclusions[g.option.id] = Exclusion(
                code="price.missing",
                message=owned.unpriced_reason(usecase, catalog)
                if org.gpu_commitment == "owned"
                else f"The catalog holds no {org.gpu_commitment} GPU price on {org.cloud}.",
            )
        return []
    grid = sized.best.copy()
    growth = volumes / vol.requests_per_month
    peak = (usecase.volume.peak_requests_per_second or 0.0) * growth  # per month
    average_rps = volumes / SECONDS_PER_MONTH
    if not grid.empty:
        replicas = replicas_needed(peak, grid["capacity_rps"].to_numpy())
        # Replicas running on average over the week (flat load: the peak's, around the clock).
        running = loadshape.mean_replicas(
            peak[None, :] / grid["capacity_rps"].to_numpy()[:, None], replica_load
        )
        hourly = grid["replica_usd_per_hour"].to_numpy()[:, None]
        gpu_monthly = running * hourly * HOURS_PER_MONTH * rate
        grid["gpu_total"] = gpu_monthly.sum(axis=1)
        grid["replicas_peak"] = replicas.max(axis=1).astype(int)
        grid["_row"] = np.arange(len(grid))
        # Cheapest configuration per model; ties: fewer GPUs, then GPU id.
        best = (
            grid.sort_values(["model", "gpu_total", "tp", "gpu", "precision_rank"])
            .groupby("model")
            .first()
        )
    else:
        best = pd.DataFrame()
        gpu_monthly = np.zeros((0, len(volumes)))
        replicas = running = np.zeros((0, len(volumes)))
    ops_monthly, ops_fte = fixed_monthly(usecase, params)
    months = len(volumes)
    tokens_in_m = float(volumes.sum()) * vol.input_tokens_per_request / 1e6
    tokens_out_m = float(volumes.sum()) * vol.output_tokens_per_request / 1e6
    for model_id, g in sorted(by_model.items()):
        if model_id not in best.index:
            exclusions[g.option.id] = _unservable(usecase, catalog, model_id, sized.grid, params)
            continue
        row = best.loc[model_id].to_dict()
        i = int(row["_row"])
        gpu_series = gpu_monthly[i]
        utilisation = np.minimum(1.0, average_rps / (running[i] * row["capacity_rps"]))
        mean_util = float((utilisation * running[i]).sum() / running[i].sum())
        ops_series = np.full(months, ops_monthly) + platform.share_monthly(usecase)
        ft_series = np.zeros(months)
        measured = row["throughput_basis"] == "measured"
        basis = (
            f"measured: {row['measured_id']} ({row['measured_source']})"
            if measured
            else "roofline estimate"
        )
        lines = [
            CostLine(
                item="gpus",
                total=float(gpu_series.sum()),
                detail=(
                    f"{replica_placement(row, org.gpu_commitment)}; weights in"
                    f" {row['precision']}{' (quantised)' if row['quantised'] else ''}, up to"
                    f" {instances_line(row)} for a peak of"
                    f" {peak.max():.2f} requests/s; batch {int(row['batch'])},"
                    f" {row['capacity_rps']:.2f} requests/s and about"
                    f" {row['decode_tokens_per_s']:,.0f} output tokens/s per replica"
                    f" ({basis}); first token after about {row['ttft_ms']:,.0f} ms, then"
                    f" {1e3 / row['ms_per_output_token']:,.0f} tokens/s per answer;"
                    f" {mean_util:.0%} average utilisation"
                    + loadshape.gpus_note(replica_load, running[i], replicas[i], int(row["tp"]))
                    + owned.gpu_line_note(row, replicas[i], rate)
                ),
            ),
            CostLine(
                item="operations",
                fixed=True,
                total=ops_monthly * months,
                detail=platform.operations_detail(usecase, ops_fte)
                if platform.on_platform(usecase)
                else f"{ops_fte:g} FTE at {org.engineer_cost_per_year:,.0f} {org.currency}/year"
                + (" (MLOps team in place)" if org.mlops_team else " (no MLOps team today)"),
            ),
            *filter(None, [platform.share_line(usecase, months)]),
        ]
        if usecase.requirements.fine_tuning == "planned":
            per_run, gpu_hours = fine_tuning_run(usecase, catalog, model_id, row, params)
            ft_series[finetune.run_months(months, params.fine_tuning_runs_per_year)] = per_run
            lines.append(
                CostLine(
                    item="fine_tuning",
                    fixed=True,
                    total=float(ft_series.sum()),
                    detail=f"{int((ft_series > 0).sum())} run(s), each {math.ceil(gpu_hours)}"
                    f" GPU-hours on {row['gpu']} and {params.fine_tuning_engineer_months:g}"
                    " engineer-month(s); " + finetune.method_detail(finetune.method(usecase)),
                ),
            )
        monthly = gpu_series + ops_series + ft_series
        total = float(monthly.sum())
        share_in = float(row["input_share"])
        input_per_1m = total * share_in / tokens_in_m / rate
        output_per_1m = total * (1 - share_in) / tokens_out_m / rate
        lines[0] = lines[0].model_copy(
            update={
                "detail": f"{lines[0].detail}; all costs included,"
                f" {money(input_per_1m, 'USD')} per 1M input and"
                f" {money(output_per_1m, 'USD')} per 1M output tokens (prompts take"
                f" {share_in:.0%} of GPU time)"
            }
        )
        costs[g.option.id] = Cost(
            currency=org.currency,
            total=total,
            monthly=[round(float(x), 2) for x in monthly],
            per_million_tokens=total / (tokens_in_m + tokens_out_m),
            breakdown=lines,
            input_per_1m_usd=input_per_1m,
            output_per_1m_usd=output_per_1m,
            gpu=str(row["gpu"]),
            gpus_per_replica=int(row["tp"]),
            replicas_peak=int(row["replicas_peak"]),
            usd_per_gpu_hour=float(row["usd_per_gpu_hour"]),
            utilisation=round(mean_util, 4),
            throughput_basis="measured" if measured else "estimated",
            throughput_source=str(row["measured_source"]) if measured else None,
            instance=str(row["shape"]),
            precision=str(row["precision"]),
            time_to_first_token_ms=round(float(row["ttft_ms"]), 1),
            output_tokens_per_s=round(1e3 / float(row["ms_per_output_token"]), 2),
            latency_source="measured" if measured else "roofline",
            **spot.prices_used(row),
        )
    return _make_assumptions(usecase, params, catalog)


def replica_placement(row: Mapping[Any, Any], commitment: str) -> str:
    """Where one replica runs: `2 x nvidia-a10g per replica on one g5.12xlarge (4 x
    nvidia-a10g) on aws (on-demand, $5.672/hour)`, or rented per GPU."""
    if spot.used(row):
        return spot.replica_placement(row, commitment)
    tp, gpu, cloud = int(row["tp"]), row["gpu"], row["cloud"]
    if pd.isna(row["gpus_per_instance"]):
        return (
            f"{tp} x {gpu} per replica, rented per GPU on {cloud}"
            f" ({commitment}, ${row['usd_per_gpu_hour']:g}/GPU-hour)"
        )
    return (
        f"{tp} x {gpu} per replica on one {row['shape']} on {cloud} ({commitment},"
        f" ${row['replica_usd_per_hour']:.4g}/hour = ${row['usd_per_gpu_hour']:.4g}/GPU-hour)"
    )


def instances_line(row: Mapping[Any, Any]) -> str:
    """What is rented at peak: `2 x g5.12xlarge (4 x nvidia-a10g)` or `3 replica(s)`."""
    replicas = int(row["replicas_peak"])
    if pd.isna(row["gpus_per_instance"]):
        return f"{replicas} replica(s)"
    return f"{replicas} x {row['shape']}"


def _unservable(
    usecase: UseCase,
    catalog: Catalog,
    model_id: str,
    sized: pd.DataFrame,
    params: CostParameters = DEFAULT_PARAMETERS,
) -> Exclusion:
    """Why no GPU configuration can serve the model: missing facts, memory or latency."""
    m = catalog.models[model_id]
    if m.parameters_b is None or m.architecture is None:
        return Exclusion(
            code="capacity",
            message="The catalog lacks the parameter count or architecture needed to size it.",
        )
    mine = sized[sized["model"] == model_id] if not sized.empty else sized
    precisions = sizing.serving_precisions(
        m, params.serving_precision, usecase.requirements.quantisation
    )
    if mine.empty:
        return Exclusion(
            code="capacity",
            message="No priced GPU configuration of up to"
            f" {max(capacity.TENSOR_PARALLEL_SIZES)} GPUs"
            f" holds the {m.parameters_b.value:g}B parameters in"
            f" {' or '.join(precisions)}"
            " plus the KV cache for"
            f" {usecase.task.context_tokens:,} tokens of context.",
        )
    fastest = mine.sort_values("latency_ms").iloc[0]
    return Exclusion(
        code="latency",
        message="No configuration meets the latency targets"
        f" ({latency_targets(usecase)}); the fastest answers in about"
        f" {fastest['latency_ms']:,.0f} ms (first token after"
        f" {fastest['ttft_ms']:,.0f} ms, then"
        f" {1e3 / fastest['ms_per_output_token']:,.0f} tokens/s).",
    )


def latency_targets(usecase: UseCase) -> str:
    """The questionnaire's latency targets in words."""
    req = usecase.requirements
    parts = []
    if req.max_time_to_first_token_ms is not None:
        parts.append(f"first token within {req.max_time_to_first_token_ms:,} ms")
    if req.min_output_tokens_per_s is not None:
        parts.append(f"at least {req.min_output_tokens_per_s:g} output tokens/s")
    if req.max_latency_p95_ms is not None:
        parts.append(f"whole answer within {req.max_latency_p95_ms:,} ms")
    return ", ".join(parts) or "none"


def _make_assumptions(
    usecase: UseCase, params: CostParameters, catalog: Catalog
) -> list[Assumption]:
    """The cost-model estimates behind every make option, as the report shows them."""
    org = usecase.organisation
    gpu_prices = Assumption(
        field="cost.gpu_prices",
        value="the catalog's latest",
        origin="estimate",
        reason="GPU hourly prices carry no effective dates: an assessment --as-of an earlier"
        " date still uses them, and they are read in the regions the catalog lists"
        " (mostly US), whatever data.regions says.",
    )
    fields = [
        "serving_precision",
        "kv_bytes_per_value",
        "memory_fraction",
        "runtime_overhead_gb",
        "bandwidth_efficiency",
        "compute_efficiency",
        "tensor_parallel_efficiency",
    ]
    if not platform.on_platform(usecase):
        fields.append("ops_fte_with_mlops_team" if org.mlops_team else "ops_fte_without_mlops_team")
    lowered = {params.serving_precision, *usecase.requirements.quantisation}
    if lowered & {"fp8", "int8"}:
        fields.append("quantisation_overhead_8bit")
    if "int4" in lowered:
        fields += ["quantisation_overhead_4bit", "int4_read_efficiency"]
    if usecase.requirements.fine_tuning == "planned":
        fields += [
            "fine_tuning_runs_per_year",
            "fine_tuning_tokens",
            "fine_tuning_engineer_months",
        ]
    out = [
        Assumption(
            field=f"cost.{name}",
            value=_show(getattr(params, name)),
            origin="estimate",
            reason=CostParameters.model_fields[name].description or "",
        )
        for name in fields
    ]
    out += platform.assumptions(usecase)
    out.append(
        Assumption(
            field="cost.throughput",
            value="measured where the catalog holds a measurement, else roofline",
            origin="estimate",
            reason="A published tokens/s of the same model, GPU, count, precision and batch"
            " replaces the roofline estimate; each make option's gpus line says which.",
        )
    )
    out.append(
        Assumption(
            field="cost.latency",
            value="roofline: one prompt's prefill, then one decode step per token",
            origin="estimate",
            reason="A make option's time to first token is the estimated prefill of one prompt"
            " on its replica (queueing and network excluded); its per-token time is one decode"
            " step at the batch size chosen, and the batch is capped so that both meet the"
            f" latency targets ({latency_targets(usecase)}).",
        )
    )
    if usecase.requirements.quantisation:
        out.append(quantisation_quality(usecase.requirements.quantisation))
    out.append(
        Assumption(
            field="cost.gpu_hours_per_month",
            value=f"{HOURS_PER_MONTH:g}",
            origin="estimate",
            reason="Self-hosted replicas run around the clock (8,760 hours a year / 12)."
            if loadshape.replica_load(usecase).load_shape == "flat"
            else "Hours in a month (8,760 hours a year / 12); replicas run as many of them as"
            " the load shape needs (see load.load_shape).",
        )
    )
    out += loadshape.make_assumptions(usecase, catalog)
    if usecase.requirements.fine_tuning == "maybe":
        out.append(
            Assumption(
                field="cost.fine_tuning",
                value="not costed",
                origin="estimate",
                reason="fine_tuning is 'maybe': only 'planned' adds fine-tuning cost.",
            )
        )
    out.append(gpu_prices)
    return out


QUANTISATION_EVIDENCE = (
    "Kurtic et al., 'Give Me BF16 or Give Me Death'? Accuracy-Performance Trade-Offs in"
    " LLM Quantization, arXiv:2411.02355 (2024), on the Llama 3.1 family: fp8 weights and"
    " activations lossless; int8 1-3 % lower; int4 weight-only about as good as int8"
)
"""The published evidence for the quality of quantised serving (cited in the report)."""


def quantisation_quality(allowed: Sequence[str]) -> Assumption:
    """The assumption behind costing a model in a quantised precision: its quality is
    read from the published checkpoint's evidence, unchanged."""
    return Assumption(
        field="cost.quantisation_quality",
        value=f"{', '.join(allowed)}: quality as published (unchanged)",
        origin="estimate",
        reason="A self-hosted model quantised to "
        + ", ".join(allowed)
        + " keeps the quality figure of its published checkpoint; the catalog holds no"
        " measurement of the quantised model, so the change is not measured here. Published"
        f" evidence: {QUANTISATION_EVIDENCE}. The gpus line of each make option names its"
        " precision and says when it is quantised.",
    )


def _show(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def totals_at_volumes(
    usecase: UseCase,
    catalog: Catalog,
    costed: list[CostedOption],
    sized: Capacity,
    factors: np.ndarray,
    params: CostParameters = DEFAULT_PARAMETERS,
) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Total cost of every costed option at `factors` times today's volume (and peak), and
    for each make option the GPUs per replica and peak replicas of the configuration it
    runs on there, without costing anything again (see `totals_under`)."""
    factors = np.asarray(factors, dtype=float)
    months = usecase.volume.horizon_months
    return totals_under(
        usecase, catalog, costed, sized, np.repeat(factors[:, None], months, axis=1), params=params
    )


def totals_under(
    usecase: UseCase,
    catalog: Catalog,
    costed: list[CostedOption],
    sized: Capacity,
    month_factor: np.ndarray,
    *,
    gpu_price_factor: np.ndarray | None = None,
    capacity_factor: np.ndarray | None = None,
    api_price_factor: np.ndarray | None = None,
    params: CostParameters = DEFAULT_PARAMETERS,
) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Total cost of every costed option in S scenarios, from the cost stage's own tables.

    `month_factor` (S x months) multiplies each month's volume and peak; `gpu_price_factor`
    (S) every GPU hourly price; `capacity_factor` (S) the requests per second a replica
    achieves; `api_price_factor` (S x months) every API price in each month. API options
    scale exactly. A make option runs, in each scenario, on the configuration the cost
    stage would pick there (the cheapest GPU bill, ties to fewer GPUs, then GPU id) and
    pays its replicas month by month, its staff, and its fine-tuning runs on that GPU. A
    hybrid adds its legs: an API leg scales with its share, a make leg pays its full fixed
    cost and its share's replicas (on a shared platform, the platform share once per use
    case, not per leg). Returns totals per option (S) and, per make option, the
    GPUs per replica and peak replicas (S each).
    """
    month_factor = np.atleast_2d(np.asarray(month_factor, dtype=float))
    scenarios, months = month_factor.shape
    ones = np.ones(scenarios)
    gpu_f = ones if gpu_price_factor is None else np.asarray(gpu_price_factor, dtype=float)
    cap_f = ones if capacity_factor is None else np.asarray(capacity_factor, dtype=float)
    api_f = np.ones((scenarios, months)) if api_price_factor is None else api_price_factor
    vol = usecase.volume
    rate = usecase.organisation.usd_to
    growth = month_volumes(usecase) / vol.requests_per_month
    peak = (vol.peak_requests_per_second or 0.0) * growth
    by_id = {c.gate.option.id: c for c in costed if c.cost is not None and c.gate.eligible}
    ops_total = (fixed_monthly(usecase, params)[0] + platform.share_monthly(usecase)) * months
    run_mask = finetune.run_months(months, params.fine_tuning_runs_per_year)
    runs = int(run_mask.sum()) if usecase.requirements.fine_tuning == "planned" else 0

    def make_cost(model: str, mf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        configs = sized.configurations(model)
        if configs.empty:
            return np.full(scenarios, np.inf), np.zeros(scenarios), np.zeros(scenarios)
        cap = configs["capacity_rps"].to_numpy()
        hourly = configs["replica_usd_per_hour"].to_numpy() * HOURS_PER_MONTH * rate
        # scenarios x configs x months
        need = (peak[None, :] * mf / cap_f[:, None])[:, None, :] / cap[None, :, None]
        replicas = replica_count(need)
        running = loadshape.mean_replicas(need, loadshape.replica_load(usecase))
        gpu = (running * hourly[None, :, None]).sum(axis=2)
        # Ties as the cost stage breaks them: fewer GPUs per replica, then GPU id.
        order = np.lexsort(
            (
                configs["precision_rank"].to_numpy(),
                configs["gpu"].to_numpy(),
                configs["tp"].to_numpy(),
            )
        )
        best = order[gpu[:, order].argmin(axis=1)]
        rows = np.arange(scenarios)
        tp = configs["tp"].to_numpy()[best].astype(float)
        ft_gpu = np.zeros(len(configs))
        ft_other = np.zeros(len(configs))
        if runs:  # every configuration at once: the run's formula takes columns too
            usd = configs["usd_per_gpu_hour"].to_numpy(dtype=float)
            per_run, hours = fine_tuning_run(
                usecase,
                catalog,
                model,
                {"tflops": configs["tflops"].to_numpy(dtype=float), "usd_per_gpu_hour": usd},
                params,
            )
            ft_gpu = runs * hours * usd * rate
            ft_other = runs * per_run - ft_gpu
        total = (gpu[rows, best] + ft_gpu[best]) * gpu_f + ops_total + ft_other[best]
        return total, replicas[rows, best].max(axis=1), tp

    def api_cost(c: CostedOption, share: float, mf: np.ndarray) -> np.ndarray:
        assert c.cost is not None
        monthly = np.asarray(c.cost.monthly, dtype=float)
        # A migration's one-off effort and the fine-tuning runs are paid in full,
        # whatever the volume or price.
        fixed = np.zeros(months)
        if c.gate.migration is not None:
            fixed[c.gate.migration.month] = c.cost.line_total("migration")
        tuning = c.cost.line_total("fine_tuning")
        if tuning:
            fixed = fixed + run_mask * tuning / run_mask.sum()
        return ((monthly - fixed)[None, :] * share * mf * api_f).sum(axis=1) + fixed.sum()

    totals: dict[str, np.ndarray] = {}
    shapes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for oid, c in by_id.items():
        o = c.gate.option
        if o.kind in ("buy", "rent"):
            totals[oid] = api_cost(c, 1.0, month_factor)
        elif o.kind == "make":
            make_total, reps, tp = make_cost(o.model, month_factor)
            totals[oid], shapes[oid] = make_total, (tp, reps)
        elif o.kind == "seat" and c.cost is not None:  # per person: volume moves nothing
            totals[oid] = np.full(scenarios, c.cost.total)
    for oid, c in by_id.items():
        if c.gate.option.kind != "hybrid":
            continue
        shares: dict[str, float] = {}
        for leg in c.legs:
            shares[leg.option] = shares.get(leg.option, 0.0) + leg.share
        total = np.zeros(scenarios)
        make_legs = 0
        for leg_id, share in shares.items():
            served = by_id.get(leg_id)
            if served is None or served.cost is None:
                total = total + np.inf
            elif served.gate.option.kind == "make":
                make_legs += 1
                total = total + make_cost(served.gate.option.model, month_factor * share)[0]
            else:
                total = total + api_cost(served, share, month_factor)
        # The platform share is paid once per use case, not once per self-hosted leg.
        extra = max(0, make_legs - 1) * platform.share_monthly(usecase) * months
        totals[oid] = total - extra
    return totals, shapes


def observed_api_price_trend(catalog: Catalog) -> tuple[tuple[float, float, float], list[str]]:
    """The yearly change of API prices the catalog's own price history shows, as (low,
    likely, high) = (25th percentile, median, 75th percentile) over the offerings whose
    price changed, and those offerings' ids. A change seen within less than a year counts
    as that year's change (not extrapolated). Prices are blended 3:1 input to output.
    No history: (0, 0, 0)."""
    changes = []
    ids = []
    for off in sorted(catalog.offerings.values(), key=lambda o: o.id):
        prices = sorted(off.prices, key=lambda p: p.effective_from)
        if len(prices) < 2:
            continue
        first, last = prices[0], prices[-1]
        blend_first = (3 * first.input_per_1m + first.output_per_1m) / 4
        blend_last = (3 * last.input_per_1m + last.output_per_1m) / 4
        days = (last.effective_from - first.effective_from).days
        if blend_first <= 0 or days <= 0:
            continue
        changes.append((blend_last / blend_first) ** (365 / max(days, 365)) - 1)
        ids.append(off.id)
    if not changes:
        return (0.0, 0.0, 0.0), []
    low, likely, high = np.percentile(changes, [25, 50, 75])
    return (round(float(low), 3), round(float(likely), 3), round(float(high), 3)), ids
