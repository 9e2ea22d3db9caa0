{#- Post-hook after `gold_export_parquet`: write `<path without .parquet>.metadata.json`, one
    JSON object describing the Parquet dataset at `path`: its files with their row counts, row
    and ticker counts, date range, the columns with their types, the dbt vars that shape the
    rows (`dbt_vars`, and `dbt_vars_md5` of their sorted JSON), a fingerprint of the bronze
    file manifest (md5 over every present file's path, loaded size:mtime fingerprint and row
    counts) and a content hash of the rows (bit_xor of DuckDB's hash of each whole row, order
    independent). Nothing in it depends on the time of the run, so two exports of the same
    inputs with the same vars give the same file. -#}
{% macro gold_export_metadata(relation, path) -%}
    {{ return(adapter.dispatch('gold_export_metadata', 'market_warehouse')(relation, path)) }}
{%- endmacro %}

{% macro duckdb__gold_export_metadata(relation, path) -%}
    {#- Vars that decide which rows and values the dataset holds: which bars are valid and
        their warning count (bronze), the series segments and the indicators the dataset
        carries (silver), every event, feature and label rule (gold) and the dataset filters.
        Paths and the file size are left out, so the same data exported elsewhere has the same
        hash. tests/gold/test_gold_incremental.py fails on a project var not classified. -#}
    {%- set var_names = [
        'max_valid_price', 'max_valid_volume', 'suspicious_range_pct_threshold',
        'suspicious_return_pct_threshold', 'gap_days_warn_threshold',
        'xnys_calendar_start_date', 'xnys_calendar_end_date', 'max_gap_trading_days',
        'silver_eps', 'talib_epsilon', 'tmf_period', 'tti_proxy_period', 'atr_period',
        'respect_fail_lookback_bars', 'hold_consecutive_bars', 'tmf_burst_abs_threshold',
        'tmf_burst_slope_threshold', 'tti_burst_abs_threshold', 'tti_burst_slope_threshold',
        'activity_windows', 'flow_long_window', 'state_recent_cross_bars',
        'state_event_advantage', 'gold_eps', 'flow_score_weight_zero',
        'flow_score_weight_respect', 'flow_score_weight_burst', 'flow_score_weight_hold',
        'recency_clip_bars', 'forward_return_windows', 'forward_vol_window',
        'label_horizon_bars', 'label_pt_mult', 'label_sl_mult', 'label_cost_bps',
        'label_touch_mode', 'ml_dataset_start_date', 'ml_dataset_end_date',
        'ml_dataset_tickers', 'ml_dataset_require_tmf_ready',
    ] -%}
    {%- set used_vars = {} -%}
    {%- for name in var_names -%}
        {%- do used_vars.update({name: var(name)}) -%}
    {%- endfor -%}
    {%- set vars_json = tojson(used_vars, sort_keys=True) -%}
    {%- set metadata_path = (path[:-8] if path.endswith('.parquet') else path) ~ '.metadata.json' -%}
    copy (
        with

        -- read where used: a materialised copy of every column costs more than two scans
        dataset as not materialized (

            select * from read_parquet('{{ path }}/*.parquet')

        ),

        -- from each file's footer, so a file without rows is listed too
        file_row_counts as (

            select
                parse_filename(file_name) as file_name,
                num_rows as row_count
            from parquet_file_metadata('{{ path }}/*.parquet')

        ),

        dataset_files as (

            select list({'name': file_name, 'row_count': row_count} order by file_name) as parquet_files
            from file_row_counts

        ),

        dataset_summary as (

            select
                count(*) as row_count,
                count(distinct ticker) as ticker_count,
                min(trade_date) as min_trade_date,
                max(trade_date) as max_trade_date
            from dataset

        ),

        -- its own aggregate: beside count(distinct) it is three times slower
        dataset_content as (

            -- one hash per row over all its columns (`*columns(*)` unpacks them as arguments)
            select coalesce(bit_xor(hash(*columns(*))), 0) as content_hash
            from dataset

        ),

        dataset_columns as (

            select list({'name': column_name, 'type': data_type} order by ordinal_position) as columns
            from information_schema.columns
            where
                table_catalog = '{{ relation.database }}'
                and table_schema = '{{ relation.schema }}'
                and table_name = '{{ relation.identifier }}'

        ),

        bronze_manifest as (

            select
                count(*) as bronze_file_count,
                md5(string_agg(
                    concat_ws('|', relative_path, loaded_fingerprint, typed_rows, rejected_lines),
                    chr(10) order by relative_path
                )) as bronze_manifest_fingerprint
            from {{ ref('bronze_file_manifest') }}
            where status <> 'MISSING'

        )

        select
            'ml_dataset_v1' as dataset,
            '{{ path.rsplit('/', 1)[-1] }}' as parquet_dataset,
            dataset_files.parquet_files,
            dataset_summary.row_count,
            dataset_summary.ticker_count,
            dataset_summary.min_trade_date,
            dataset_summary.max_trade_date,
            dataset_columns.columns,
            '{{ vars_json | replace("'", "''") }}'::json as dbt_vars,
            '{{ local_md5(vars_json) }}' as dbt_vars_md5,
            bronze_manifest.bronze_file_count,
            bronze_manifest.bronze_manifest_fingerprint,
            dataset_content.content_hash::varchar as content_hash
        from dataset_summary
        cross join dataset_content
        cross join dataset_files
        cross join dataset_columns
        cross join bronze_manifest
    ) to '{{ metadata_path }}' (format json)
{%- endmacro %}
