-- Support tickets per (UTC event_date, provider). Each support row counts once: it is
-- attributed to its session's first LLM event (earliest created_at, ties by the smaller provider
-- in byte order), on that event's date and provider. Rows whose ticket_id matches no session
-- (orphans) are left out; duplicate rows of one ticket each count.
with first_event as (
    -- one row per session: the instant of its first event and, among the events at that
    -- instant, the smallest provider in byte order (arg_min over the (instant, bytes) pair; a
    -- hash aggregate, several times cheaper than a row_number() window over all events)
    select
        session_id,
        {{ utc_date_of_ns('min(created_at_ns)') }}                        as event_date,
        arg_min(provider, struct_pack(t := created_at_ns, p := {{ byte_order('provider') }}))
                                                                         as provider
    from {{ ref('stg_llm_events') }}
    -- only sessions some support row refers to can matter
    where session_id in (select ticket_id from {{ ref('stg_support_events') }})
    group by session_id
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
