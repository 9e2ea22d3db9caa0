{#- TA-Lib's Commodity Channel Index at one row, as ta_CCI.c computes it, from the row's
    typical price, its `period - 1` lags (columns `<lag_prefix>1` ... `<lag_prefix><period - 1>`)
    and the window mean `mean` (a column computed before with `mean_of_lags`, so this long
    expression does not repeat it): the mean absolute deviation from the mean, then
    `(tp - mean) / (0.015 * mean_deviation)`, or 0 when the numerator or the deviation sum is
    zero by TA-Lib 0.8's scaled test (talib_is_zero_scaled: |tp - mean| against |mean|, the
    deviation sum against period × |mean|, the scales measured on the ta-lib 0.8.2 wheel).
    NULL before row `period - 1`. -#}
{% macro talib_cci(typical_price, lag_prefix, period, row_index, mean, eps) -%}
    {%- set deviations = ['abs(' ~ typical_price ~ ' - ' ~ mean ~ ')'] -%}
    {%- for lag_rows in range(1, period) -%}
        {%- do deviations.append('abs(' ~ lag_prefix ~ lag_rows ~ ' - ' ~ mean ~ ')') -%}
    {%- endfor -%}
    case
        when {{ row_index }} < {{ period - 1 }} then null
        when {{ talib_is_zero_scaled(typical_price ~ ' - ' ~ mean, 'abs(' ~ mean ~ ')', eps) }}
            then 0.0
        when {{ talib_is_zero_scaled(deviations | join(' + '), period ~ ' * abs(' ~ mean ~ ')', eps) }}
            then 0.0
        else ({{ typical_price }} - {{ mean }})
            / (0.015 * (({{ deviations | join(' + ') }}) / {{ period }}))
    end
{%- endmacro %}
