"""Fine-tuning: which API offerings can tune a model, what tuning and serving the tuned
model cost there, and how much cheaper LoRA is than full fine-tuning when self-hosting.

`requirements.fine_tuning: planned` rules out every buy and rent option whose offering the
catalog records no fine-tuning for (its `fine_tuning` block), or whose provider takes no
new fine-tuning customers on the evaluation date. The options it keeps are costed at the
tuned model's serving price plus each training run (training tokens times the provider's
training price, and the engineer-months of data preparation and evaluation a run takes on
any path). `maybe` rules nothing out; the report lists which options could be tuned.

Self-hosted (make) training takes 6 x parameters x tokens FLOPs for full fine-tuning
(Kaplan et al. 2020, "Scaling Laws for Neural Language Models", arXiv:2001.08361, section
2.1). LoRA trains a low-rank adapter on frozen weights: Hu et al. 2021 ("LoRA: Low-Rank
Adaptation of Large Language Models", arXiv:2106.09685, section 4.2) measured a 25% training
speed-up on GPT-3 175B against full fine-tuning, 10,000 times fewer trainable parameters
and a third of the GPU memory (1.2 TB down to 350 GB). LoRA runs are costed at 1 / 1.25 of
the full run's GPU-hours; the memory saving is reported, not costed (GPU-hours follow the
compute, however many GPUs share it).

A mixture-of-experts model computes each token with its active parameters only (the router
sends it to a few experts): Fedus et al. 2022 ("Switch Transformers", JMLR 23(120),
section 2) grow the parameter count "while keeping the FLOPs per token constant". Its
training FLOPs therefore count active parameters, not total ones; memory still holds all of
them, which the serving replica's GPUs already do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import numpy as np

from makebuy.models.catalog import Catalog, Model, Offering, Price
from makebuy.models.result import Assumption, Exclusion, Option
from makebuy.models.usecase import UseCase

Method = Literal["lora", "full"]

DEFAULT_METHOD: Method = "lora"
"""The self-hosted tuning method when the questionnaire names none: LoRA, the default of
the managed services that offer both (Together AI) and the only method of others
(Fireworks AI), and the cheaper of the two."""

FULL_TRAINING_FLOPS_PER_PARAMETER_TOKEN = 6.0
"""Training FLOPs per parameter and token of full fine-tuning (forward 2, backward 4;
Kaplan et al. 2020, section 2.1)."""

LORA_SPEEDUP = 1.25
"""LoRA's training throughput over full fine-tuning on GPT-3 175B (Hu et al. 2021, 4.2)."""

LORA_EVIDENCE = (
    "Hu et al., LoRA: Low-Rank Adaptation of Large Language Models, arXiv:2106.09685 (2021),"
    " section 4.2: on GPT-3 175B, 25% faster training than full fine-tuning, 10,000 times"
    " fewer trainable parameters and GPU memory down from 1.2 TB to 350 GB"
)

EXCLUSION_CODE = "requirements.fine_tuning"


def method(usecase: UseCase) -> Method:
    """The self-hosted tuning method: the questionnaire's, else DEFAULT_METHOD."""
    return usecase.requirements.fine_tuning_method or DEFAULT_METHOD


def compute_parameters_b(model: Model) -> float:
    """Billions of parameters that compute each token: the active ones of a
    mixture-of-experts model, all of them otherwise."""
    if model.active_parameters_b is not None:
        return model.active_parameters_b.value
    assert model.parameters_b is not None
    return model.parameters_b.value


def training_flops(parameters: float, tokens: float, how: Method) -> float:
    """FLOPs of one self-hosted training run over `tokens` training tokens."""
    full = FULL_TRAINING_FLOPS_PER_PARAMETER_TOKEN * parameters * tokens
    return full / LORA_SPEEDUP if how == "lora" else full


def method_detail(how: Method) -> str:
    """The tuning method as a cost line names it."""
    if how == "lora":
        return "LoRA (25% less compute than full fine-tuning, Hu et al. 2021)"
    return "full fine-tuning (6 x parameters x tokens FLOPs)"


def run_months(months: int, runs_per_year: float) -> np.ndarray:
    """Which months of the horizon hold a training run: the first, then every 12 /
    runs_per_year months (boolean, one per month)."""
    mask = np.zeros(months, dtype=bool)
    mask[:: max(1, round(12 / runs_per_year))] = True
    return mask


def can_tune(offering: Offering, on: dt.date) -> str | None:
    """Why the offering cannot tune its model for a new customer on `on`; None when it can."""
    ft = offering.fine_tuning
    if ft is None:
        return (
            f"Fine-tuning is planned and the catalog records no fine-tuning of this model"
            f" on {offering.provider}."
        )
    closed = ft.closed_to_new_customers
    if closed is not None and closed.value <= on:
        return (
            f"Fine-tuning is planned and {offering.provider} has taken no new fine-tuning"
            f" customers since {closed.value.isoformat()} ({closed.source})."
        )
    return None


