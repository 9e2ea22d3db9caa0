{#- The window mean TA-Lib's CCI uses: the typical price and its `period - 1` lags added left
    to right, divided by `period`. Plain additions, so a flat window gives exactly TA-Lib's
    mean (which decides whether CCI is 0). -#}
{% macro talib_cci_mean(typical_price, lag_prefix, period) -%}
    {%- set terms = [typical_price] -%}
    {%- for lag_rows in range(1, period) -%}
        {%- do terms.append(lag_prefix ~ lag_rows) -%}
    {%- endfor -%}
    (({{ terms | join(' + ') }}) / {{ period }})
{%- endmacro %}
