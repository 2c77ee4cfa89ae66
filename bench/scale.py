"""Growth curves (issue 19, item 3): how each cost grows with the size of the partnership's data.

`python -m bench scale [--sizes 250000,1000000,2500000,5000000]` runs, at each size (events in the
database), the existing benchmarks as they are — each in its own process, on its own database, with
its own baseline measured in the same run — and gathers their results:

- **import**: `python -m bench import --rows <size / 10>` (the file grows with the data: an agency's
  export is a share of what the Hub holds), against the bulk path loading the same rows;
- **chronology**: `python -m bench chronology --events <size>` — one child's page and API (the child
  has 2,000 entries at every size), against the bare SQL query for that child;
- **scan** and **incremental**: `python -m bench concerns --events <size>` on the same database — the
  rescan of every rule against one SQL pass over every event, and the evaluation after one new entry
  (beside it, the `record_event` that wrote the entry).

Writes `bench/results/scale-<database>-<time>.json` (every result), `scale-<database>-latest.md` (the
table) and `scale-<database>-latest.png` (time against size, log-log, each measurement beside its
baseline: a cost growing like its baseline keeps a parallel line). Expectation: import and scan grow
linearly, the chronology of one child and the incremental evaluation stay flat.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import PROJECT_DIR, RESULTS_DIR, machine, say, using_postgresql

DEFAULT_SIZES = (250_000, 1_000_000, 2_500_000, 5_000_000)
IMPORT_SHARE = 10  # the imported file has size / IMPORT_SHARE rows

# (curve, benchmark, its result key, the baseline's result key, unit scale, label)
CURVES = (
    ("import", "import", "import_seconds", "baseline_rows_per_second", 1.0, "import_events (s)"),
    ("chronology page", "chronology", "page_seconds", "bare_sql_seconds", 1000.0, "page (ms)"),
    ("chronology API", "chronology", "api_seconds", "bare_sql_seconds", 1000.0, "API (ms)"),
    ("rescan", "concerns", "rescan_seconds", "baseline_seconds", 1.0, "full scan (s)"),
    ("incremental", "concerns", "incremental_ms", "record_event_ms", 1.0, "evaluation (ms)"),
)


def _database_for(size: int) -> dict[str, str]:
    """The environment for one size's run: on PostgreSQL a database of its own (`<name>_scale_<size>`,
    created if missing); on SQLite the benchmarks choose their own files by size."""
    env = dict(os.environ)
    if using_postgresql():
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        parts = urlsplit(os.environ["DATABASE_URL"])
        name = f"{parts.path.lstrip('/') or 'bench'}_scale_{size}"
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return env


def _run_benchmark(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One benchmark in its own process; returns its results (its `-latest.json`)."""
    say(f"$ python -m bench {' '.join(args)}")
    subprocess.run([sys.executable, "-m", "bench", *args], cwd=PROJECT_DIR, env=env, check=True)
    vendor = "postgresql" if using_postgresql() else "sqlite"
    latest = RESULTS_DIR / f"{args[0]}-{vendor}-latest.json"
    return dict(json.loads(latest.read_text(encoding="utf-8")))


def _baseline_value(curve: str, result: dict[str, Any], key: str) -> float:
    if curve == "import":
        return float(result["rows"]) / float(result[key])  # the bulk path's seconds for the same rows
    return float(result[key])


def _points(runs: dict[int, dict[str, dict[str, Any]]]) -> dict[str, list[dict[str, float]]]:
    """Per curve: [{size, seconds-or-ms, baseline}] for the sizes where the benchmark produced it."""
    points: dict[str, list[dict[str, float]]] = {}
    for curve, bench, key, base_key, scale, _label in CURVES:
        for size, results in sorted(runs.items()):
            result = results.get(bench)
            if not result or key not in result:
                continue
            points.setdefault(curve, []).append(
                {
                    "size": float(size),
                    "value": float(result[key]) * scale,
                    "baseline": _baseline_value(curve, result, base_key) * scale,
                }
            )
    return points


def _table(points: dict[str, list[dict[str, float]]], load: list[float]) -> str:
    sizes = sorted({p["size"] for values in points.values() for p in values})
    head = "| curve (measured / baseline) | " + " | ".join(f"{int(s):,} events" for s in sizes) + " |"
    lines = [head, "|" + "---|" * (len(sizes) + 1)]
    for curve, _bench, _key, _base, _scale, label in CURVES:
        by_size = {p["size"]: p for p in points.get(curve, [])}
        cells = [f"{by_size[s]['value']:,.2f} / {by_size[s]['baseline']:,.2f}" if s in by_size else "—" for s in sizes]
        lines.append(f"| {curve}: {label} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"Load average (1 minute) at each size's start: {', '.join(f'{x:.1f}' for x in load)}.")
    lines.append("Import: a file of size / 10 rows; baseline the bulk path. Chronology: one child of 2,000 entries;")
    lines.append("baseline the bare SQL query. Rescan: baseline one SQL pass over every event. Incremental:")
    lines.append("beside it, `record_event` writing the entry.")
    return "\n".join(lines) + "\n"


def _plot(points: dict[str, list[dict[str, float]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(CURVES), figsize=(4 * len(CURVES), 3.6), constrained_layout=True)
    for axis, (curve, _bench, _key, _base, _scale, label) in zip(axes, CURVES, strict=True):
        values = points.get(curve, [])
        sizes = [p["size"] for p in values]
        axis.plot(sizes, [p["value"] for p in values], "o-", label="measured")
        axis.plot(sizes, [p["baseline"] for p in values], "s--", label="baseline")
        axis.set(title=curve, xlabel="events in the database", ylabel=label, xscale="log", yscale="log")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize="small")
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _write(runs: dict[int, dict[str, dict[str, Any]]], load: list[float]) -> str:
    """The table and the plot of the sizes measured so far (rewritten after each size)."""
    points = _points(runs)
    vendor = "postgresql" if using_postgresql() else "sqlite"
    table = _table(points, load)
    (RESULTS_DIR / f"scale-{vendor}-latest.md").write_text(table, encoding="utf-8")
    (RESULTS_DIR / f"scale-{vendor}-partial.json").write_text(
        json.dumps({"points": points, "runs": runs, "load_average_at_start": load}, indent=2, default=str),
        encoding="utf-8",
    )
    _plot(points, RESULTS_DIR / f"scale-{vendor}-latest.png")
    return table


def run(*, sizes: list[int], repeat: int, incremental: int) -> dict[str, Any]:
    runs: dict[int, dict[str, dict[str, Any]]] = {}
    load: list[float] = []
    table = ""
    for size in sizes:
        load.append(os.getloadavg()[0])
        env = _database_for(size)
        runs[size] = {"import": _run_benchmark(["import", "--rows", str(max(1000, size // IMPORT_SHARE))], env)}
        runs[size]["chronology"] = _run_benchmark(
            ["chronology", "--events", str(size), "--repeat", str(repeat), "--no-profile"], env
        )
        runs[size]["concerns"] = _run_benchmark(
            ["concerns", "--events", str(size), "--repeat", str(repeat), "--incremental", str(incremental)], env
        )
        table = _write(runs, load)
    say(table)
    vendor = "postgresql" if using_postgresql() else "sqlite"
    say(f"Plot: {RESULTS_DIR / f'scale-{vendor}-latest.png'}")
    return {"sizes": sizes, "points": _points(runs), "runs": runs, "load_average_at_start": load, "machine": machine()}
