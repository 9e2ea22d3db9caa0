{#- Post-hook: write `relation` as a Parquet dataset, the directory `path`: its files are
    replaced, then each block of whole tickers (in ticker order, about `ml_dataset_rows_per_file`
    rows each, counted on gold_labels) is written sorted by (ticker, trade_date) to
    `part-NNNNN.parquet`. Read in file-name order, the files are the dataset sorted by
    (ticker, trade_date), and the same rows give the same files. One sort per block instead of
    one over the whole dataset: each fits in memory (docs/gold.md, docs/benchmarks.md). -#}
{% macro gold_export_parquet(relation, path) -%}
    {%- if not path.endswith('.parquet') -%}
        {#- the directory's files are deleted first: never a directory not named for a dataset -#}
        {{ exceptions.raise_compiler_error(
            "ml_dataset_export_path must end in '.parquet' (a dataset directory), got " ~ path
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('gold_export_parquet', 'market_warehouse')(relation, path)) }}
{%- endmacro %}

{% macro duckdb__gold_export_parquet(relation, path) -%}
    {%- set lower_bounds = gold_export_ticker_blocks(var('ml_dataset_rows_per_file')) -%}
    -- an empty partitioned write with overwrite deletes the files under `path`
    copy (select 0 as part, 0 as x where false)
    to '{{ path }}' (format parquet, partition_by (part), overwrite);
    {%- for lower_bound in lower_bounds %}
    {%- set upper_bound = lower_bounds[loop.index] if not loop.last else none %}
    copy (
        select * from {{ relation }}
        where
            true
            {%- if not loop.first %}
            and ticker >= '{{ lower_bound | replace("'", "''") }}'
            {%- endif %}
            {%- if upper_bound is not none %}
            and ticker < '{{ upper_bound | replace("'", "''") }}'
            {%- endif %}
        order by ticker, trade_date
    ) to '{{ path }}/part-{{ '%05d' % loop.index0 }}.parquet' (format parquet, compression zstd);
    {%- endfor %}
{%- endmacro %}
