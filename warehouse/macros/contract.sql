{#
  optional_column(relation, name, type): `CAST(name AS type)` when the relation has a column
  called `name`, else `CAST(NULL AS type)` — the contract reads a missing optional column as
  all-null. The relation's columns are looked up with DESCRIBE at execution time (during
  parsing, when nothing runs, the column is assumed present).
#}
{% macro optional_column(relation, name, type) %}
  {%- set present = true -%}
  {%- if execute -%}
    {%- set described = run_query("DESCRIBE SELECT * FROM " ~ relation) -%}
    {%- set present = name in described.columns[0].values() -%}
  {%- endif -%}
  {%- if present -%}
    CAST({{ adapter.quote(name) }} AS {{ type }})
  {%- else -%}
    CAST(NULL AS {{ type }})
  {%- endif -%}
{% endmacro %}

{#
  utc_date(column): the UTC calendar date of a timestamp of any unit, with or without time zone
  (a naive timestamp is read as UTC). Computed from the exact instant in nanoseconds with floor
  division, because casting a nanosecond timestamp to TIMESTAMPTZ first rounds it to the nearest
  microsecond, which moves 23:59:59.9999995+ onto the next day.
#}
{% macro utc_date(column) -%}
  {{ utc_date_of_ns("epoch_ns(" ~ column ~ ")") }}
{%- endmacro %}

{# utc_date_of_ns(ns): the UTC date of an instant given as BIGINT nanoseconds since the epoch. #}
{% macro utc_date_of_ns(ns) -%}
  {%- set day = "86400000000000" -%}
  (DATE '1970-01-01' + CAST(({{ ns }} - ((({{ ns }} % {{ day }}) + {{ day }}) % {{ day }})) // {{ day }} AS INTEGER))
{%- endmacro %}

{#
  byte_order(column): a sort key that orders strings by their UTF-8 bytes whatever the
  database's default collation is (the contract orders providers in byte order).
#}
{% macro byte_order(column) -%}
  encode({{ column }})
{%- endmacro %}
