{#
  Generic test unique_key(columns): no two rows of the model share the same values in `columns`
  (a composite key). Fails with one row per duplicated key.
#}
{% test unique_key(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#
  Generic test between(column_name, low, high): every non-null value lies in [low, high].
#}
{% test between(model, column_name, low, high) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ low }} or {{ column_name }} > {{ high }}
{% endtest %}
