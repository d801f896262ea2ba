-- dashboard_facts: one row per (UTC event_date, provider) with at least one LLM event, in the
-- contract's column order, ordered by event_date then provider (byte order).
-- accuracy_rolling_7d = (sum of non-null accuracy) / (count of non-null accuracy) over the
-- provider's events on days d-6..d (calendar days: a RANGE window on the date); null if none.
-- Published as <publish_dir>/dashboard_facts.parquet.
{{ config(
    materialized='table',
    post_hook=publish("event_date, " ~ byte_order("provider"))
) }}
with rolled as (
    select
        *,
        sum(accuracy_sum) over last_7_days   as rolling_sum,
        sum(accuracy_count) over last_7_days as rolling_count
    from {{ ref('model_performance') }}
    window last_7_days as (
        partition by provider
        order by event_date
        range between interval 6 days preceding and current row
    )
)
select
    m.event_date,
    m.provider,
    m.events,
    m.sessions,
    m.accuracy_daily,
    case when m.rolling_count > 0 then m.rolling_sum / m.rolling_count end
                                                     as accuracy_rolling_7d,
    m.latency_p50_ms,
    m.latency_p95_ms,
    m.tokens_input,
    m.tokens_output,
    m.tokens_input + m.tokens_output                 as tokens_total,
    coalesce(b.tickets, 0)                           as tickets,
    coalesce(b.tickets_resolved_by_agent, 0)         as tickets_resolved_by_agent,
    b.resolution_rate,
    coalesce(b.revenue_from_ai, 0.0)                 as revenue_from_ai
from rolled as m
left join {{ ref('business_impact') }} as b
    on b.event_date = m.event_date and b.provider = m.provider
order by m.event_date, {{ byte_order('m.provider') }}
