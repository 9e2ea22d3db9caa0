{#- The scale exponent for `exact_window_sum`, computed when the model compiles: the largest
    integer e in [-1000, 1000] with window_rows × bound × 2^e ≤ 2^120, so a sum of
    `window_rows` values of magnitude up to `bound` stays 2^7 below HUGEINT's 2^127 and its
    rounding step is 2^-e. A constant on purpose: a scale taken from the data (a ticker's
    largest value, say) would let a later bar change how an earlier sum rounds. `bound` comes
    from the bronze validity vars (`max_valid_price`, `max_valid_volume`), so no valid row can
    exceed it. -#}
{% macro exact_sum_exponent(bound, window_rows) -%}
    {%- set ns = namespace(exponent=-1000) -%}
    {%- for candidate in range(-1000, 1001) -%}
        {%- if window_rows * bound * (2.0 ** candidate) <= 2.0 ** 120 -%}
            {%- set ns.exponent = candidate -%}
        {%- endif -%}
    {%- endfor -%}
    {{- ns.exponent -}}
{%- endmacro %}
