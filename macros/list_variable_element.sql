{#- Element number `position` (1-based) of the list held by session variable `variable_name`. -#}
{% macro list_variable_element(variable_name, position) -%}
    {{ return(adapter.dispatch('list_variable_element', 'market_warehouse')(variable_name, position)) }}
{%- endmacro %}

{% macro duckdb__list_variable_element(variable_name, position) -%}
    getvariable('{{ variable_name }}')[{{ position }}]
{%- endmacro %}
