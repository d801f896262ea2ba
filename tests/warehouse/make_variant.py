"""Derived fixtures that exercise the type and optional-column rules of the contract.

  make_variant.py KIND SRC_DIR OUT_DIR

KIND:
  no-accuracy   raw_llm_events without its optional `accuracy` column (reads as all-null), so
                accuracy_daily and accuracy_rolling_7d must be null and every other figure must
                match SRC_DIR/expected. Writes OUT_DIR/expected/*.csv accordingly.
  retyped       session_id / ticket_id as integers (int64 / int32; "s123" -> 123, other ids ->
                a distinct large number), provider dictionary-encoded, accuracy as float32,
                response_time_ms as int32 milliseconds (rounded), tokens as int16, created_at
                of raw_llm_events as naive nanosecond INT96. No expected CSVs (the CLI is the
                reference): the other writer-independent figures still have to agree.
"""
import csv
import os
import shutil
import sys
import zlib

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

NAMES = ["raw_llm_events", "raw_support_events", "raw_conversion_events"]


def int_ids(column, bits):
    def conv(v):
        if v is None:
            return None
        if v.startswith("s") and v[1:].isdigit():
            return int(v[1:])
        return 1_000_000_000 + zlib.crc32(v.encode())  # far from every "s<n>" id
    vals = [conv(v) for v in column.to_pylist()]
    if bits == 32:
        vals = [None if v is None else v % (2**31) for v in vals]
    return pa.array(vals, type=pa.int64() if bits == 64 else pa.int32())


def main(kind, src, out):
    os.makedirs(out, exist_ok=True)
    tables = {n: pq.read_table(os.path.join(src, n + ".parquet")) for n in NAMES}
    llm = tables["raw_llm_events"]
    if kind == "no-accuracy":
        tables["raw_llm_events"] = llm.drop_columns(["accuracy"])
        os.makedirs(os.path.join(out, "expected"), exist_ok=True)
        shutil.copy(os.path.join(src, "expected", "conversion_facts.csv"),
                    os.path.join(out, "expected", "conversion_facts.csv"))
        with open(os.path.join(src, "expected", "dashboard_facts.csv"), newline="") as f:
            rows = list(csv.reader(f))
        blank = [i for i, c in enumerate(rows[0]) if c.startswith("accuracy_")]
        for r in rows[1:]:
            for i in blank:
                r[i] = ""
        with open(os.path.join(out, "expected", "dashboard_facts.csv"), "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    elif kind == "retyped":
        ts = llm["created_at"]
        if ts.type.tz is not None:
            ts = pc.cast(ts, pa.timestamp("ns", tz="UTC")).cast(pa.timestamp("ns"))
        cols = {
            "session_id": int_ids(llm["session_id"], 64),
            "provider": pc.dictionary_encode(llm["provider"].cast(pa.string())),
            "accuracy": llm["accuracy"].cast(pa.float32()),
            "response_time_ms": pc.round(llm["response_time_ms"].cast(pa.float64())).cast(pa.int32()),
            "tokens_input": llm["tokens_input"].cast(pa.int16()),
            "tokens_output": llm["tokens_output"].cast(pa.int16()),
            "created_at": ts.cast(pa.timestamp("ns")),
        }
        tables["raw_llm_events"] = pa.table(cols)
        sup = tables["raw_support_events"]
        tables["raw_support_events"] = sup.set_column(
            sup.schema.get_field_index("ticket_id"), "ticket_id", int_ids(sup["ticket_id"], 32))
    else:
        raise SystemExit(f"unknown variant {kind!r}")
    for n, t in tables.items():
        kwargs = {"use_deprecated_int96_timestamps": True} if kind == "retyped" and n == "raw_llm_events" else {}
        pq.write_table(t, os.path.join(out, n + ".parquet"), **kwargs)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
