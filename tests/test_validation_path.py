"""One validation path: no mutated catalog that `catalog validate` rejects is used by
`assess` (issue 16's criterion, on a seeded corpus of mutated catalog files)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from makebuy.errors import ExitCode

from .conftest import EXAMPLES, ROOT

SOURCE = ROOT / "catalogs" / "offerings-deepinfra.yaml"
EXAMPLE = EXAMPLES / "ticket-routing-high-volume.yaml"
MUTANTS = 16
VALUES: tuple[Any, ...] = (0, -1, 1e-9, 150_000, 1e12, "n/a", None)


def _numeric_leaves(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _numeric_leaves(v, (*at, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _numeric_leaves(v, (*at, i))]
    return [at] if isinstance(node, int | float) and not isinstance(node, bool) else []


def _mutant(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    data = yaml.safe_load(SOURCE.read_text())
    leaves = [p for p in _numeric_leaves(data) if p[0] == "offerings"]
    for path in rng.sample(leaves, 2):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = rng.choice(VALUES)
    return data


@pytest.mark.parametrize("seed", range(MUTANTS))
def test_assess_never_uses_a_catalog_validate_rejects(cli, tmp_path: Path, seed: int) -> None:
    path = tmp_path / "mutant.yaml"
    path.write_text(yaml.safe_dump(_mutant(seed), sort_keys=False))
    validate = cli("catalog", "validate", path)
    assess = cli("assess", EXAMPLE, "--catalog", path, "--format", "json")
    assert "Traceback" not in assess.stderr and assess.exit_code != ExitCode.INTERNAL
    if validate.exit_code != ExitCode.OK:
        assert assess.exit_code == ExitCode.BAD_INPUT, (validate.stdout, assess.stderr)
        assert assess.stdout == ""


def test_the_corpus_holds_files_validate_rejects(cli, tmp_path: Path) -> None:
    rejected = 0
    for seed in range(MUTANTS):
        path = tmp_path / f"mutant-{seed}.yaml"
        path.write_text(yaml.safe_dump(_mutant(seed), sort_keys=False))
        rejected += cli("catalog", "validate", path).exit_code != ExitCode.OK
    assert rejected >= MUTANTS // 2  # the corpus exercises the error path, not just the happy one
