{#- First ticker of each block of the ML dataset export: tickers in order, a new block once the
    current one holds at least `rows_per_block` rows of gold_labels (restricted to the
    `ml_dataset_tickers` var). Returns a list of ticker names, at least one element (the
    first block has no lower bound; an empty name stands for it). -#}
{% macro gold_export_ticker_blocks(rows_per_block) -%}
    {%- if not execute -%}
        {{ return(['']) }}
    {%- endif -%}
    {%- set tickers = var('ml_dataset_tickers') -%}
    {%- set counts_sql -%}
        select ticker, count(*) as row_count
        from {{ ref('gold_labels') }}
        {%- if tickers | length > 0 %}
        where ticker in ({{ sql_string_list(tickers) }})
        {%- endif %}
        group by ticker
        order by ticker
    {%- endset -%}
    {%- set counts = run_query(counts_sql) -%}
    {%- set lower_bounds = [''] -%}
    {%- set state = {'rows': 0} -%}
    {%- for row in counts.rows -%}
        {%- if state.rows >= rows_per_block -%}
            {%- do lower_bounds.append(row[0]) -%}
            {%- do state.update({'rows': 0}) -%}
        {%- endif -%}
        {%- do state.update({'rows': state.rows + row[1]}) -%}
    {%- endfor -%}
    {{ return(lower_bounds) }}
{%- endmacro %}
