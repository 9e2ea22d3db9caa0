{#- The keyword that makes the engine inline a CTE into each of its references (`name as not
    materialized (...)`), or nothing where the engine has no such hint. DuckDB materialises a
    CTE that is referenced more than once; for an import CTE read by both the ticker markers
    and the rows, reading the table twice is cheaper than keeping a copy of its rows. -#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'market_warehouse')()) }}
{%- endmacro %}

{% macro default__inline_cte() -%}
{%- endmacro %}

{% macro duckdb__inline_cte() -%}
    not materialized
{%- endmacro %}