def gate_exclusions(
    usecase: UseCase, catalog: Catalog, on: dt.date, api: Iterable[Option]
) -> list[tuple[str, Exclusion]]:
    """The gate rule: with fine-tuning planned, buy and rent options whose offering cannot
    tune the model are ruled out."""
    if usecase.requirements.fine_tuning != "planned":
        return []
    out = []
    for o in api:
        off = catalog.offerings.get(o.offering) if o.offering else None
        if off is None:
            continue
        why = can_tune(off, on)
        if why is not None:
            out.append((o.id, Exclusion(code=EXCLUSION_CODE, message=why)))
    return out


def seat_exclusions(seats: Iterable[Option]) -> list[tuple[str, Exclusion]]:
    """With fine-tuning planned, seat products are ruled out: a per-seat chat product
    serves the vendor's model as it is, with no way to tune it on your data."""
    return [
        (
            o.id,
            Exclusion(
                code=EXCLUSION_CODE,
                message="A per-seat chat product serves the vendor's model as it is: it"
                " cannot be fine-tuned on your data (requirements.fine_tuning: planned).",
            ),
        )
        for o in seats
    ]


def tuned_price(offering: Offering, base: Price) -> Price | str:
    """The price of serving the tuned model while `base` is in force, or why the catalog
    cannot give one."""
    ft = offering.fine_tuning
    if ft is None:
        return f"The catalog records no fine-tuning of this model on {offering.provider}."
    billing = ft.serving.value
    if billing == "base-price":
        return base.model_copy(
            update={"note": f"tuned model served at the base price ({ft.serving.source})"}
        )
    if billing == "dedicated" or ft.input_per_1m is None or ft.output_per_1m is None:
        return (
            f"{offering.provider} serves tuned models only on a dedicated deployment billed"
            f" per GPU time ({ft.serving.source}), which the catalog does not price."
        )
    return Price(
        effective_from=base.effective_from,
        effective_to=base.effective_to,
        input_per_1m=ft.input_per_1m.value,
        output_per_1m=ft.output_per_1m.value,
        source=ft.input_per_1m.source,
        as_of=ft.input_per_1m.as_of,
        status=ft.input_per_1m.status,
        note="tuned model",
    )


def api_training_run(
    usecase: UseCase,
    offering: Offering,
    tokens: float,
    engineer_months: float,
) -> tuple[float, str] | str:
    """One training run on the provider: its cost in the report currency (training tokens
    at the provider's price, plus the engineer-months of data preparation and evaluation)
    and a description; or why the catalog cannot price it."""
    ft = offering.fine_tuning
    if ft is None or ft.training_per_1m is None:
        return (
            f"The catalog holds no fine-tuning training price for this model on"
            f" {offering.provider}."
        )
    org = usecase.organisation
    price = ft.training_per_1m
    training = tokens / 1e6 * price.value * org.usd_to
    people = engineer_months * org.engineer_cost_per_year / 12
    detail = (
        f"{tokens / 1e6:,.1f}M training tokens at ${price.value:g} per 1M"
        f" ({price.source}, {price.as_of.isoformat()}) and {engineer_months:g}"
        f" engineer-month(s) per run; served at the tuned model's price"
    )
    return training + people, detail


def assumptions(
    usecase: UseCase, catalog: Catalog, api: Iterable[Option], on: dt.date
) -> list[Assumption]:
    """What the report assumed about fine-tuning: the self-hosted method when the
    questionnaire names none, and with `maybe`, which API options could be tuned."""
    wanted = usecase.requirements.fine_tuning
    if wanted == "none":
        return []
    out = []
    if usecase.requirements.fine_tuning_method is None:
        out.append(
            Assumption(
                field="requirements.fine_tuning_method",
                value=DEFAULT_METHOD,
                origin="default",
                reason="not answered; a self-hosted model is tuned with LoRA, the default of"
                " managed tuning services and the cheaper method: " + LORA_EVIDENCE + ".",
            )
        )
    if wanted == "maybe":
        api = list(api)
        tunable = sorted(
            o.id
            for o in api
            if o.offering in catalog.offerings
            and can_tune(catalog.offerings[o.offering], on) is None
        )
        listed = ", ".join(tunable) if tunable else "none"
        out.append(
            Assumption(
                field="requirements.fine_tuning",
                value=f"{len(tunable)} of {len(api)} buy/rent options can be fine-tuned",
                origin="derived",
                reason="fine_tuning is 'maybe': no option is ruled out and no tuning is costed;"
                " 'planned' would rule out the API options whose provider cannot tune the"
                f" model. Tunable per the catalog: {listed}.",
            )
        )
    return out
