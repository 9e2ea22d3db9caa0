{#- Select-list expressions that turn the list held by session variable `variable_name` into
    one row per element: the element as `value_alias`, its 1-based position as
    `position_alias`. -#}
{% macro list_variable_rows(variable_name, value_alias, position_alias) -%}
    {{ return(adapter.dispatch('list_variable_rows', 'market_warehouse')(variable_name, value_alias, position_alias)) }}
{%- endmacro %}

{% macro duckdb__list_variable_rows(variable_name, value_alias, position_alias) -%}
    {{ unnest_with_position("getvariable('" ~ variable_name ~ "')", value_alias, position_alias) }}
{%- endmacro %}
