-- raw_support_events with the contract's types: ticket_id as text (integers in decimal),
-- revenue nulls as 0.
{% set src = source('raw', 'raw_support_events') %}
select
    cast(ticket_id as varchar)                         as ticket_id,
    cast(resolved_by as varchar)                       as resolved_by,
    coalesce(cast(revenue_generated as double), 0)     as revenue_generated
from {{ src }}
