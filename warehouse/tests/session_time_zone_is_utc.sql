-- event_date is the UTC date only if the session time zone is UTC (see profiles.yml).
select current_setting('TimeZone') as time_zone
where current_setting('TimeZone') <> 'UTC'
