{#- TA-Lib's Commodity Channel Index at one row, from the row's typical price and its
    `period - 1` lags (columns `<lag_prefix>1` ... `<lag_prefix><period - 1>`), as ta_CCI.c
    computes it: the window's mean, the mean absolute deviation from that mean, then
    `(tp - mean) / (0.015 * mean_deviation)`, or 0 when either the numerator or the deviation is
    exactly 0. NULL before row `period - 1`. Sums are plain left-to-right additions, so a flat
    window gives exactly the same mean as TA-Lib's loop. -#}
{% macro talib_cci(typical_price, lag_prefix, period, row_index) -%}
    {%- set terms = [typical_price] -%}
    {%- for lag_rows in range(1, period) -%}
        {%- do terms.append(lag_prefix ~ lag_rows) -%}
    {%- endfor -%}
    {%- set mean -%}(({{ terms | join(' + ') }}) / {{ period }}){%- endset -%}
    {%- set deviations = [] -%}
    {%- for term in terms -%}
        {%- do deviations.append('abs(' ~ term ~ ' - ' ~ mean ~ ')') -%}
    {%- endfor -%}
    case
        when {{ row_index }} < {{ period - 1 }} then null
        when {{ typical_price }} - {{ mean }} != 0 and ({{ deviations | join(' + ') }}) != 0
            then ({{ typical_price }} - {{ mean }})
            / (0.015 * (({{ deviations | join(' + ') }}) / {{ period }}))
        else 0.0
    end
{%- endmacro %}
