{#- `expression` on the row `offset` rows after the current one in `window_name` (NULL past the
    partition's end or when `offset` is NULL). `offset` may be a column: DuckDB accepts a
    per-row offset in `lead`, which standard SQL does not, so one window pass fetches the bar
    a triple barrier was touched on, whatever its distance. -#}
{% macro lead_by(expression, offset, window_name) -%}
    {{ return(adapter.dispatch('lead_by', 'market_warehouse')(expression, offset, window_name)) }}
{%- endmacro %}

{% macro duckdb__lead_by(expression, offset, window_name) -%}
    lead({{ expression }}, ({{ offset }})::bigint) over {{ window_name }}
{%- endmacro %}
