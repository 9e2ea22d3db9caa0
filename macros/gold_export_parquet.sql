{#- Post-hook: write `relation` to the Parquet file `path`, sorted by (ticker, trade_date) so
    the same rows always give the same file. -#}
{% macro gold_export_parquet(relation, path) -%}
    {{ return(adapter.dispatch('gold_export_parquet', 'market_warehouse')(relation, path)) }}
{%- endmacro %}

{% macro duckdb__gold_export_parquet(relation, path) -%}
    copy (
        select * from {{ relation }}
        order by ticker, trade_date
    ) to '{{ path }}' (format parquet, compression zstd)
{%- endmacro %}
