{#- The scale exponent for `exact_window_sum`: the largest integer e with
    window_rows × bound × 2^e ≤ 2^120, where `bound` is an expression for the largest |value|
    the sum will see (for instance a per-ticker max), clamped to [-1000, 1000] so that 2^e is
    a finite DOUBLE (an all-zero series gets 1000). Portable SQL (`ln`, `ceil`, `cast`); a
    rounding of the logarithm moves e by at most one, well inside the 2^7 margin below
    HUGEINT's 2^127. -#}
{% macro exact_sum_exponent(bound, window_rows) -%}
    cast(least(greatest(
        120 - ceil(ln(greatest({{ bound }}, 1e-300) * {{ window_rows }}) / ln(2)),
        -1000), 1000) as integer)
{%- endmacro %}
