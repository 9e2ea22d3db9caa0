{#- `numerator / denominator` when |denominator| > eps, else NULL (REFERENCE Part A, notation). -#}
{% macro silver_safe_div(numerator, denominator, eps=none) -%}
    {%- set threshold = eps if eps is not none else var('silver_eps') -%}
    case
        when abs({{ denominator }}) > {{ threshold }}
            then ({{ numerator }}) / ({{ denominator }})
    end
{%- endmacro %}
