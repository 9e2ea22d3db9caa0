{#- The count in field `position` (0-based) of a sum of `pack_flags(flags, bits)` values, as
    INTEGER. -#}
{% macro unpack_count(packed, position, bits) -%}
    {{ return(adapter.dispatch('unpack_count', 'market_warehouse')(packed, position, bits)) }}
{%- endmacro %}

{% macro duckdb__unpack_count(packed, position, bits) -%}
    ((({{ packed }}) >> {{ position * bits }}) & {{ 2 ** bits - 1 }})::integer
{%- endmacro %}
