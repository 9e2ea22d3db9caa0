{#- The smallest offset k in `offsets` (ascending) for which `condition` holds, else NULL.
    `condition` is SQL text in which the placeholder `{k}` stands for the offset, e.g.
    `high_lead_{k} >= upper_barrier`. Used for the first touch of a triple barrier over the
    lead columns of the next bars: a CASE evaluates the offsets in order and stops at the first
    match, which was three times faster here than collecting the next bars into a list with a
    moving-frame `list()` window and searching it with a lambda. -#}
{% macro first_offset_where(condition, offsets) -%}
    {{ return(adapter.dispatch('first_offset_where', 'market_warehouse')(condition, offsets)) }}
{%- endmacro %}

{% macro default__first_offset_where(condition, offsets) -%}
    case
        {%- for offset in offsets %}
        when {{ condition | replace('{k}', offset | string) }} then {{ offset }}
        {%- endfor %}
    end
{%- endmacro %}
