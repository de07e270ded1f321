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


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, int, str]]:
    """Each mutant written once and validated once: seed -> (file, exit code, report)."""
    from typer.testing import CliRunner

    from makebuy.cli import app

    folder = tmp_path_factory.mktemp("mutants")
    out = {}
    for seed in range(MUTANTS):
        path = folder / f"mutant-{seed}.yaml"
        path.write_text(yaml.safe_dump(_mutant(seed), sort_keys=False))
        result = CliRunner().invoke(app, ["catalog", "validate", str(path)])
        out[seed] = (path, result.exit_code, result.stdout)
    return out


@pytest.mark.parametrize("seed", range(MUTANTS))
def test_assess_never_uses_a_catalog_validate_rejects(cli, corpus, seed: int) -> None:
    path, validated, report = corpus[seed]
    assess = cli("assess", EXAMPLE, "--catalog", path, "--format", "json")
    assert "Traceback" not in assess.stderr and assess.exit_code != ExitCode.INTERNAL
    if validated != ExitCode.OK:
        assert assess.exit_code == ExitCode.BAD_INPUT, (report, assess.stderr)
        assert assess.stdout == ""


def test_the_corpus_holds_files_validate_rejects(corpus) -> None:
    rejected = sum(code != ExitCode.OK for _, code, _ in corpus.values())
    assert rejected >= MUTANTS // 2  # the corpus exercises the error path, not just the happy one
