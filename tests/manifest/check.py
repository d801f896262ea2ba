"""Checks manifests written by the modelpulse CLI against schemas/manifest.schema.json and
against the files themselves, read independently with pyarrow and hashlib.

usage: check.py valid MANIFEST...      every manifest validates; every entry matches its file
       check.py schema-rejects JSON     the schema refuses the document (exit 0 if refused)
Prints one line per check; exits 1 on the first failure.
"""
import datetime
import hashlib
import json
import os
import sys

import jsonschema
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = json.load(open(os.path.join(ROOT, "schemas", "manifest.schema.json")))
jsonschema.Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def fail(msg):
    print("FAIL", msg)
    sys.exit(1)


def date_range(table):
    """UTC dates of the earliest and latest non-null created_at, or (None, None)."""
    if "created_at" not in table.column_names:
        return None, None
    col = table.column("created_at")
    if col.null_count == len(col):
        return None, None
    lo, hi = pc.min(col).as_py(), pc.max(col).as_py()

    def day(ts):
        if ts.tzinfo is not None:
            ts = ts.astimezone(datetime.timezone.utc)
        return ts.date().isoformat()

    return day(lo), day(hi)


def check_valid(path):
    doc = json.load(open(path))
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        fail(f"{path}: schema: {errors[0].message} at {list(errors[0].path)}")
    base = os.path.dirname(path)
    n = 0
    for name, t in doc["tables"].items():
        for p in t["parts"]:
            f = os.path.join(base, p["path"])
            data = open(f, "rb").read()
            if len(data) != p["bytes"]:
                fail(f"{f}: bytes {len(data)} != {p['bytes']}")
            if hashlib.sha256(data).hexdigest() != p["sha256"]:
                fail(f"{f}: sha256 differs")
            tbl = pq.read_table(f)
            if tbl.num_rows != p["rows"]:
                fail(f"{f}: rows {tbl.num_rows} != {p['rows']}")
            lo, hi = date_range(tbl)
            if (lo, hi) != (p["min_date"], p["max_date"]):
                fail(f"{f}: dates {lo}..{hi} != {p['min_date']}..{p['max_date']}")
            n += 1
    print(f"ok {path}: valid, {n} parts match their files (pyarrow, hashlib)")


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "valid":
        for a in args:
            check_valid(a)
    elif mode == "schema-rejects":
        doc = json.loads(args[0])
        if VALIDATOR.is_valid(doc):
            fail(f"schema accepts {args[0][:200]}")
        print("ok schema refuses it")
    else:
        fail(f"unknown mode {mode}")


main()
