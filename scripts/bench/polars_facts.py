"""dashboard_facts and conversion_facts (shared/spec/metrics.md) with Polars' lazy API.

The same model as warehouse/models (dbt) and the Rust core, for scripts/bench-facts.sh:

  polars_facts.py DATA_DIR [dashboard_facts|conversion_facts] [OUT.csv]

prints (or writes) the facts as contract CSV. As a module: dashboard_facts(dir) and
conversion_facts(dir) return LazyFrames; nothing is read until .collect().
"""
import os
import sys

import polars as pl

Z = 1.959963984540054


def _scan(data_dir, name):
    return pl.scan_parquet(os.path.join(data_dir, name + ".parquet"))


def _text(lf, col):
    """A string/dictionary/integer id column as text (integers as decimal)."""
    return pl.col(col).cast(pl.String)


def _utc(lf, col="created_at"):
    """created_at as a UTC Datetime(ns): naive timestamps are read as UTC."""
    dtype = lf.collect_schema()[col]
    expr = pl.col(col).cast(pl.Datetime("ns", getattr(dtype, "time_zone", None)))
    if getattr(dtype, "time_zone", None) is None:
        return expr.dt.replace_time_zone("UTC")
    return expr.dt.convert_time_zone("UTC")


def llm_events(data_dir):
    lf = _scan(data_dir, "raw_llm_events")
    schema = lf.collect_schema()
    accuracy = (pl.col("accuracy").cast(pl.Float64) if "accuracy" in schema
                else pl.lit(None, dtype=pl.Float64))
    ts = _utc(lf)
    return lf.filter(pl.col("created_at").is_not_null()).select(
        session_id=_text(lf, "session_id"),
        provider=pl.col("provider").cast(pl.String).fill_null("unknown"),
        response_time_ms=pl.col("response_time_ms").cast(pl.Float64),
        accuracy=accuracy,
        tokens_input=pl.col("tokens_input").cast(pl.Int64).fill_null(0),
        tokens_output=pl.col("tokens_output").cast(pl.Int64).fill_null(0),
        created_ns=ts.dt.epoch("ns"),
        event_date=ts.dt.date(),
    )


def dashboard_facts(data_dir):
    llm = llm_events(data_dir)
    perf = llm.group_by("event_date", "provider").agg(
        events=pl.len().cast(pl.Int64),
        sessions=pl.col("session_id").drop_nulls().n_unique().cast(pl.Int64),
        accuracy_daily=pl.col("accuracy").mean(),
        accuracy_sum=pl.col("accuracy").sum(),
        accuracy_count=pl.col("accuracy").count().cast(pl.Int64),
        latency_p50_ms=pl.col("response_time_ms").quantile(0.5, interpolation="linear"),
        latency_p95_ms=pl.col("response_time_ms").quantile(0.95, interpolation="linear"),
        tokens_input=pl.col("tokens_input").sum(),
        tokens_output=pl.col("tokens_output").sum(),
    )
    # trailing 7 calendar days d-6..d per provider: sum of sums / sum of counts
    rolled = (
        perf.select("provider", "event_date", "accuracy_sum", "accuracy_count")
        .sort("provider", "event_date")
        .rolling(index_column="event_date", period="7d", closed="right", group_by="provider")
        .agg(rolling_sum=pl.col("accuracy_sum").sum(), rolling_count=pl.col("accuracy_count").sum())
    )
    support = _scan(data_dir, "raw_support_events").select(
        ticket_id=pl.col("ticket_id").cast(pl.String),
        agent=(pl.col("resolved_by").cast(pl.String) == "agent").fill_null(False),
        revenue=pl.col("revenue_generated").cast(pl.Float64).fill_null(0.0),
    )
    # each support row -> its session's first event (earliest instant, ties by smaller provider);
    # only sessions some support row refers to can matter (as in warehouse/business_impact.sql)
    first = (
        llm.join(support.select("ticket_id").unique(), left_on="session_id", right_on="ticket_id",
                 how="semi")
        .sort("created_ns", "provider")
        .group_by("session_id")
        .agg(pl.col("event_date").first(), pl.col("provider").first())
    )
    impact = (
        support.join(first, left_on="ticket_id", right_on="session_id", how="inner")
        .group_by("event_date", "provider")
        .agg(
            tickets=pl.len().cast(pl.Int64),
            tickets_resolved_by_agent=pl.col("agent").sum().cast(pl.Int64),
            revenue_from_ai=pl.col("revenue").sum(),
        )
    )
    return (
        perf.join(rolled, on=["provider", "event_date"], how="left")
        .join(impact, on=["event_date", "provider"], how="left")
        .select(
            "event_date", "provider", "events", "sessions", "accuracy_daily",
            accuracy_rolling_7d=pl.when(pl.col("rolling_count") > 0)
            .then(pl.col("rolling_sum") / pl.col("rolling_count")),
            latency_p50_ms="latency_p50_ms",
            latency_p95_ms="latency_p95_ms",
            tokens_input="tokens_input",
            tokens_output="tokens_output",
            tokens_total=pl.col("tokens_input") + pl.col("tokens_output"),
            tickets=pl.col("tickets").fill_null(0),
            tickets_resolved_by_agent=pl.col("tickets_resolved_by_agent").fill_null(0),
            resolution_rate=pl.col("tickets_resolved_by_agent").cast(pl.Float64) / pl.col("tickets"),
            revenue_from_ai=pl.col("revenue_from_ai").fill_null(0.0),
        )
        .sort("event_date", "provider")
    )


def conversion_facts(data_dir):
    lf = _scan(data_dir, "raw_conversion_events")
    ev = lf.filter(pl.col("created_at").is_not_null()).select(
        arm=pl.col("arm").cast(pl.String),
        converted=pl.col("converted").cast(pl.Boolean).fill_null(False),
        event_date=_utc(lf).dt.date(),
    ).filter(pl.col("arm").is_in(["treatment", "control"]))
    t, c = pl.col("arm") == "treatment", pl.col("arm") == "control"
    daily = ev.group_by("event_date").agg(
        treatment_users=t.sum().cast(pl.Int64),
        treatment_conversions=(t & pl.col("converted")).sum().cast(pl.Int64),
        control_users=c.sum().cast(pl.Int64),
        control_conversions=(c & pl.col("converted")).sum().cast(pl.Int64),
    )
    nt, nc = pl.col("treatment_users"), pl.col("control_users")
    pt = pl.when(nt > 0).then(pl.col("treatment_conversions") / nt)
    pc = pl.when(nc > 0).then(pl.col("control_conversions") / nc)
    rates = daily.with_columns(treatment_rate=pt, control_rate=pc)
    ptr, pcr = pl.col("treatment_rate"), pl.col("control_rate")
    half = Z * (ptr * (1 - ptr) / nt + pcr * (1 - pcr) / nc).sqrt()
    return (
        rates.with_columns(conversion_uplift=ptr - pcr, half=half)
        .with_columns(
            uplift_ci_low=pl.col("conversion_uplift") - pl.col("half"),
            uplift_ci_high=pl.col("conversion_uplift") + pl.col("half"),
        )
        .drop("half")
        .sort("event_date")
    )


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    table = argv[2] if len(argv) > 2 else "dashboard_facts"
    df = {"dashboard_facts": dashboard_facts, "conversion_facts": conversion_facts}[table](argv[1]).collect()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "warehouse"))
    from facts_csv import write_rows
    out = open(argv[3], "w", newline="") if len(argv) > 3 else sys.stdout
    write_rows(out, df.columns, df.iter_rows())


if __name__ == "__main__":
    main(sys.argv)
