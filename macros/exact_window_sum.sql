{#- A windowed sum of DOUBLE values that does not depend on how the engine splits the rows:
    each value is scaled by 2^`exponent` and rounded to a 128-bit integer, the integers are
    summed (integer addition is associative, so every partial-sum order gives the same
    result), and the sum is scaled back. `exponent` is an integer constant from
    `exact_sum_exponent`: it keeps window_rows × |value| × 2^exponent below 2^120 for every
    valid value, so the sum cannot overflow. Used for rolling sums where an incremental run
    must equal a full refresh bit for bit (docs/silver.md). DuckDB's cast to HUGEINT rounds
    half to even. `window` is the text after `over`: a window name or a parenthesised
    specification. -#}
{% macro exact_window_sum(expression, exponent, window) -%}
    {{ return(adapter.dispatch('exact_window_sum', 'market_warehouse')(expression, exponent, window)) }}
{%- endmacro %}

{% macro default__exact_window_sum(expression, exponent, window) -%}
    cast(
        sum(cast(round(({{ expression }}) * power(2.0, {{ exponent }})) as numeric(38, 0)))
            over {{ window }}
        as double precision
    ) / power(2.0, {{ exponent }})
{%- endmacro %}

{% macro duckdb__exact_window_sum(expression, exponent, window) -%}
    (sum((({{ expression }}) * pow(2.0, {{ exponent }}))::hugeint) over {{ window }})::double
    / pow(2.0, {{ exponent }})
{%- endmacro %}
