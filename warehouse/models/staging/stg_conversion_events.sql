-- raw_conversion_events of the two experiment arms, with converted null -> false and the UTC
-- event_date. Rows without created_at and arms other than treatment/control are dropped.
{% set src = source('raw', 'raw_conversion_events') %}
select
    cast(arm as varchar)                               as arm,
    coalesce(cast(converted as boolean), false)        as converted,
    {{ utc_date('created_at') }}                       as event_date
from {{ src }}
where created_at is not null
  and cast(arm as varchar) in ('treatment', 'control')
