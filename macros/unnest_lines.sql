{#- Lateral join that turns `text_column` of `relation_alias` into one row per physical line:
    `line_text` (without its `\n`) and `source_line_no` (1-based). A final empty element after
    a trailing newline is not a line; the caller drops it using `line_count`. -#}
{% macro unnest_lines(text_column) -%}
    {{ return(adapter.dispatch('unnest_lines', 'market_warehouse')(text_column)) }}
{%- endmacro %}

{% macro duckdb__unnest_lines(text_column) -%}
    unnest(string_split({{ text_column }}, chr(10))) with ordinality as split_lines (line_text, source_line_no)
{%- endmacro %}
