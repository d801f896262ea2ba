"""Crafts small snapshots with known p95 latencies for the alerts tests (pyarrow).

Usage: make_data.py OUT_DIR START_DATE SPEC...
Each SPEC is PROVIDER=V1,V2,... : one value per day from START_DATE (empty = no events that day).
Every day of a provider gets 20 LLM events whose response_time_ms all equal the value, so the
day's p95 (and p50) is exactly that value; accuracy 0.9; tokens 1000 in / 200 out per event.
Support: one ticket per session of the first event of the day (resolved_by alternating agent/human).
Conversion: 100 treatment users (12 converted) and 100 control users (10 converted) per day.
"""
import datetime as dt
import sys

import pyarrow as pa
import pyarrow.parquet as pq

out, start = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
llm = {k: [] for k in ["session_id", "provider", "model", "response_time_ms", "accuracy", "tokens_input", "tokens_output", "created_at"]}
sup = {k: [] for k in ["ticket_id", "resolved_by", "resolution_time_minutes", "revenue_generated", "created_at"]}
conv = {k: [] for k in ["user_id", "arm", "converted", "upsell_revenue", "created_at"]}
days = 0
for spec in sys.argv[3:]:
    provider, values = spec.split("=", 1)
    vals = values.split(",")
    days = max(days, len(vals))
    for i, v in enumerate(vals):
        if v == "":
            continue
        day = dt.datetime.combine(start + dt.timedelta(days=i), dt.time(12, 0), tzinfo=dt.timezone.utc)
        for j in range(20):
            sid = f"{provider}-{i}-{j}"
            llm["session_id"].append(sid)
            llm["provider"].append(provider)
            llm["model"].append("m")
            llm["response_time_ms"].append(float(v))
            llm["accuracy"].append(0.9)
            llm["tokens_input"].append(1000)
            llm["tokens_output"].append(200)
            llm["created_at"].append(day + dt.timedelta(minutes=j))
            if j < 4:
                sup["ticket_id"].append(sid)
                sup["resolved_by"].append("agent" if j % 2 == 0 else "human")
                sup["resolution_time_minutes"].append(5.0)
                sup["revenue_generated"].append(10.0)
                sup["created_at"].append(day)
for i in range(days):
    day = dt.datetime.combine(start + dt.timedelta(days=i), dt.time(9, 0), tzinfo=dt.timezone.utc)
    for arm, conv_n in (("treatment", 12), ("control", 10)):
        for u in range(100):
            conv["user_id"].append(f"{arm}-{i}-{u}")
            conv["arm"].append(arm)
            conv["converted"].append(u < conv_n)
            conv["upsell_revenue"].append(5.0 if u < conv_n else 0.0)
            conv["created_at"].append(day)
ts = pa.timestamp("us", tz="UTC")
pq.write_table(pa.table({
    "session_id": pa.array(llm["session_id"], pa.string()),
    "provider": pa.array(llm["provider"], pa.string()),
    "model": pa.array(llm["model"], pa.string()),
    "response_time_ms": pa.array(llm["response_time_ms"], pa.float64()),
    "accuracy": pa.array(llm["accuracy"], pa.float64()),
    "tokens_input": pa.array(llm["tokens_input"], pa.int64()),
    "tokens_output": pa.array(llm["tokens_output"], pa.int64()),
    "created_at": pa.array(llm["created_at"], ts),
}), f"{out}/raw_llm_events.parquet")
pq.write_table(pa.table({
    "ticket_id": pa.array(sup["ticket_id"], pa.string()),
    "resolved_by": pa.array(sup["resolved_by"], pa.string()),
    "resolution_time_minutes": pa.array(sup["resolution_time_minutes"], pa.float64()),
    "revenue_generated": pa.array(sup["revenue_generated"], pa.float64()),
    "created_at": pa.array(sup["created_at"], ts),
}), f"{out}/raw_support_events.parquet")
pq.write_table(pa.table({
    "user_id": pa.array(conv["user_id"], pa.string()),
    "arm": pa.array(conv["arm"], pa.string()),
    "converted": pa.array(conv["converted"], pa.bool_()),
    "upsell_revenue": pa.array(conv["upsell_revenue"], pa.float64()),
    "created_at": pa.array(conv["created_at"], ts),
}), f"{out}/raw_conversion_events.parquet")
