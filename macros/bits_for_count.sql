{#- Number of bits that hold every count from 0 to `max_count` (at least 1): the field width
    `pack_flags` and `unpack_count` need for counts over a window of `max_count` rows. -#}
{% macro bits_for_count(max_count) -%}
    {%- set state = namespace(bits=1) -%}
    {%- for _ in range(126) -%}
        {%- if 2 ** state.bits <= max_count -%}
            {%- set state.bits = state.bits + 1 -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(state.bits) }}
{%- endmacro %}
