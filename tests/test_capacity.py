"""The capacity stage sizes each make model once per assessment; cost, hybrid legs and
break-even read its tables."""

from __future__ import annotations

import pytest

from makebuy import capacity, pipeline

from .conftest import EXAMPLES


@pytest.mark.parametrize(
    ("example", "stage"),
    [("support-assistant", "hybrid"), ("ticket-routing-high-volume", "break-even")],
)
def test_assess_sizes_every_configuration_once(
    monkeypatch: pytest.MonkeyPatch, example: str, stage: str
) -> None:
    # Hybrid legs are costed at each share and break-even searches the make winner's
    # configurations: neither sizes anything again.
    calls: list[list[str]] = []
    real = capacity.size_make_options

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(list(args[2]))
        return real(*args, **kwargs)

    monkeypatch.setattr(capacity, "size_make_options", counted)
    monkeypatch.setattr(capacity, "_SIZED", {})  # nothing sized earlier in this process
    run = pipeline.assess(EXAMPLES / f"{example}.yaml")
    assert len(calls) == 1
    if stage == "hybrid":
        assert any(o.kind == "hybrid" and o.rank for o in run.assessment.options)
    else:
        assert run.assessment.break_even
    grid = run.capacity.grid
    key = ["model", "gpu", "tp", "batch"]
    assert not grid.duplicated(key).any(), "each configuration is sized exactly once"
    make_models = {o.model for o in run.assessment.options if o.kind == "make"}
    assert set(grid["model"]) <= make_models


def test_the_run_carries_what_later_commands_need() -> None:
    run = pipeline.assess(EXAMPLES / "ticket-routing-high-volume.yaml")
    assert run.usecase.name == run.assessment.usecase.name
    assert run.catalog.fingerprint == run.assessment.catalog.fingerprint
    assert {c.gate.option.id for c in run.costed} == {o.id for o in run.assessment.options}
    assert run.evaluated_on == run.assessment.evaluated_on


def test_fixed_cost_lines_are_marked_in_the_json_contract() -> None:
    run = pipeline.assess(EXAMPLES / "support-assistant.yaml")
    make = next(o for o in run.assessment.options if o.kind == "make" and o.cost)
    assert make.cost is not None
    fixed = {line.item for line in make.cost.breakdown if line.fixed}
    assert fixed == {"operations", "fine_tuning"}  # fine-tuning is planned there
    dumped = make.cost.model_dump(mode="json")
    assert {line["item"] for line in dumped["breakdown"] if line["fixed"]} == fixed


def test_the_same_request_shape_is_sized_once_per_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A portfolio of questionnaires that differ only in volume or priorities reads the
    # tables sized for the first one; the reports are the same as when sized afresh.
    calls: list[object] = []
    real = capacity.size_make_options

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(capacity, "size_make_options", counted)
    monkeypatch.setattr(capacity, "_SIZED", {})
    first = pipeline.assess(EXAMPLES / "support-assistant.yaml")
    second = pipeline.assess(EXAMPLES / "support-assistant.yaml")
    assert len(calls) == 1
    assert second.assessment == first.assessment
