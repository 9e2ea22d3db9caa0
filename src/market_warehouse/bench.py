"""Benchmark harness: prints wall time, rows/s and peak memory for each layer.

    python -m market_warehouse.bench [--tickers 2000] [--years 25] [--layers bronze,silver,gold]

Generates the synthetic universe (deterministic, written once), builds each layer with its
own ``dbt run`` into one DuckDB file under ``--workdir`` (gold's ML dataset export as a
separate step), runs an incremental bronze build after changing ``--changed-files`` files,
and, when bronze, silver and gold are all selected, builds raw -> gold features again with
one ``dbt run`` into a fresh file (the end-to-end figure). Figures are printed and written to
``<workdir>/results.json``. Timings are wall-clock on whatever else the machine is doing:
run it on a quiet machine and record the command with the figures (docs/benchmarks.md).

``--repeat N`` builds the layers (and the one-run figure) N times, each time into a fresh
file, prints every run and then the median and range of each step: identical runs on a
shared VM differ by 10-25 %, more than some targets' margins. The GX checkpoint, the frame
references and the incremental step run once, on the last run's warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import psutil

from market_warehouse import synthetic

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
# gold is timed without gold_ml_dataset (the dataset view and its Parquet export), which is
# then timed as its own step; selecting rather than toggling a var keeps the vars, and so
# dbt's partial parse, the same from one dbt run to the next
WITHOUT_EXPORT = ["--exclude", "gold_ml_dataset"]
ONE_RUN = "raw -> gold features, one dbt run"
# printed names of the steps whose key in results.json reads differently
STEP_LABELS = {
    "gold full": "gold tables and views",
    "gold export": "gold ML dataset export",
    ONE_RUN: "raw -> gold, one dbt run",
}


def measure_process(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, int, str]:
    """Run ``command``; return (wall s, peak RSS bytes of its process tree, output).

    The RSS of the process and all its children is sampled every 50 ms. Raises
    ``RuntimeError`` with the end of the output when the command fails.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - started
    text = output.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"command failed: {' '.join(command)}\n{text[-6000:]}")
    return wall, peak, text


