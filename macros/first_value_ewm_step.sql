{#- One step of an exponential mean seeded with the first value and without bias adjustment,
    as a SQL expression for `smoothing_recursion`: `x` on the first row (when `previous` is
    NULL), then `prev + (x - prev) / divisor`, i.e. smoothing factor alpha = 1 / divisor. With
    `divisor = n` this is the Wilder smoothing W_n of REFERENCE Part A §4.1 (TMF v1 and the TTI
    proxy); with `divisor = (span + 1) / 2` it is an EMA of that span (`tmf_ema_5`, alpha 1/3).
    A NULL `x` keeps the previous state. -#}
{% macro first_value_ewm_step(x, previous, divisor) -%}
    case
        when {{ x }} is null then {{ previous }}
        when {{ previous }} is null then {{ x }}
        else {{ previous }} + ({{ x }} - {{ previous }}) / {{ divisor }}
    end
{%- endmacro %}
