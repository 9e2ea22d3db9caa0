{#- One step of TA-Lib's ADX average of DX (ta_ADX.c): DX summed from row `period` (a
    skipped, NULL DX adds 0), the sum divided by `period` on row `2 × period − 1` (the seed),
    then ((prev × (period − 1)) + dx) / period, keeping the previous value when DX is skipped.
    NULL before row `period`. -#}
{% macro talib_adx_step(dx, previous, row_index, period) -%}
    case
        when {{ row_index }} < {{ period }} then null
        when {{ row_index }} < {{ 2 * period - 1 }}
            then coalesce({{ previous }}, 0.0::double) + coalesce({{ dx }}, 0.0::double)
        when {{ row_index }} = {{ 2 * period - 1 }}
            then (coalesce({{ previous }}, 0.0::double) + coalesce({{ dx }}, 0.0::double)) / {{ period }}
        else coalesce((({{ previous }} * {{ period - 1 }}) + {{ dx }}) / {{ period }}, {{ previous }})
    end
{%- endmacro %}
