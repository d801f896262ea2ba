"""A tiny hand-made snapshot whose facts were worked out by hand (edge-cases/expected/*.csv).

  edge_cases.py OUT_DIR     writes the three snapshots into OUT_DIR

What each row is there for (t = 2026-03-01, times UTC):
- s1: "Zeta" at 10:00:00.000000001 and "Alpha" 1 ns later: the first event is Zeta (needs
  nanosecond precision; truncating to microseconds would tie and pick Alpha). Two support rows
  for s1 (a duplicate ticket) both count.
- s2: "beta" and "Beta" at the same instant: ties go to the smaller provider in byte order (Beta).
- s3: "Émile" at 23:30 UTC, which is already 06:30 the next day in the column's time zone
  (Asia/Jakarta): event_date is the UTC date. Non-ASCII provider sorts last in byte order.
- s4: null provider -> "unknown". s5: only event has no created_at -> dropped, so its ticket is an
  orphan; "x-orphan" matches no session at all.
- Zeta on 03-07 (d-6 = 03-01 is inside the window) and 03-08 (03-01 has left it); 03-08 has no
  labelled accuracy itself; latencies 1..4 give p50 2.5 and p95 3.85.
- s9: "Alpha" at 03-14 23:59:59.999999999 before "Zeta" at 03-15 00:00: ticket goes to Alpha on 03-14.
- conversions: a null `converted`, an arm "Treatment" (not an arm), a holdout-only day, a day with
  only one arm (rates and interval null), a null created_at, a naive timestamp at 23:59:59.999999.
"""
import datetime as dt
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def ns(iso, extra_ns=0):
    """UTC ISO time -> ns since the epoch."""
    t = dt.datetime.fromisoformat(iso).replace(tzinfo=dt.timezone.utc)
    return int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000 + extra_ns


LLM = [  # session, provider, response_time_ms, accuracy, tokens_in, tokens_out, created_at (ns)
    ("s1", "Zeta", 100, 1.0, 10, 1, ns("2026-03-01T10:00:00", 1)),
    ("s1", "Alpha", 200, None, 20, 2, ns("2026-03-01T10:00:00", 2)),
    ("s2", "beta", 300, 0.5, None, 3, ns("2026-03-01T12:00:00")),
    ("s2", "Beta", 400, 0.25, 5, None, ns("2026-03-01T12:00:00")),
    ("s3", "Émile", None, None, 1, 1, ns("2026-03-01T23:30:00")),
    ("s4", None, 50, 0.75, 0, 0, ns("2026-03-01T00:00:00")),
    ("s5", "Zeta", 300, None, 0, 0, None),
    ("s6", "Zeta", 1, 0.0, 1, 1, ns("2026-03-07T08:00:00")),
    ("s6", "Zeta", 2, None, 1, 1, ns("2026-03-07T09:00:00")),
    ("s7", "Zeta", 3, None, 1, 1, ns("2026-03-07T10:00:00")),
    ("s7", "Zeta", 4, None, 1, 1, ns("2026-03-07T11:00:00")),
    ("s8", "Zeta", 10, None, 0, 0, ns("2026-03-08T00:00:00")),
    ("s9", "Zeta", 10, 0.5, 0, 0, ns("2026-03-15T00:00:00")),
    ("s9", "Alpha", 20, None, 0, 0, ns("2026-03-14T23:59:59", 999_999_999)),
]

SUPPORT = [  # ticket_id, resolved_by, revenue_generated
    ("s1", "agent", 10.0),
    ("s1", "human", None),
    ("s2", "agent", 5.5),
    ("s3", None, 1.0),
    ("s9", "agent", 2.0),
    ("s5", "agent", 100.0),
    ("x-orphan", "agent", 100.0),
]

CONVERSION = [  # user_id, arm, converted, created_at (naive, microseconds)
    ("u1", "treatment", True, "2026-03-01T09:00:00"),
    ("u2", "treatment", None, "2026-03-01T09:00:00"),
    ("u3", "control", False, "2026-03-01T10:00:00"),
    ("u4", "control", True, "2026-03-01T11:00:00"),
    ("u5", "holdout", True, "2026-03-01T12:00:00"),
    ("u6", "Treatment", True, "2026-03-01T13:00:00"),
    ("u7", "treatment", True, "2026-03-02T08:00:00"),
    ("u8", "holdout", False, "2026-03-03T08:00:00"),
    ("u9", "treatment", True, None),
    ("u10", "control", False, "2026-03-04T23:59:59.999999"),
]


def main(out):
    os.makedirs(out, exist_ok=True)
    cols = list(zip(*LLM))
    llm = pa.table({
        "session_id": pa.array(cols[0], pa.string()),
        "provider": pa.array(cols[1], pa.string()),
        "response_time_ms": pa.array(cols[2], pa.int64()),
        "accuracy": pa.array(cols[3], pa.float64()),
        "tokens_input": pa.array(cols[4], pa.int64()),
        "tokens_output": pa.array(cols[5], pa.int64()),
        "created_at": pa.array(cols[6], pa.timestamp("ns", tz="Asia/Jakarta")),
    })
    pq.write_table(llm, os.path.join(out, "raw_llm_events.parquet"))
    cols = list(zip(*SUPPORT))
    pq.write_table(pa.table({
        "ticket_id": pa.array(cols[0], pa.string()),
        "resolved_by": pa.array(cols[1], pa.string()),
        "revenue_generated": pa.array(cols[2], pa.float64()),
    }), os.path.join(out, "raw_support_events.parquet"))
    cols = list(zip(*CONVERSION))
    pq.write_table(pa.table({
        "user_id": pa.array(cols[0], pa.string()),
        "arm": pa.array(cols[1], pa.string()),
        "converted": pa.array(cols[2], pa.bool_()),
        "created_at": pa.array([None if c is None else dt.datetime.fromisoformat(c) for c in cols[3]],
                               pa.timestamp("us")),
    }), os.path.join(out, "raw_conversion_events.parquet"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
