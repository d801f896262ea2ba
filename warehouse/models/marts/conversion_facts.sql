-- conversion_facts: one row per UTC event_date with a treatment or control row. Rates are
-- conversions / users (null when the arm has no users); the uplift's 95% Wald interval is
-- uplift -/+ z * sqrt(pt(1-pt)/nt + pc(1-pc)/nc), z = 1.959963984540054, null when either arm
-- has no users. Published as <publish_dir>/conversion_facts.parquet.
{{ config(materialized='table', post_hook=publish("event_date")) }}
with daily as (
    select
        event_date,
        count(*) filter (where arm = 'treatment')                  as treatment_users,
        count(*) filter (where arm = 'treatment' and converted)    as treatment_conversions,
        count(*) filter (where arm = 'control')                    as control_users,
        count(*) filter (where arm = 'control' and converted)      as control_conversions
    from {{ ref('stg_conversion_events') }}
    group by event_date
),
rates as (
    select
        *,
        case when treatment_users > 0
            then cast(treatment_conversions as double) / treatment_users end as treatment_rate,
        case when control_users > 0
            then cast(control_conversions as double) / control_users end     as control_rate
    from daily
),
uplift as (
    select
        *,
        treatment_rate - control_rate as conversion_uplift,
        cast('1.959963984540054' as double) * sqrt(
            treatment_rate * (1 - treatment_rate) / treatment_users
            + control_rate * (1 - control_rate) / control_users
        )                             as half_width
    from rates
)
select
    event_date,
    treatment_users,
    treatment_conversions,
    control_users,
    control_conversions,
    treatment_rate,
    control_rate,
    conversion_uplift,
    conversion_uplift - half_width as uplift_ci_low,
    conversion_uplift + half_width as uplift_ci_high
from uplift
order by event_date
