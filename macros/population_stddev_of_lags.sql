{#- Population standard deviation of a window given as a value and its `period - 1` lags,
    about its mean `mean` (a column, from mean_of_lags): the two-pass sum of squared deviations
    divided by `period`, then the square root. Accurate where sum(x^2)/n - mean^2 cancels (a
    stock at 500,000 moving by cents), as TA-Lib 0.8 is; a fixed order of plain operations, so
    the same bits in an incremental run and a full refresh. A sum of squares is never
    negative, so no guard is needed (E[x^2] - mean^2 can be). -#}
{% macro population_stddev_of_lags(value, lag_prefix, period, mean) -%}
    {%- set squares = ['(' ~ value ~ ' - ' ~ mean ~ ') * (' ~ value ~ ' - ' ~ mean ~ ')'] -%}
    {%- for lag_rows in range(1, period) -%}
        {%- set lagged = lag_prefix ~ lag_rows -%}
        {%- do squares.append('(' ~ lagged ~ ' - ' ~ mean ~ ') * (' ~ lagged ~ ' - ' ~ mean ~ ')') -%}
    {%- endfor -%}
    sqrt(({{ squares | join(' + ') }}) / {{ period }})
{%- endmacro %}
