"""Times dashboard_facts on three engines over the same snapshots and checks they agree.

  bench.py --data DIR --modelpulse BIN --sql DASHBOARD_FACTS.sql [--runs N]

Engines: `modelpulse facts --data DIR` (a whole process, CSV to /dev/null); native DuckDB running
the dbt model compiled to one query (warehouse/, inline=true), result fetched as Arrow; Polars'
lazy model (scripts/bench/polars_facts.py), collected. DuckDB and Polars are timed in-process
(import and interpreter start excluded) and also as whole processes that print CSV, like the CLI.

Before timing, each engine's output is written as contract CSV and compared with modelpulse's
(same rows in the same order, integers exact, floats within 1e-9 relative); a row count and
column checksums are printed. Any disagreement aborts with exit status 1.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "warehouse"))

import duckdb_facts  # noqa: E402
import polars_facts  # noqa: E402
from facts_csv import compare, write_rows  # noqa: E402


def timed(fn, runs):
    fn()  # warm-up: file pages in the OS cache for every engine alike
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def checksums(path):
    import csv

    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    def total(c, cast=float):
        return sum(cast(r[c]) for r in rows if r[c] != "")
    return {
        "rows": len(rows),
        "events": total("events", int),
        "sessions": total("sessions", int),
        "tokens_total": total("tokens_total", int),
        "tickets": total("tickets", int),
        "revenue_from_ai": round(total("revenue_from_ai"), 6),
        "latency_p95_ms": round(total("latency_p95_ms"), 6),
        "accuracy_rolling_7d": round(total("accuracy_rolling_7d"), 9),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--modelpulse", required=True)
    ap.add_argument("--sql", required=True)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    sql = open(a.sql).read()
    py = sys.executable
    cli = [a.modelpulse, "facts", "--data", a.data]

    import pyarrow.parquet as pq
    n_events = pq.ParquetFile(os.path.join(a.data, "raw_llm_events.parquet")).metadata.num_rows
    n_support = pq.ParquetFile(os.path.join(a.data, "raw_support_events.parquet")).metadata.num_rows
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"data: {a.data}: {n_events} LLM events, {n_support} support rows; {os.cpu_count()} CPUs; "
          f"{a.runs} timed runs per engine after one warm-up")

    # -- agreement ---------------------------------------------------------------------------
    tmp = tempfile.mkdtemp(prefix="mp-bench-")
    outs = {name: os.path.join(tmp, name + ".csv") for name in ("modelpulse", "duckdb", "polars")}
    with open(outs["modelpulse"], "w") as f:
        subprocess.run(cli, stdout=f, check=True)
    t = duckdb_facts.run(sql)
    with open(outs["duckdb"], "w", newline="") as f:
        write_rows(f, t.column_names, ([r[c] for c in t.column_names] for r in t.to_pylist()))
    df = polars_facts.dashboard_facts(a.data).collect()
    with open(outs["polars"], "w", newline="") as f:
        write_rows(f, df.columns, df.iter_rows())
    ok = True
    for name in ("duckdb", "polars"):
        problems = compare(outs["modelpulse"], outs[name])
        if problems:
            ok = False
            print(f"{name} disagrees with modelpulse:")
            for p in problems:
                print("  " + p)
    sums = {name: checksums(path) for name, path in outs.items()}
    keys = list(sums["modelpulse"])
    print(f"{'checksum':<22}" + "".join(f"{n:>22}" for n in outs))
    for k in keys:
        print(f"{k:<22}" + "".join(f"{sums[n][k]:>22}" for n in outs))
    if not ok:
        print("engines disagree: no timings")
        return 1
    print("outputs agree (every row and column, floats within 1e-9 relative)\n")

    # -- timings -----------------------------------------------------------------------------
    devnull = subprocess.DEVNULL
    results = [
        ("modelpulse facts (process, CSV)", timed(lambda: subprocess.run(
            cli, stdout=devnull, stderr=devnull, check=True), a.runs)),
        ("DuckDB (in-process, fetched)", timed(lambda: duckdb_facts.run(sql), a.runs)),
        ("Polars lazy (in-process, collected)", timed(lambda: polars_facts.dashboard_facts(a.data).collect(), a.runs)),
        ("DuckDB (process, CSV)", timed(lambda: subprocess.run(
            [py, os.path.join(HERE, "duckdb_facts.py"), a.sql], stdout=devnull, check=True), a.runs)),
        ("Polars (process, CSV)", timed(lambda: subprocess.run(
            [py, os.path.join(HERE, "polars_facts.py"), a.data], stdout=devnull, check=True), a.runs)),
    ]
    print(f"load average after: {os.getloadavg()[0]:.2f} (other work on the machine skews timings)")
    print(f"{'engine':<38}{'median s':>10}{'min s':>10}{'max s':>10}")
    for name, ts in results:
        print(f"{name:<38}{statistics.median(ts):>10.3f}{min(ts):>10.3f}{max(ts):>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
