"""`makebuy size MODEL`: what it takes to self-host one model, per GPU type."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from makebuy.cli.common import (
    CATALOG_OPTION,
    DEBUG_OPTION,
    NO_CACHE_OPTION,
    OUTPUT_OPTION,
    complete_gpu,
    complete_model,
    current_environment,
    emit,
    reported_errors,
)

if TYPE_CHECKING:
    from makebuy.models.catalog import Catalog
    from makebuy.sizing import SizeReport


class SizeFormat(StrEnum):
    """Output formats of `makebuy size`."""

    table = "table"
    json = "json"


class CommitmentChoice(StrEnum):
    """GPU price commitments in the catalog."""

    on_demand = "on-demand"
    reserved_1y = "reserved-1y"
    reserved_3y = "reserved-3y"
    owned = "owned"
    spot = "spot"


class PrecisionChoice(StrEnum):
    """Weight precisions the sizing knows."""

    bf16 = "bf16"
    fp16 = "fp16"
    fp8 = "fp8"
    int8 = "int8"
    int4 = "int4"
    mxfp4 = "mxfp4"


def register(app: typer.Typer) -> None:
    app.command("size")(size)


def size(
    model: str = typer.Argument(
        ...,
        help="Model id from the catalog, e.g. meta/llama-2-70b.",
        autocompletion=complete_model,
    ),
    gpu: list[str] = typer.Option(
        [],
        "--gpu",
        help="GPU id to size for; repeatable (default: all).",
        autocompletion=complete_gpu,
    ),
    precision: PrecisionChoice | None = typer.Option(
        None,
        "--precision",
        help="Weight precision (default: the first the model is published in, else bf16).",
    ),
    context: int = typer.Option(
        4096, "--context", min=1, help="Tokens per sequence (prompt + answer)."
    ),
    concurrency: int = typer.Option(1, "--concurrency", min=1, help="Sequences served at once."),
    utilisation: float = typer.Option(
        0.5, "--utilisation", min=0.01, max=1.0, help="Share of time the GPUs are busy (costs)."
    ),
    cloud: str = typer.Option("any", "--cloud", help="Price GPUs on this cloud (any: cheapest)."),
    commitment: CommitmentChoice = typer.Option(
        CommitmentChoice.on_demand, "--commitment", help="GPU price commitment."
    ),
    catalog: list[Path] = CATALOG_OPTION,
    output_format: SizeFormat = typer.Option(
        SizeFormat.table, "--format", "-f", help="Output format."
    ),
    output: Path | None = OUTPUT_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Memory, GPUs per type, prefill/decode speed and cost per 1M tokens of one model."""
    with reported_errors(debug, no_cache=no_cache):
        from makebuy import load, sizing

        cat = load.load_catalog(catalog).catalog
        check_ids(model, gpu, cat)
        report = sizing.size_model(
            cat,
            model,
            gpu_ids=gpu or None,
            precision=precision.value if precision else None,
            context_tokens=context,
            concurrency=concurrency,
            utilisation=utilisation,
            cloud=cloud,
            commitment=commitment.value,
        )
        if output_format is SizeFormat.json:
            text = report.model_dump_json(indent=2) + "\n"
        else:
            text = render_size(report, width=current_environment().columns)
        emit(text, output, inputs=catalog)


def check_ids(model: str, gpus: list[str], cat: Catalog) -> None:
    """Unknown model or GPU ids are usage errors with a suggestion."""
    import difflib

    from makebuy.errors import InputError

    if model not in cat.models:
        close = difflib.get_close_matches(model, list(cat.models), n=1, cutoff=0.6)
        raise InputError(
            f"unknown model id {model!r}" + (f"; did you mean {close[0]!r}?" if close else "")
        )
    m = cat.models[model]
    if m.parameters_b is None or m.architecture is None:
        raise InputError(f"{model}: the catalog lacks the parameter count or architecture")
    for g in gpus:
        if g not in cat.gpus:
            close = difflib.get_close_matches(g, list(cat.gpus), n=1, cutoff=0.5)
            raise InputError(
                f"unknown GPU id {g!r}" + (f"; did you mean {close[0]!r}?" if close else "")
            )


def render_size(report: SizeReport, *, width: int = 100) -> str:
    """The size report as a terminal table (formatting only: every figure comes from sizing)."""
    import io

    from rich.console import Console
    from rich.table import Table

    from makebuy.render.format import money

    buffer = io.StringIO()
    console = Console(markup=False, file=buffer, width=width, no_color=True, highlight=False)
    r = report
    console.print(f"makebuy size: {r.model_name} ({r.model})")
    console.print(
        f"{r.parameters_b:g}B parameters ({r.active_parameters_b:g}B active) in {r.precision}:"
        f" weights {r.weights_gb:,.1f} GB; KV cache {r.kv_bytes_per_token / 1024:,.0f} KiB per"
        f" token"
        + (
            f" plus a {r.recurrent_state_bytes / 1e6:,.0f} MB recurrent state per sequence"
            if r.recurrent_state_bytes
            else ""
        )
        + f", {r.kv_cache_gb:,.2f} GB for {r.concurrency} x {r.context_tokens:,} tokens;"
        f" {r.memory_needed_gb:,.1f} GB of GPU memory in all on one GPU."
    )
    table = Table(
        title=f"Per GPU type ({r.commitment} prices on {r.cloud}, {r.utilisation:.0%} utilisation)",
        title_justify="left",
    )
    for name, justify in [
        ("GPU", "left"),
        ("GB", "right"),
        ("GPUs", "right"),
        ("Prefill tok/s", "right"),
        ("Decode tok/s", "right"),
        ("Basis", "left"),
        ("$/GPU-h", "right"),
        ("$/1M in", "right"),
        ("$/1M out", "right"),
    ]:
        table.add_column(name, justify=justify, no_wrap=name == "GPU")  # type: ignore[arg-type]
    for g in r.gpus:
        if g.gpus is None:
            table.add_row(g.gpu, f"{g.memory_gb:g}", "-", "", "", "does not fit on 8", "", "", "")
            continue
        table.add_row(
            g.gpu,
            f"{g.memory_gb:g}",
            str(g.gpus),
            f"{g.prefill_tokens_per_s:,.0f}",
            f"{g.decode_tokens_per_s:,.0f}",
            "measured" if g.measurement else "roofline",
            f"{g.usd_per_gpu_hour:g}" if g.usd_per_gpu_hour is not None else "no price",
            money(g.input_per_1m_usd, "USD"),
            money(g.output_per_1m_usd, "USD"),
        )
    console.print(table)
    for g in r.gpus:
        if g.gpus and g.usd_per_replica_hour is not None and g.instance != "per-GPU rental":
            console.print(
                f"{g.gpu}: {g.gpus} GPU(s) on {g.instance}, ${g.usd_per_replica_hour:.4g}/hour."
            )
    for g in r.gpus:
        if g.measurement:
            console.print(f"Measured decode speed on {g.gpu}: catalog throughput {g.measurement}.")
    console.print("Assumptions:")
    for line in r.assumptions:
        console.print(f"- {line}")
    return buffer.getvalue()
