-- Every attributed ticket lands on a (date, provider) that has LLM events, so dashboard_facts
-- loses none: its ticket total equals business_impact's.
select (select sum(tickets) from {{ ref('business_impact') }}) as attributed,
       (select sum(tickets) from {{ ref('dashboard_facts') }}) as in_facts
where attributed is distinct from in_facts
