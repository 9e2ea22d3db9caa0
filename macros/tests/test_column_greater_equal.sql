{#- Fails on every row where both `column_name` and `other_column` are not NULL and
    `column_name < other_column`. Use it for invariants such as
    `bbands_upper >= bbands_middle` or `high >= low`. -#}
{% test column_greater_equal(model, column_name, other_column) %}

select *
from {{ model }}
where {{ column_name }} is not null
    and {{ other_column }} is not null
    and {{ column_name }} < {{ other_column }}

{% endtest %}
