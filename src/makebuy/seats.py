"""Seat-priced offerings: chat products for the organisation's own people, sold per seat.

ChatGPT Business, Claude Team and their enterprise plans are bought per person per month,
not per token. When the questionnaire says how many people would get a seat
(`users.seats`), every seat product in the catalog becomes an option of kind `seat`:

- options: one per catalog seat product; its quality is that of the catalog model the
  seat gives (`model`), read from the options already enumerated for that model.
- gate: the data rules that bind an API bind a seat product too (its `regions`, `data`,
  `sla` and `lifecycle` stand where an offering's would), and a seat product only fits an
  internal chat use case: `task.kind` chat and `users.external` false (`applies`).
- cost: billed seats (the questionnaire's, raised to the vendor's minimum) x the price per
  seat-month x the months paid. The price is the user's (`users.seat_prices`), else the
  cheaper of the published list prices over the horizon (an annual price commits whole
  years); a product with neither is ruled out (`price.missing`). The seat count stays
  flat over the horizon: it counts people, and `volume.growth_per_year` is request
  growth, which per-seat plans absorb. Every cost line is fixed: the bill does not move
  with token volume, so the robustness scenarios hold it constant.
- break-even: the volume at which the best seat option's flat bill meets the best buy and
  the best rent option's token bill (`breakeven.seat_break_even`, beside the make one).

Nothing here applies when `users.seats` is absent: no seat option exists then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from makebuy.errors import InputError
from makebuy.models.catalog import Catalog, SeatPrice, SeatProduct
from makebuy.models.result import (
    Assumption,
    Cost,
    CostLine,
    Exclusion,
    GateResult,
    Option,
)
from makebuy.models.usecase import UseCase

SEAT_KIND = "seat"
SEAT_TASK_KINDS: frozenset[str] = frozenset({"chat"})
"""Task kinds a seat product serves: a person chatting in the vendor's own window. A
pipeline (extraction, classification, summarisation in bulk, an agent, RAG inside your
product) calls an API whatever the vendor's chat plans cost."""
USER_PRICE_FIELD = "users.seat_prices"


def product_id(option: Option) -> str:
    """The seat product id behind a seat option (`seat:openai/chatgpt-business`)."""
    return option.id.removeprefix(f"{SEAT_KIND}:")


def product_of(catalog: Catalog, option: Option) -> SeatProduct | None:
    """The catalog seat product of a seat option; None for every other kind."""
    if option.kind != SEAT_KIND:
        return None
    return catalog.seats.get(product_id(option))


def check_seat_prices(
    usecase: UseCase, lines: dict[tuple[str | int, ...], int], path: str, catalog: Catalog
) -> None:
    """Every product id in `users.seat_prices` names a seat product of the catalog."""
    for key in usecase.users.seat_prices:
        if key not in catalog.seats:
            known = ", ".join(sorted(catalog.seats)) or "none"
            raise InputError(
                f"unknown seat product id {key!r} (the catalog's seat products: {known})",
                path=path,
                line=lines.get(("users", "seat_prices", key)),
                field=f"{USER_PRICE_FIELD}.{key}",
            )


def seat_options(usecase: UseCase, catalog: Catalog, others: Sequence[Option]) -> list[Option]:
    """One option per seat product when `users.seats` is stated, else none.

    Quality comes from the options already enumerated for the product's model (the same
    evidence, the same user evals); a model with no other option has no quality figure,
    and the gate's quality rule judges that as it judges any such option."""
    if usecase.users.seats is None:
        return []
    quality = {o.model: (o.quality, o.quality_evidence) for o in others if o.kind != "hybrid"}
    out = []
    for seat in sorted(catalog.seats.values(), key=lambda s: s.id):
        if seat.model is None:
            continue  # no source names its model: listed in the assumptions (`cost_seats`)
        model = catalog.models[seat.model.value]
        q, evidence = quality.get(model.id, (None, None))
        context = seat.context_tokens or model.context_tokens
        out.append(
            Option(
                id=f"{SEAT_KIND}:{seat.id}",
                kind=SEAT_KIND,
                model=model.id,
                model_name=f"{seat.name} ({model.name})",
                provider=seat.provider,
                licence=model.licence,
                open_weights=False,
                quality=q,
                quality_evidence=evidence,
                context_tokens=context.value if context else None,
            )
        )
    return out


