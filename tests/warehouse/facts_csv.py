"""Facts as contract CSV, and a comparison of two such CSVs.

  facts_csv.py export FACTS.parquet OUT.csv
      Writes the table as the contract's CSV (shared/spec/metrics.md, "Numbers in text output"):
      header row, dates YYYY-MM-DD, null as an empty field, floats in shortest round-trip form.
  facts_csv.py compare EXPECTED.csv ACTUAL.csv
      Exit 0 when both have the same header, the same rows in the same order, integers and text
      equal, floats equal within a relative tolerance of 1e-9 and nulls in the same places;
      otherwise exit 1 and print the first differences.
  facts_csv.py selftest
      Checks that compare() catches each kind of difference it is meant to catch.
"""
import csv
import datetime as dt
import math
import sys

REL_TOL = 1e-9
# Columns that are text or dates, compared as strings; every other column is numeric.
TEXT_COLUMNS = {"event_date", "provider"}
INT_COLUMNS = {
    "events", "sessions", "tokens_input", "tokens_output", "tokens_total", "tickets",
    "tickets_resolved_by_agent", "treatment_users", "treatment_conversions", "control_users",
    "control_conversions",
}


def field(value):
    """One value in contract CSV form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest string that reads back to the same float
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def write_rows(out, columns, rows):
    """Writes a header and rows (sequences of Python values) to `out` as contract CSV."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([field(v) for v in row])


def export(parquet_path, csv_path):
    import pyarrow.parquet as pq

    table = pq.read_table(parquet_path)
    with open(csv_path, "w", newline="") as out:
        write_rows(out, table.column_names,
                   ([row[c] for c in table.column_names] for row in table.to_pylist()))


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise SystemExit(f"{path}: empty file (no header row)")
    return rows[0], rows[1:]


def same_value(column, a, b):
    """Whether two CSV fields of `column` agree under the contract's comparison rules."""
    if a == "" or b == "":
        return a == b
    if column in TEXT_COLUMNS:
        return a == b
    if column in INT_COLUMNS:
        try:
            return int(a) == int(b)
        except ValueError:
            return False
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y or math.isclose(x, y, rel_tol=REL_TOL, abs_tol=0.0)


def compare(expected_path, actual_path, limit=10):
    """List of human-readable differences (empty when the files agree)."""
    eh, erows = read(expected_path)
    ah, arows = read(actual_path)
    problems = []
    if eh != ah:
        return [f"header differs:\n  expected {eh}\n  actual   {ah}"]
    if len(erows) != len(arows):
        problems.append(f"row count differs: expected {len(erows)}, actual {len(arows)}")
    for i, (er, ar) in enumerate(zip(erows, arows), start=2):
        if len(er) != len(eh) or len(ar) != len(eh):
            problems.append(f"line {i}: wrong field count")
            continue
        for col, a, b in zip(eh, er, ar):
            if not same_value(col, a, b):
                key = ",".join(er[:2]) if "provider" in eh else er[0]
                problems.append(f"line {i} ({key}) {col}: expected {a!r}, actual {b!r}")
        if len(problems) >= limit:
            problems.append("...")
            break
    return problems


def selftest():
    import os
    import tempfile

    header = ["event_date", "provider", "events", "accuracy_daily"]
    base = [["2026-01-01", "A", "3", "0.5"], ["2026-01-01", "B", "1", ""]]
    cases = {
        "identical": (base, True),
        "float within 1e-9": ([base[0][:3] + ["0.5000000000001"], base[1]], True),
        "float beyond 1e-9": ([base[0][:3] + ["0.500001"], base[1]], False),
        "int differs": ([base[0][:2] + ["4", "0.5"], base[1]], False),
        "null vs value": ([base[0], base[1][:3] + ["0.0"]], False),
        "value vs null": ([base[0][:3] + [""], base[1]], False),
        "row order": ([base[1], base[0]], False),
        "missing row": ([base[0]], False),
        "provider case": ([base[0], ["2026-01-01", "b", "1", ""]], False),
    }
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        exp = os.path.join(d, "e.csv")
        with open(exp, "w") as f:
            csv.writer(f, lineterminator="\n").writerows([header] + base)
        for name, (rows, should_match) in cases.items():
            act = os.path.join(d, "a.csv")
            with open(act, "w") as f:
                csv.writer(f, lineterminator="\n").writerows([header] + rows)
            matched = not compare(exp, act)
            if matched != should_match:
                failures += 1
                print(f"selftest {name}: compare said {'match' if matched else 'differ'}")
    return failures


def main(argv):
    if len(argv) == 4 and argv[1] == "export":
        export(argv[2], argv[3])
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        problems = compare(argv[2], argv[3])
        for p in problems:
            print("  " + p)
        return 1 if problems else 0
    if len(argv) == 2 and argv[1] == "selftest":
        return 1 if selftest() else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
