"""Runs a compiled facts query (dbt compile with inline=true, see scripts/bench-facts.sh) on
native DuckDB and prints (or writes) the result as contract CSV.

  duckdb_facts.py QUERY.sql [OUT.csv]

As a module: run(sql) executes the query on a fresh in-memory connection with the session time
zone pinned to UTC (as warehouse/profiles.yml does) and returns the fetched Arrow table.
"""
import os
import sys

import duckdb


def run(sql):
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    table = run(open(argv[1]).read())
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "warehouse"))
    from facts_csv import write_rows
    out = open(argv[2], "w", newline="") if len(argv) > 2 else sys.stdout
    cols = table.column_names
    write_rows(out, cols, ([r[c] for c in cols] for r in table.to_pylist()))


if __name__ == "__main__":
    main(sys.argv)
