{#- TA-Lib's Commodity Channel Index at one row, as ta_CCI.c computes it, from the row's
    typical price, its `period - 1` lags (columns `<lag_prefix>1` ... `<lag_prefix><period - 1>`)
    and the window mean `mean` (a column computed before, e.g. with `talib_cci_mean`, so this
    long expression does not repeat it): the mean absolute deviation from the mean, then
    `(tp - mean) / (0.015 * mean_deviation)`, or 0 when either the numerator or the deviation
    is exactly 0. NULL before row `period - 1`. -#}
{% macro talib_cci(typical_price, lag_prefix, period, row_index, mean) -%}
    {%- set deviations = ['abs(' ~ typical_price ~ ' - ' ~ mean ~ ')'] -%}
    {%- for lag_rows in range(1, period) -%}
        {%- do deviations.append('abs(' ~ lag_prefix ~ lag_rows ~ ' - ' ~ mean ~ ')') -%}
    {%- endfor -%}
    case
        when {{ row_index }} < {{ period - 1 }} then null
        when {{ typical_price }} - {{ mean }} != 0 and ({{ deviations | join(' + ') }}) != 0
            then ({{ typical_price }} - {{ mean }})
            / (0.015 * (({{ deviations | join(' + ') }}) / {{ period }}))
        else 0.0
    end
{%- endmacro %}
