{#- TA-Lib 0.8's scale-aware zero test (TA_IS_ZERO_SCALED, ta_utility.h): `value` counts as
    zero when |value| <= eps × scale, where scale is the magnitude of the operands `value` is a
    difference of. A fixed band misses a tie between large operands (a flat window at 45.67
    whose mean is off by one rounding), and an exact test divides that rounding into noise. -#}
{% macro talib_is_zero_scaled(value, scale, eps) -%}
    (abs({{ value }}) <= {{ eps }} * ({{ scale }}))
{%- endmacro %}
