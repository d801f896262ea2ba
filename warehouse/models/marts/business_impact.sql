-- Support tickets per (UTC event_date, provider). Each support row counts once: it is
-- attributed to its session's first LLM event (earliest created_at, ties by the smaller provider
-- in byte order), on that event's date and provider. Rows whose ticket_id matches no session
-- (orphans) are left out; duplicate rows of one ticket each count.
with first_event as (
    select session_id, event_date, provider
    from {{ ref('stg_llm_events') }}
    where session_id is not null
    qualify row_number() over (
        partition by session_id
        order by created_at_ns, {{ byte_order('provider') }}
    ) = 1
)
select
    f.event_date,
    f.provider,
    count(*)                                                      as tickets,
    count(*) filter (where s.resolved_by = 'agent')               as tickets_resolved_by_agent,
    cast(count(*) filter (where s.resolved_by = 'agent') as double)
        / count(*)                                                as resolution_rate,
    sum(s.revenue_generated)                                      as revenue_from_ai
from {{ ref('stg_support_events') }} as s
join first_event as f on s.ticket_id = f.session_id
group by f.event_date, f.provider
