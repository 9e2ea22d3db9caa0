{#- One integer holding several boolean flags, `bits` bits per flag (flag i at bit i * bits).
    A windowed `sum` of it adds every flag's count in its own field at once, as long as no
    count reaches 2^bits (choose `bits` with `bits_for_count(window rows)`); `unpack_count`
    reads one field back. NULL flags count as 0.

    Why: several rolling 0/1 counts over one frame cost one window aggregate instead of one
    each (DESIGN §7), and integer sums are exact, so the result does not depend on the engine's
    summation order (an incremental run equals a full refresh). -#}
{% macro pack_flags(flags, bits) -%}
    {%- if flags | length * bits > 126 -%}
        {{ exceptions.raise_compiler_error('pack_flags: ' ~ (flags | length) ~ ' flags of ' ~ bits ~ ' bits do not fit in 126 bits') }}
    {%- endif -%}
    {{ return(adapter.dispatch('pack_flags', 'market_warehouse')(flags, bits)) }}
{%- endmacro %}

{% macro duckdb__pack_flags(flags, bits) -%}
    {%- set width = 'bigint' if flags | length * bits <= 62 else 'hugeint' -%}
    (
        {%- for flag in flags %}
        (coalesce({{ flag }}, false)::{{ width }} << {{ loop.index0 * bits }}){% if not loop.last %} +{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
