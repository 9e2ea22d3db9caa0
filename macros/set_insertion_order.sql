{#- Whether the engine must keep the insertion order of rows in results without an `order by`.
    Large table builds whose row order means nothing turn it off in a pre-hook (and back on in
    a post-hook): DuckDB then writes the table from every thread instead of serialising the
    final append. -#}
{% macro set_insertion_order(preserve) -%}
    {{ return(adapter.dispatch('set_insertion_order', 'market_warehouse')(preserve)) }}
{%- endmacro %}

{% macro duckdb__set_insertion_order(preserve) -%}
    set preserve_insertion_order = {{ 'true' if preserve else 'false' }}
{%- endmacro %}

{% macro default__set_insertion_order(preserve) -%}
{%- endmacro %}