def run_measured(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run ``command`` and return its wall time (s) and peak RSS (MiB) of its process tree."""
    wall, peak, _ = measure_process(command, env)
    return {"wall_s": wall, "peak_rss_mib": peak / 2**20}


def model_seconds(target_path: Path) -> float:
    """Sum of dbt's own per-node execution times in the last run (excludes dbt start-up)."""
    results = json.loads((target_path / "run_results.json").read_text())
    return sum(r.get("execution_time", 0.0) for r in results["results"])


def dbt_command(args: list[str], raw_root: Path, target_path: Path) -> list[str]:
    return [
        str(DBT),
        *args,
        "--target",
        "test",
        "--vars",
        json.dumps({"raw_root": str(raw_root)}),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
    ]


def remove_warehouse(db_path: Path) -> None:
    """Delete a DuckDB file with its WAL and its spill directory (``<file>.tmp``)."""
    for path in db_path.parent.glob(db_path.name + "*"):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def count_rows(db_path: Path, table: str) -> int:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(f"select count(*) from {table}").fetchall()[0][0]


def change_files(raw_root: Path, n_files: int) -> list[Path]:
    """Rewrite ``n_files`` data files: nudge the last close inside its bar and bump the mtime."""
    files = sorted((raw_root / "daily").rglob("*.txt"))[:n_files]
    for path in files:
        lines = path.read_text().splitlines()
        fields = lines[-1].split(",")
        low, high = float(fields[6]), float(fields[5])
        fields[7] = repr((low + high) / 2)
        lines[-1] = ",".join(fields)
        path.write_text("\n".join(lines) + "\n")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    return files


def summarize(runs: list[dict[str, float]]) -> dict[str, object]:
    """One step's figures over repeated runs: median wall and model time, the largest peak RSS,
    and every run's wall time."""
    walls = [run["wall_s"] for run in runs]
    summary: dict[str, object] = {
        "wall_s": statistics.median(walls),
        "peak_rss_mib": max(run["peak_rss_mib"] for run in runs),
        "runs_wall_s": walls,
    }
    if all("model_s" in run for run in runs):
        summary["model_s"] = statistics.median(run["model_s"] for run in runs)
    if "rows" in runs[-1]:
        summary["rows"] = runs[-1]["rows"]
    return summary


def report(name: str, figures: dict[str, float], rows: int | None = None) -> None:
    line = (
        f"{name:<28} wall {figures['wall_s']:7.1f} s   peak RSS {figures['peak_rss_mib']:7.0f} MiB"
    )
    if "model_s" in figures:
        line += f"   models {figures['model_s']:6.1f} s"
    if rows:
        line += f"   rows {rows:>11,}   {rows / figures['wall_s']:>12,.0f} rows/s"
    print(line, flush=True)


def build_layers(
    layers: list[str], db_path: Path, raw_root: Path, target_path: Path, env: dict[str, str]
) -> Iterator[tuple[str, dict[str, float]]]:
    """Build each layer with its own ``dbt run`` into a fresh ``db_path`` (gold's ML dataset
    export as a step of its own), then, when bronze, silver and gold are all selected, raw ->
    gold features with one ``dbt run`` into a fresh file beside it. Yields (step, figures)
    as each step ends, after printing its line."""
    remove_warehouse(db_path)
    run_measured(dbt_command(["seed"], raw_root, target_path), env)
    for layer in [layer for layer in layers if layer != "qa"]:
        selection = ["--select", layer, *(WITHOUT_EXPORT if layer == "gold" else [])]
        figures = run_measured(dbt_command(["run", *selection], raw_root, target_path), env)
        figures["model_s"] = model_seconds(target_path)
        table = {
            "bronze": "bronze_ohlcv",
            "silver": "silver_indicators",
            "gold": "gold_features",
            "research": "research_hmm_states",
        }.get(layer)
        rows = count_rows(db_path, table) if table else None
        figures["rows"] = rows or 0
        report(STEP_LABELS.get(f"{layer} full", f"{layer} full build"), figures, rows)
        yield f"{layer} full", figures
        if layer == "gold":
            figures = run_measured(
                dbt_command(["run", "--select", "gold_ml_dataset"], raw_root, target_path), env
            )
            figures["model_s"] = model_seconds(target_path)
            report(STEP_LABELS["gold export"], figures, count_rows(db_path, "gold_ml_dataset"))
            yield "gold export", figures

    if {"bronze", "silver", "gold"} <= set(layers):
        # what a user runs: one dbt command from the raw files to the gold features, into a
        # fresh warehouse (dbt starts and parses once instead of once per layer)
        one_run_db = db_path.with_name("bench_one_run.duckdb")
        one_run_env = {**env, "MW_DUCKDB_PATH": str(one_run_db)}
        remove_warehouse(one_run_db)
        run_measured(dbt_command(["seed"], raw_root, target_path), one_run_env)
        figures = run_measured(
            dbt_command(
                ["run", "--select", "bronze", "silver", "gold", *WITHOUT_EXPORT],
                raw_root,
                target_path,
            ),
            one_run_env,
        )
        figures["model_s"] = model_seconds(target_path)
        report(STEP_LABELS[ONE_RUN], figures, count_rows(one_run_db, "gold_features"))
        remove_warehouse(one_run_db)
        yield ONE_RUN, figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m market_warehouse.bench", description=__doc__)
    parser.add_argument("--tickers", type=int, default=2000)
    parser.add_argument("--years", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=PROJECT_DIR / "data" / "bench")
    parser.add_argument(
        "--layers",
        default="bronze,silver,gold,qa",
        help="comma list of bronze, silver, gold, research, qa (qa = the GX checkpoint)",
    )
    parser.add_argument(
        "--frames", action="store_true", help="also time the pandas and polars silver references"
    )
    parser.add_argument("--changed-files", type=int, default=20)
    parser.add_argument(
        "--repeat", type=int, default=1, help="build the layers N times; report the median"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    layers = [layer.strip() for layer in args.layers.split(",") if layer.strip()]

    workdir = args.workdir.resolve()
    raw_root = workdir / f"raw_{args.tickers}x{args.years}_seed{args.seed}"
    target_path = workdir / "target"
    db_path = workdir / "bench.duckdb"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "MW_DUCKDB_PATH": str(db_path),
    }
    results: dict[str, object] = {
        "tickers": args.tickers,
        "years": args.years,
        "seed": args.seed,
        "duckdb_threads": env.get("MW_DUCKDB_THREADS", "2"),
        "duckdb_memory_limit": env.get("MW_DUCKDB_MEMORY_LIMIT", "3GB"),
        "cpu_count": os.cpu_count(),
    }

    started = time.perf_counter()
    summary = synthetic.generate_universe(raw_root, args.tickers, args.years, args.seed)
    results["generate_s"] = time.perf_counter() - started
    print(
        f"synthetic: {summary.files} files, {summary.rows:,} rows "
        f"({summary.files_written} written) in {results['generate_s']:.1f} s",
        flush=True,
    )
    runs: dict[str, list[dict[str, float]]] = {}
    for repeat in range(args.repeat):
        if args.repeat > 1:
            print(f"-- run {repeat + 1} of {args.repeat}", flush=True)
        for name, figures in build_layers(layers, db_path, raw_root, target_path, env):
            runs.setdefault(name, []).append(figures)
    steps: dict[str, dict[str, object]] = {name: summarize(r) for name, r in runs.items()}
    if args.repeat > 1:
        print(f"-- median of {args.repeat} runs (min-max)", flush=True)
        for name, summary in steps.items():
            walls = summary["runs_wall_s"]
            print(
                f"{STEP_LABELS.get(name, name):<28} wall {summary['wall_s']:7.1f} s"
                f"   ({min(walls):.1f}-{max(walls):.1f})"
                f"   peak RSS {summary['peak_rss_mib']:7.0f} MiB",
                flush=True,
            )

    if "qa" in layers:
        command = [
            sys.executable,
            "-m",
            "market_warehouse.qa",
            "--db",
            str(db_path),
            "--no-docs",
            "--results-dir",
            str(workdir / "qa"),
        ]
        figures = run_measured(command, env)
        steps["qa checkpoint"] = figures
        report("qa checkpoint (all suites)", figures)

    if args.frames and "silver" in layers:
        # pandas and polars computing the same silver columns, each in its own process
        command = [
            sys.executable,
            "-m",
            "market_warehouse.benchmarks.silver_frames",
            "--db",
            str(db_path),
            "--skip",
            "dbt",
        ]
        done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
        print(done.stdout.strip(), flush=True)
        results["silver_frames_output"] = done.stdout

    if "bronze" in layers and args.changed_files:
        change_files(raw_root, args.changed_files)
        figures = run_measured(
            dbt_command(["run", "--select", "bronze"], raw_root, target_path), env
        )
        figures["model_s"] = model_seconds(target_path)
        steps[f"bronze incremental ({args.changed_files} files)"] = figures
        report(f"bronze incr. {args.changed_files} files", figures)
        # put the files back so the next benchmark starts from the generated universe
        synthetic.generate_universe(raw_root, args.tickers, args.years, args.seed)

    for name, parts in [
        ("raw -> gold features", ("bronze full", "silver full", "gold full")),
        ("raw -> gold with export", ("bronze full", "silver full", "gold full", "gold export")),
    ]:
        built = [v for k, v in steps.items() if k in parts]
        if len(built) == len(parts):
            total = sum(v["wall_s"] for v in built)
            peak = max(v["peak_rss_mib"] for v in built)
            label = f"{name} (layer runs summed)"
            print(f"{label:<28} wall {total:7.1f} s   peak RSS {peak:7.0f} MiB", flush=True)
            results[name] = {"wall_s": total, "peak_rss_mib": peak}
    results["steps"] = steps
    (workdir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
