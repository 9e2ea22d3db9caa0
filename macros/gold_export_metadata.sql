{#- Post-hook after `gold_export_parquet`: write `<path without .parquet>.metadata.json`, one
    JSON object describing the Parquet file at `path`: row and ticker counts, date range, the
    columns with their types, the dbt vars that shape the rows (`dbt_vars`, and `dbt_vars_md5`
    of their sorted JSON), a fingerprint of the bronze file manifest (md5 over every present
    file's path, loaded size:mtime fingerprint and row counts) and a content hash of the rows
    (bit_xor of DuckDB row hashes, order independent). Nothing in it depends on the time of the
    run, so two exports of the same inputs with the same vars give the same file. -#}
{% macro gold_export_metadata(relation, path) -%}
    {{ return(adapter.dispatch('gold_export_metadata', 'market_warehouse')(relation, path)) }}
{%- endmacro %}

{% macro duckdb__gold_export_metadata(relation, path) -%}
    {#- Vars that decide which rows and values the dataset holds; paths are left out, so the
        same data exported to another place has the same hash. -#}
    {%- set var_names = [
        'max_gap_trading_days', 'silver_eps', 'tmf_period', 'tti_proxy_period', 'atr_period',
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

        dataset as (

            select * from read_parquet('{{ path }}')

        ),

        dataset_summary as (

            select
                count(*) as row_count,
                count(distinct ticker) as ticker_count,
                min(trade_date) as min_trade_date,
                max(trade_date) as max_trade_date,
                coalesce(bit_xor(hash(columns(*))), 0) as content_hash
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
            '{{ path.rsplit('/', 1)[-1] }}' as parquet_file,
            dataset_summary.row_count,
            dataset_summary.ticker_count,
            dataset_summary.min_trade_date,
            dataset_summary.max_trade_date,
            dataset_columns.columns,
            '{{ vars_json | replace("'", "''") }}'::json as dbt_vars,
            '{{ local_md5(vars_json) }}' as dbt_vars_md5,
            bronze_manifest.bronze_file_count,
            bronze_manifest.bronze_manifest_fingerprint,
            dataset_summary.content_hash::varchar as content_hash
        from dataset_summary
        cross join dataset_columns
        cross join bronze_manifest
    ) to '{{ metadata_path }}' (format json)
{%- endmacro %}
