{#- Population standard deviation of `value` over the frame of the named window `window_name`,
    computed the same way whatever else is in the input: BBANDS' deviation (TA-Lib 0.8 computes
    it accurately, not as E[x^2] - mean^2, which loses every digit for a stock at 500,000
    moving by a cent). -#}
{% macro rolling_population_stddev(value, window_name) -%}
    {{ return(adapter.dispatch('rolling_population_stddev', 'market_warehouse')(value, window_name)) }}
{%- endmacro %}

{#- Portable: accurate, but an engine that aggregates window frames with a segment tree (as
    DuckDB does) combines partial results by row position in the whole sorted input, so the
    last bits can differ between an incremental run and a full refresh. -#}
{% macro default__rolling_population_stddev(value, window_name) -%}
    stddev_pop({{ value }}) over {{ window_name }}
{%- endmacro %}

{#- DuckDB: the frame's values as a list (concatenated in row order), then var_pop over that
    list: Welford's updates in row order, the same bits in an incremental run and a full
    refresh (DuckDB's windowed stddev_pop changed the last bits of 72,115 of 175,159 rows
    when 37 tickers were computed alone). -#}
{% macro duckdb__rolling_population_stddev(value, window_name) -%}
    sqrt(list_aggregate(list({{ value }}) over {{ window_name }}, 'var_pop'))
{%- endmacro %}
