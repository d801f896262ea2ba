{#
  publish(order_by): post-hook that writes the model's table to
  <publish_dir>/<model name>.parquet (zstd), rows in the given order — the file a team drops
  next to the dashboard page. publish_dir is a var (default: target).
#}
{% macro publish(order_by) -%}
  COPY (SELECT * FROM {{ this }} ORDER BY {{ order_by }})
  TO '{{ var("publish_dir", "target") }}/{{ this.identifier }}.parquet'
  (FORMAT parquet, COMPRESSION zstd)
{%- endmacro %}
