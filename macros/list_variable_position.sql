{#- The 1-based position of `expression` in the list held by session variable
    `variable_name` (0 when absent). -#}
{% macro list_variable_position(variable_name, expression) -%}
    {{ return(adapter.dispatch('list_variable_position', 'market_warehouse')(variable_name, expression)) }}
{%- endmacro %}

{% macro duckdb__list_variable_position(variable_name, expression) -%}
    coalesce(list_position(getvariable('{{ variable_name }}'), {{ expression }}), 0)
{%- endmacro %}
