"""Writes snapshots whose provider name is HTML (`<img src=x onerror=alert(1)>`) into argv[1]."""
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
evil = "<img src=x onerror=alert(1)>"
t0 = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
rows = 40
llm = pa.table({
    "session_id": [f"s{i // 2}" for i in range(rows)],
    "provider": [evil if i % 2 else "OpenAI" for i in range(rows)],
    "model": ["m"] * rows,
    "response_time_ms": pa.array([300.0 + 40 * i for i in range(rows)], pa.float64()),
    "accuracy": pa.array([0.8 if i % 3 else None for i in range(rows)], pa.float64()),
    "tokens_input": pa.array([1000 + i for i in range(rows)], pa.int64()),
    "tokens_output": pa.array([200] * rows, pa.int64()),
    "created_at": pa.array([t0 + timedelta(hours=6 * i) for i in range(rows)], pa.timestamp("us", tz="UTC")),
})
pq.write_table(llm, out / "raw_llm_events.parquet")
support = pa.table({
    "ticket_id": ["s1", "s2", "s3"],
    "resolved_by": ["agent", "human", None],
    "revenue_generated": pa.array([10.0, 0.0, None], pa.float64()),
})
pq.write_table(support, out / "raw_support_events.parquet")
conv = pa.table({
    "user_id": [f"u{i}" for i in range(20)],
    "arm": ["treatment" if i % 2 else "control" for i in range(20)],
    "converted": [i % 5 == 0 for i in range(20)],
    "created_at": pa.array([t0 + timedelta(hours=12 * i) for i in range(20)], pa.timestamp("us", tz="UTC")),
})
pq.write_table(conv, out / "raw_conversion_events.parquet")
