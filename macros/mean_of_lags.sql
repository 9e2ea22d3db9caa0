{#- The mean of a window given as a value and its `period - 1` lags (columns `<lag_prefix>1`
    ... `<lag_prefix><period - 1>`): the terms added left to right, divided by `period`. Plain
    additions in a fixed order, so the result depends only on the window's values (the same
    bits in an incremental run and a full refresh). -#}
{% macro mean_of_lags(value, lag_prefix, period) -%}
    {%- set terms = [value] -%}
    {%- for lag_rows in range(1, period) -%}
        {%- do terms.append(lag_prefix ~ lag_rows) -%}
    {%- endfor -%}
    (({{ terms | join(' + ') }}) / {{ period }})
{%- endmacro %}
