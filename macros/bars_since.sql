{#- Rows since the latest row (current row included) of the window's partition where
    `condition` is true: 0 on such a row, NULL before the first one. `index_column` is a dense
    0-based row index and `running_window` a named window ordered by it with the frame
    `rows between unbounded preceding and current row`.

    Why `last_value(... ignore nulls)`: it was about eight times faster than a running
    `max(case ...)` here (DESIGN §7) and reads as "the index of the latest such row". -#}
{% macro bars_since(condition, index_column, running_window) -%}
    {{ return(adapter.dispatch('bars_since', 'market_warehouse')(
        condition, index_column, running_window
    )) }}
{%- endmacro %}

{% macro duckdb__bars_since(condition, index_column, running_window) -%}
    (
        {{ index_column }}
        - last_value(case when {{ condition }} then {{ index_column }} end ignore nulls)
            over {{ running_window }}
    )
{%- endmacro %}
