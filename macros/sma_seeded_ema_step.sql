{#- One step of TA-Lib's EMA (CLASSIC compatibility), as a SQL expression for
    `smoothing_recursion`: the state is a running sum of `x` from row `first_index`, becomes the
    simple average of the first `period` values on row `first_index + period - 1` (the seed),
    then follows `((x - prev) * k) + prev` with `k = 2 / (period + 1)`: the operations and order
    of ta_EMA.c. NULL before `first_index`. The EMA is the state from row
    `first_index + period - 1` on. -#}
{% macro sma_seeded_ema_step(x, previous, row_index, period, first_index=0) -%}
    case
        when {{ row_index }} < {{ first_index }} then null
        when {{ row_index }} < {{ first_index + period - 1 }}
            then coalesce({{ previous }}, 0.0::double) + {{ x }}
        when {{ row_index }} = {{ first_index + period - 1 }}
            then (coalesce({{ previous }}, 0.0::double) + {{ x }}) / {{ period }}
        else (({{ x }} - {{ previous }}) * (2.0::double / {{ period + 1 }})) + {{ previous }}
    end
{%- endmacro %}
