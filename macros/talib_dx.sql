{#- TA-Lib's directional movement index DX at one row from its Wilder sums (ta_ADX.c):
    100 × |−DI − +DI| / (−DI + +DI) with DI = 100 × (DM sum / TR sum); NULL (the bar is
    skipped) before row `period` and when the TR sum or the DI sum is zero by TA_IS_ZERO. -#}
{% macro talib_dx(plus_dm_sum, minus_dm_sum, tr_sum, row_index, period, eps) -%}
    {%- set plus_di = '(100.0 * (' ~ plus_dm_sum ~ ' / ' ~ tr_sum ~ '))' -%}
    {%- set minus_di = '(100.0 * (' ~ minus_dm_sum ~ ' / ' ~ tr_sum ~ '))' -%}
    case
        when {{ row_index }} >= {{ period }}
            and abs({{ tr_sum }}) >= {{ eps }}
            and abs({{ minus_di }} + {{ plus_di }}) >= {{ eps }}
            then 100.0 * (abs({{ minus_di }} - {{ plus_di }}) / ({{ minus_di }} + {{ plus_di }}))
    end
{%- endmacro %}
