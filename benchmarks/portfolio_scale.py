"""`makebuy portfolio` on generated questionnaires: marginal time per questionnaire and
peak RSS.

Run from the repository root:
    .venv/bin/python benchmarks/portfolio_scale.py [--count 1000] [--runs 3]

The questionnaires are the examples with varied volumes and priorities, written to a
temporary folder. The marginal time is (t(count) - t(small)) / (count - small), with
small = count / 10, each the median of `--runs` alternating runs; the floor of the RSS is
a portfolio of `small` questionnaires. Targets: <= 5 ms per questionnaire, <= 300 MiB.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from _paired import MAKEBUY, ROOT, run_process, runs_from_argv


def generate(folder: Path, count: int) -> None:
    """`count` questionnaires made from the examples, volumes and priorities varied."""
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    bases = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in examples]
    for i in range(count):
        doc = dict(bases[i % len(bases)])
        doc["name"] = f"{doc['name']} #{i}"
        volume = dict(doc["volume"])
        volume["requests_per_month"] = int(volume["requests_per_month"] * (0.5 + (i % 17) / 8))
        doc["volume"] = volume
        priorities = dict(doc.get("priorities") or {})
        if priorities:
            key = sorted(priorities)[i % len(priorities)]
            priorities[key] = 1 + (i % 5)
            doc["priorities"] = priorities
        (folder / f"q{i:05d}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")


def arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main() -> None:
    count = arg("--count", 1000)
    small = max(count // 10, 1)
    runs = runs_from_argv(3)
    with tempfile.TemporaryDirectory() as tmp:
        big_dir, small_dir = Path(tmp) / "big", Path(tmp) / "small"
        big_dir.mkdir()
        small_dir.mkdir()
        generate(big_dir, count)
        generate(small_dir, small)
        out = str(Path(tmp) / "out.json")

        def run(folder: Path) -> tuple[float, int]:
            return run_process([MAKEBUY, "portfolio", str(folder), "-f", "json", "-o", out])

        run(small_dir)  # warm the catalog cache and the file system
        big: list[tuple[float, int]] = []
        little: list[tuple[float, int]] = []
        for i in range(runs):
            pair = (big_dir, small_dir) if i % 2 == 0 else (small_dir, big_dir)
            for folder in pair:
                (big if folder is big_dir else little).append(run(folder))
    t_big = statistics.median(t for t, _ in big)
    t_small = statistics.median(t for t, _ in little)
    rss_big = max(r for _, r in big) / 1024
    rss_small = max(r for _, r in little) / 1024
    marginal_ms = (t_big - t_small) / (count - small) * 1000
    print(
        f"portfolio of {count:,}: {t_big:.1f} s (of {small:,}: {t_small:.1f} s);"
        f" marginal {marginal_ms:.1f} ms per questionnaire (target <= 5 ms:"
        f" {'ok' if marginal_ms <= 5 else 'over'}, {marginal_ms / 5:.2f}x the target)"
    )
    print(
        f"peak RSS: {rss_big:.0f} MiB (floor, {small:,} questionnaires: {rss_small:.0f} MiB;"
        f" ratio {rss_big / rss_small:.2f}x; target <= 300 MiB:"
        f" {'ok' if rss_big <= 300 else 'over'})"
    )


if __name__ == "__main__":
    main()
