{#- The last non-NULL value of `expression` in the frame of `window` (the text after `over`),
    NULL when there is none. SQL:2011 `last_value(... ignore nulls)`; an engine without it
    (PostgreSQL) needs its own implementation here. With a frame from the partition's start
    this carries a marker forward ("the row index where the current segment began") in one
    window pass; DuckDB computes it in about a quarter of the time of the equivalent running
    `max` over the same frame (docs/silver.md). -#}
{% macro last_non_null(expression, window) -%}
    {{ return(adapter.dispatch('last_non_null', 'market_warehouse')(expression, window)) }}
{%- endmacro %}

{% macro default__last_non_null(expression, window) -%}
    last_value({{ expression }} ignore nulls) over {{ window }}
{%- endmacro %}
