{#- TA-Lib's money flow of one bar (ta_MFI.c): typical price × volume, or 0 when the typical
    price did not move within the scaled dead zone |tp - prev_tp| <= eps × (|tp| + |prev_tp|)
    (TA_IS_ZERO_SCALED), and 0 when there is no previous bar. Whether it counts as positive or
    negative flow is decided by the caller from `tp < prev_tp`. -#}
{% macro talib_money_flow(typical_price, previous_typical_price, volume, eps) -%}
    case
        when {{ typical_price }} is null or {{ previous_typical_price }} is null then 0.0
        when {{ talib_is_zero_scaled(
            typical_price ~ ' - ' ~ previous_typical_price,
            'abs(' ~ typical_price ~ ') + abs(' ~ previous_typical_price ~ ')', eps
        ) }}
            then 0.0
        else {{ typical_price }} * {{ volume }}
    end
{%- endmacro %}
