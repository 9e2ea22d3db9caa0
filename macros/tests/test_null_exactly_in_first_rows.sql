{#- Warm-up test: `column_name` is NULL exactly on the rows whose 1-based position
    `row_number_column` (within a series) is at most `rows`, and not NULL on every later row.
    Fails on each row that breaks either half. -#}
{% test null_exactly_in_first_rows(model, column_name, row_number_column, rows) %}

select *
from {{ model }}
where ({{ row_number_column }} <= {{ rows }}) != ({{ column_name }} is null)

{% endtest %}
