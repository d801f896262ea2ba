-- LLM metrics per (UTC event_date, provider) with at least one event: volume, distinct
-- sessions, accuracy (daily mean plus the sum and count the rolling window needs), latency
-- percentiles (continuous, linear interpolation) and token sums (nulls were made 0 in staging).
select
    event_date,
    provider,
    count(*)                                         as events,
    count(distinct session_id)                       as sessions,
    avg(accuracy)                                    as accuracy_daily,
    sum(accuracy)                                    as accuracy_sum,
    count(accuracy)                                  as accuracy_count,
    -- both percentiles from one sort of the group's latencies; list indexes are 1-based
    quantile_cont(response_time_ms, [0.5, 0.95])[1]  as latency_p50_ms,
    quantile_cont(response_time_ms, [0.5, 0.95])[2]  as latency_p95_ms,
    cast(sum(tokens_input) as bigint)                as tokens_input,
    cast(sum(tokens_output) as bigint)               as tokens_output
from {{ ref('stg_llm_events') }}
group by event_date, provider
