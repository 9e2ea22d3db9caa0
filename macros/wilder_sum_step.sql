{#- One step of Wilder's running sum as TA-Lib computes it for ADX, +DI and -DI, as a SQL
    expression for `smoothing_recursion`: the plain sum of the first `period - 1` values of `x`
    from row `first_index`, then `(prev - prev / period) + x` (ta_ADX.c). NULL before
    `first_index`. -#}
{% macro wilder_sum_step(x, previous, row_index, period, first_index=1) -%}
    case
        when {{ row_index }} < {{ first_index }} then null
        when {{ row_index }} < {{ first_index + period - 1 }}
            then coalesce({{ previous }}, 0.0::double) + {{ x }}
        else ({{ previous }} - {{ previous }} / {{ period }}) + {{ x }}
    end
{%- endmacro %}
