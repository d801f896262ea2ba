-- raw_llm_events with the contract's types: ids as text (integers in decimal), provider null ->
-- 'unknown', latencies and accuracy widened to DOUBLE (float32 -> float64 exactly), token nulls
-- as 0, and the UTC event_date. Rows without created_at are dropped.
{% set src = source('raw', 'raw_llm_events') %}
select
    cast(session_id as varchar)                        as session_id,
    coalesce(cast(provider as varchar), 'unknown')     as provider,
    cast(response_time_ms as double)                   as response_time_ms,
    {{ optional_column(src, 'accuracy', 'double') }}   as accuracy,
    coalesce(cast(tokens_input as bigint), 0)          as tokens_input,
    coalesce(cast(tokens_output as bigint), 0)         as tokens_output,
    -- exact instant (ns since the epoch, UTC) for "earliest event" comparisons
    epoch_ns(created_at)                               as created_at_ns,
    {{ utc_date('created_at') }}                       as event_date
from {{ src }}
where created_at is not null