def applies(usecase: UseCase) -> str | None:
    """Why a seat product does not fit this use case; None when it does."""
    if usecase.users.external:
        return (
            "A per-seat product serves the organisation's own people; this use case serves"
            " people outside it (users.external)."
        )
    if usecase.task.kind not in SEAT_TASK_KINDS:
        return (
            f"A per-seat product is a chat window for people; a {usecase.task.kind} task is"
            " built on an API (task.kind)."
        )
    return None


def use_case_exclusions(usecase: UseCase, option_ids: Sequence[str]) -> list[tuple[str, Exclusion]]:
    """The gate's `seat.use_case` rule: every seat option, when the use case is not one."""
    why = applies(usecase)
    if why is None:
        return []
    return [(oid, Exclusion(code="seat.use_case", message=why)) for oid in option_ids]


def lifecycle_dates(
    catalog: Catalog, option: Option, on: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    """The seat product's own deprecation and retirement dates known on `on` (the model
    behind a chat plan is replaced as the vendor updates it; the plan's dates count)."""
    seat = product_of(catalog, option)
    life = seat.lifecycle if seat is not None else None
    if life is None or life.as_of > on:
        return None, None
    return life.deprecated, life.retires


@dataclasses.dataclass(frozen=True)
class SeatBill:
    """What one seat option costs over the horizon, and what it rests on."""

    billed_seats: int
    usd_per_seat_month: float
    billing: str
    months_paid: int
    source: str | None
    """Catalog source id of the list price; None for the user's own price."""
    as_of: dt.date | None


def bill(usecase: UseCase, seat: SeatProduct) -> SeatBill | None:
    """The seat bill: the user's price, else the cheapest published price over the horizon
    (ties to the annual price); None when there is neither."""
    wanted = usecase.users.seats or 0
    minimum = seat.min_seats.value if seat.min_seats is not None else 1
    billed = max(wanted, minimum)
    months = usecase.volume.horizon_months
    users_price = usecase.users.seat_prices.get(seat.id)
    if users_price is not None:
        return SeatBill(billed, users_price, "your price", months, None, None)
    if not seat.prices:
        return None

    def paid(p: SeatPrice) -> int:
        return 12 * math.ceil(months / 12) if p.billing == "annual" else months

    best = min(
        seat.prices,
        key=lambda p: (p.usd_per_seat_month * paid(p), p.billing != "annual"),
    )
    return SeatBill(
        billed, best.usd_per_seat_month, best.billing, paid(best), best.source, best.as_of
    )


def cost_seats(
    usecase: UseCase,
    catalog: Catalog,
    gated: Sequence[GateResult],
    total_tokens_m: float,
    costs: dict[str, Cost],
    exclusions: dict[str, Exclusion],
) -> list[Assumption]:
    """Cost the eligible seat options (the cost stage's hook); returns the assumptions the
    report lists when at least one seat option was costed."""
    months = usecase.volume.horizon_months
    rate = usecase.organisation.usd_to
    costed_any = False
    for g in gated:
        seat = product_of(catalog, g.option)
        if seat is None:
            continue
        found = bill(usecase, seat)
        if found is None:
            exclusions[g.option.id] = Exclusion(
                code="price.missing",
                message=f"{seat.provider} publishes no list price for {seat.name}; give your"
                f" quote in {USER_PRICE_FIELD} ({seat.id}: USD per seat per month).",
            )
            continue
        costed_any = True
        per_month = found.billed_seats * found.usd_per_seat_month * rate
        monthly = np.full(months, per_month)
        monthly[-1] += per_month * (found.months_paid - months)  # an annual term's rest
        total = float(monthly.sum())
        said = (
            f"your price ({USER_PRICE_FIELD})"
            if found.source is None
            else f"{found.billing} billing, {found.source}, as of"
            f" {found.as_of.isoformat() if found.as_of else 'undated'}"
        )
        minimum = (
            f" (the vendor's minimum of {seat.min_seats.value}; {usecase.users.seats} asked)"
            if seat.min_seats is not None and found.billed_seats > (usecase.users.seats or 0)
            else ""
        )
        extra = (
            f"; the annual term runs {found.months_paid} months, past the {months}-month"
            " horizon, and the rest is paid in the last month"
            if found.months_paid > months
            else ""
        )
        costs[g.option.id] = Cost(
            currency=usecase.organisation.currency,
            total=total,
            monthly=[round(float(x), 2) for x in monthly],
            per_million_tokens=total / total_tokens_m if total_tokens_m > 0 else 0.0,
            breakdown=[
                CostLine(
                    item="seats",
                    total=total,
                    detail=f"{found.billed_seats:,} seats{minimum} x"
                    f" ${found.usd_per_seat_month:g} per seat-month ({said}) x"
                    f" {found.months_paid} months{extra}; flat whatever the token volume",
                    fixed=True,
                )
            ],
            price_source=found.source,
            price_as_of=found.as_of,
        )
    out = []
    unnamed = sorted(s.name for s in catalog.seats.values() if s.model is None)
    if usecase.users.seats is not None and unnamed:
        out.append(
            Assumption(
                field="catalog.seats.model",
                value=f"{len(unnamed)} seat products not weighed",
                origin="catalog",
                reason="No source in the catalog names the model these seats give, so their"
                " quality cannot be judged: " + ", ".join(unnamed) + ".",
            )
        )
    if not costed_any:
        return out
    return [
        *out,
        Assumption(
            field="users.seats",
            value=f"{usecase.users.seats:,} seats for all {months} months",
            origin="derived",
            reason="A seat is a person: the seat count stays flat over the horizon (request"
            " growth, volume.growth_per_year, is absorbed by per-seat plans) and a seat"
            " option's cost does not move with token volume. A seat option's quality is that"
            " of the catalog model its plan gives, and its context window is the plan's where"
            " the catalog records one, else the model's.",
        ),
    ]


def cited(catalog: Catalog, option_id: str, price_source: str | None) -> dict[str, Any]:
    """The seat product's facts a report cites: all but the list prices it did not use."""
    seat = catalog.seats.get(option_id.removeprefix(f"{SEAT_KIND}:"))
    if seat is None:
        return {}
    dumped = seat.model_dump(mode="json")
    dumped["prices"] = [p for p in dumped["prices"] if p["source"] == price_source]
    return dumped


# ---------------------------------------------------------------- catalog validate


MAX_USD_PER_SEAT_MONTH = 1_000.0
"""No chat plan lists more than this per seat-month (the dearest team seats are $150-200)."""


def implausible(seats: Sequence[SeatProduct]) -> list[tuple[tuple[str | int, ...], str, str]]:
    """`catalog validate`'s value checks on one file's seat products: (YAML path, field,
    message) for each implausible figure."""
    out: list[tuple[tuple[str | int, ...], str, str]] = []
    for i, seat in enumerate(seats):
        for j, p in enumerate(seat.prices):
            if p.usd_per_seat_month > MAX_USD_PER_SEAT_MONTH:
                out.append(
                    (
                        ("seats", i, "prices", j, "usd_per_seat_month"),
                        f"seats[{seat.id}].prices[{j}].usd_per_seat_month",
                        f"${p.usd_per_seat_month:,.2f} per seat-month is above"
                        f" ${MAX_USD_PER_SEAT_MONTH:,.0f} (a yearly price stored per month?)",
                    )
                )
    return out


def community_priced(catalog: Catalog) -> list[tuple[str, str, str]]:
    """Seat list prices resting on a community source alone: (seat id, field, source)."""
    out = []
    for sid in sorted(catalog.seats):
        for j, p in enumerate(catalog.seats[sid].prices):
            src = catalog.sources.get(p.source)
            if p.status != "unverified" and src is not None and src.kind == "community":
                out.append((sid, f"seats[{sid}].prices[{j}].source", p.source))
    return out
