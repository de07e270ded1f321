"""The long fuzzing mode: many generated questionnaires and catalog overlays through the CLI.

Run from the repository root:
    .venv/bin/python benchmarks/fuzz.py --questionnaires 10000 --catalogs 2000 --seed 1

Inputs come from tests/fuzzing.py: hypothesis strategies over the questionnaire and
catalog schemas (with boundary and hostile values and odd YAML), and byte-level mutants
of examples/*.yaml and of the seed overlay (`--mutants`, default a fifth of the rest, two
thirds questionnaires). Each input is run as `makebuy assess FILE --format json` (or
`makebuy assess examples/support-assistant.yaml --catalog FILE`) in a child process with
a 20 s limit and a 1 GiB address-space cap, over the frozen fixture catalog. By default a
child is forked from a warm worker (`--subprocess` starts a fresh interpreter per input,
~2 s each). Work is split into seeded chunks over `--jobs` worker processes; the same
seed, sizes and hypothesis version give the same inputs.

Prints the exit-code distribution, the failures (exit 70, timeout, over memory,
traceback, signal) and the slowest input; failing and slowest inputs are written to
`--out`. Exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import fuzzing  # noqa: E402

CHUNK = 100


def _work(task: tuple[str, str, int, int, int, str, bool]) -> list[dict[str, Any]]:
    """Generate one seeded chunk of inputs and run each; failures and the slowest saved."""
    kind, generator, chunk, size, seed_value, out, use_subprocess = task
    chunk_seed = seed_value * 1_000_003 + chunk
    if generator == "structure":
        strategy = (
            fuzzing.questionnaire_strategy()
            if kind == "questionnaire"
            else fuzzing.catalog_strategy()
        )
        blobs = [
            t.encode("utf-8", "surrogatepass")
            for t in fuzzing.draw_many(strategy, size, chunk_seed)
        ]
    else:
        sources = fuzzing.EXAMPLES if kind == "questionnaire" else [fuzzing.OVERLAY]
        blobs = fuzzing.byte_mutants(sources, size, chunk_seed)
    rows = []
    with tempfile.TemporaryDirectory(prefix="makebuy-fuzz-") as tmp:
        for index, blob in enumerate(blobs):
            name = f"{kind}-{generator}-s{seed_value}-c{chunk}-{index}.yaml"
            path = Path(tmp) / name
            path.write_bytes(blob)
            if use_subprocess:
                outcome = fuzzing.run_case(kind, path)
            else:
                outcome = fuzzing.run_case_forked(kind, path)
            row = {**outcome.__dict__, "name": name}
            if outcome.failed:
                (Path(out) / name).write_bytes(blob)
                row["saved"] = str(Path(out) / name)
            row["blob"] = blob if outcome.seconds > 1.0 else None
            rows.append(row)
    return rows


def _init_worker(use_subprocess: bool) -> None:
    if not use_subprocess:
        cache = Path(tempfile.mkdtemp(prefix="makebuy-fuzz-cache-"))
        fuzzing.prepare_forked_runs(cache)
    else:
        os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="makebuy-fuzz-cache-")


def _tasks(args: argparse.Namespace) -> list[tuple[str, str, int, int, int, str, bool]]:
    mutants = args.mutants
    if mutants is None:
        mutants = (args.questionnaires + args.catalogs) // 5
    plan = [
        ("questionnaire", "structure", args.questionnaires),
        ("catalog", "structure", args.catalogs),
        ("questionnaire", "bytes", mutants * 2 // 3),
        ("catalog", "bytes", mutants - mutants * 2 // 3),
    ]
    tasks = []
    for kind, generator, total in plan:
        for chunk, start in enumerate(range(0, total, CHUNK)):
            size = min(CHUNK, total - start)
            tasks.append((kind, generator, chunk, size, args.seed, args.out, args.subprocess))
    random.Random(args.seed).shuffle(tasks)
    return tasks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questionnaires", type=int, default=1000)
    parser.add_argument("--catalogs", type=int, default=200)
    parser.add_argument("--mutants", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--subprocess", action="store_true")
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "makebuy-fuzz-out"))
    args = parser.parse_args()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    context = multiprocessing.get_context("fork")
    with context.Pool(args.jobs, initializer=_init_worker, initargs=(args.subprocess,)) as pool:
        for chunk_rows in pool.imap_unordered(_work, _tasks(args)):
            rows += chunk_rows
    elapsed = time.perf_counter() - start
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        generator = "bytes" if "-bytes-" in row["name"] else "structure"
        groups.setdefault((row["kind"], generator), []).append(row)
    print(
        f"{len(rows)} inputs in {elapsed:.0f} s with {args.jobs} jobs"
        f" ({'subprocess' if args.subprocess else 'forked'} runs), seed {args.seed}"
    )
    for (kind, generator), group in sorted(groups.items()):
        codes: dict[str, int] = {}
        for row in group:
            key = "timeout" if row["exit_code"] is None else f"exit {row['exit_code']}"
            codes[key] = codes.get(key, 0) + 1
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(codes.items()))
        print(f"  {kind:13} {generator:9} {len(group):6} inputs  {shown}")
    failures = [r for r in rows if r["verdict"] != "ok"]
    for verdict in ("exit-70", "timeout", "memory", "traceback", "signal"):
        print(f"  {verdict:9}: {sum(r['verdict'] == verdict for r in rows)}")
    slowest = max(rows, key=lambda r: r["seconds"])
    slow_path = Path(args.out) / f"slowest-{slowest['name']}"
    if slowest["blob"] is not None:
        slow_path.write_bytes(slowest["blob"])
    print(
        f"  slowest: {slowest['seconds']:.2f} s, {slowest['name']}"
        f" (exit {slowest['exit_code']}){', saved to ' + str(slow_path) if slowest['blob'] else ''}"
    )
    for row in failures:
        last = row["stderr_tail"].strip().splitlines()[-1:] or [""]
        print(f"FAIL {row['verdict']}: {row['saved']}: {last[0][:200]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
