{#- Select-list expressions that turn the list `list_column` into one row per element: the
    element as `value_alias` and its 1-based position as `position_alias`. (On DuckDB a
    select-list unnest is much faster than a lateral `unnest ... with ordinality`, which holds
    the whole list per row and ran out of memory on 10M lines.) -#}
{% macro unnest_with_position(list_column, value_alias, position_alias) -%}
    {{ return(adapter.dispatch('unnest_with_position', 'market_warehouse')(list_column, value_alias, position_alias)) }}
{%- endmacro %}

{% macro duckdb__unnest_with_position(list_column, value_alias, position_alias) -%}
    unnest({{ list_column }}) as {{ value_alias }},
    generate_subscripts({{ list_column }}, 1) as {{ position_alias }}
{%- endmacro %}
