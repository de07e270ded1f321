"""The house's layers: each module imports only from its own layer or the ones below.

models (the data contracts) < facts and arithmetic (load, sizing, ...) < stages (gate,
capacity, cost, ...) < pipeline < workflows on assessments (adr, check, portfolio)
< render < cli. Imports under `if TYPE_CHECKING:` count too: a type from above is a
sign the hand-off type lives in the wrong place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "makebuy"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "units", "money", "environment", "models", "catalog_cache"),
    (
        "load",
        "normalise",
        "options",
        "sizing",
        "finetune",
        "cite",
        "catalog_check",
        "catalog_query",
        "catalog_diff",
        "importers",
        "seats",
        "loadshape",
        "platform",
        "spot",
    ),
    ("config",),
    ("gate", "capacity", "owned", "cost", "hybrid", "score", "recommend", "breakeven"),
    ("robustness", "salience"),  # re-read the cost and score stages at other inputs
    ("pipeline", "starter"),
    ("adr", "check", "portfolio", "compare", "saved", "headline", "schemas"),
    ("render",),
    ("cli", "__main__"),
)


def layer_of(module: str) -> int:
    top = module.split(".")[1] if module.startswith("makebuy.") else module
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(p for p in parts if p != "__init__")
        if name != "makebuy":
            out.append((name, path))
    return out


def imported(path: Path, name: str) -> set[str]:
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("makebuy.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            if mod == "makebuy":
                found |= {
                    f"makebuy.{a.name}"
                    for a in node.names
                    if (SRC / f"{a.name}.py").exists() or (SRC / a.name).is_dir()
                }
            elif mod.startswith("makebuy."):
                found.add(mod)
    return found


@pytest.mark.parametrize(("name", "path"), modules(), ids=lambda v: str(v))
def test_no_module_imports_upward(name: str, path: Path) -> None:
    mine = layer_of(name)
    upward = sorted(m for m in imported(path, name) if layer_of(m) > mine)
    assert not upward, f"{name} (layer {mine}) imports from above: {upward}"


def test_every_module_is_placed_in_a_layer() -> None:
    for name, _ in modules():
        layer_of(name)
