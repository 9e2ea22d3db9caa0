{#- One step of Wilder's average as TA-Lib computes it for ATR and RSI, as a SQL expression for
    `smoothing_recursion`: a running sum of `x` from row `first_index`, divided by `period` on
    row `first_index + period - 1` (the seed: the mean of the first `period` values), then
    `((prev * (period - 1)) + x) / period` (ta_ATR.c and ta_RSI.c: multiply, add, divide, in
    that order). NULL before `first_index`. -#}
{% macro wilder_average_step(x, previous, row_index, period, first_index=1) -%}
    case
        when {{ row_index }} < {{ first_index }} then null
        when {{ row_index }} < {{ first_index + period - 1 }}
            then coalesce({{ previous }}, 0.0::double) + {{ x }}
        when {{ row_index }} = {{ first_index + period - 1 }}
            then (coalesce({{ previous }}, 0.0::double) + {{ x }}) / {{ period }}
        else (({{ previous }} * {{ period - 1 }}) + {{ x }}) / {{ period }}
    end
{%- endmacro %}
