{#- The keyword that makes the engine compute a CTE once and keep its rows (`name as
    materialized (...)`), or nothing where the engine has no such hint. -#}
{% macro materialize_cte() -%}
    {{ return(adapter.dispatch('materialize_cte', 'market_warehouse')()) }}
{%- endmacro %}

{% macro default__materialize_cte() -%}
{%- endmacro %}

{% macro duckdb__materialize_cte() -%}
    materialized
{%- endmacro %}
