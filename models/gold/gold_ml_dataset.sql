{{ config(
    materialized='view',
    post_hook=[
        "{{ gold_export_parquet(this, gold_dataset_export_path()) if var('ml_dataset_export') else 'select 1' }}",
        "{{ gold_export_metadata(this, gold_dataset_export_path()) if var('ml_dataset_export') else 'select 1' }}",
    ],
) }}

{#- The ML dataset: identity, prices, the indicators researchers start from, every feature and
    every label of one (ticker, trade_date), filtered by the `ml_dataset_*` vars. A view (the
    tables it joins are already materialised); the post-hooks write it to Parquet with a
    metadata JSON beside it (docs/gold.md). -#}

{%- set tmf_n = var('tmf_period') -%}
{%- set tti_n = var('tti_proxy_period') -%}
{%- set atr_n = var('atr_period') -%}
{%- set start_date = var('ml_dataset_start_date') -%}
{%- set end_date = var('ml_dataset_end_date') -%}
{%- set tickers = var('ml_dataset_tickers') %}

-- the metadata post-hook fingerprints the bronze manifest:
-- depends_on: {{ ref('bronze_file_manifest') }}

with

silver_base_series as (

    select
        ticker,
        trade_date,
        exchange,
        open,
        high,
        low,
        close,
        volume,
        dollar_volume,
        quality_warn_count
    from {{ ref('silver_base_series') }}

),

silver_indicators as (

    select
        ticker,
        trade_date,
        is_tmf_ready_{{ tmf_n }},
        tmf_{{ tmf_n }},
        tmf_abs,
        tmf_slope_1,
        tmf_slope_5,
        tti_proxy_v1_{{ tti_n }},
        atr_{{ atr_n }},
        atr_pct_{{ atr_n }}
    from {{ ref('silver_indicators') }}

),

gold_features as (

    select * from {{ ref('gold_features') }}

),

gold_labels as (

    select * exclude (bronze_loaded_at) from {{ ref('gold_labels') }}

),

joined as (

    select
        gold_features.ticker,
        silver_base_series.exchange,
        gold_features.trade_date,
        gold_features.series_segment_no,
        gold_features.row_number_in_segment,
        silver_base_series.open,
        silver_base_series.high,
        silver_base_series.low,
        silver_base_series.close,
        silver_base_series.volume,
        silver_base_series.dollar_volume,
        silver_base_series.quality_warn_count,
        silver_indicators.is_tmf_ready_{{ tmf_n }},
        silver_indicators.tmf_{{ tmf_n }},
        silver_indicators.tmf_abs,
        silver_indicators.tmf_slope_1,
        silver_indicators.tmf_slope_5,
        silver_indicators.tti_proxy_v1_{{ tti_n }},
        silver_indicators.atr_{{ atr_n }},
        silver_indicators.atr_pct_{{ atr_n }},
        -- the excluded names are the star's own columns, not ambiguous references
        gold_features.* exclude (ticker, trade_date, series_segment_no, row_number_in_segment),  -- noqa: RF02
        gold_labels.* exclude (ticker, trade_date)  -- noqa: RF02
    from gold_features
    inner join silver_base_series
        on
            gold_features.ticker = silver_base_series.ticker
            and gold_features.trade_date = silver_base_series.trade_date
    inner join silver_indicators
        on
            gold_features.ticker = silver_indicators.ticker
            and gold_features.trade_date = silver_indicators.trade_date
    inner join gold_labels
        on
            gold_features.ticker = gold_labels.ticker
            and gold_features.trade_date = gold_labels.trade_date

),

final as (

    select * from joined
    where
        true
        {%- if start_date %}
        and trade_date >= '{{ start_date }}'::date
        {%- endif %}
        {%- if end_date %}
        and trade_date <= '{{ end_date }}'::date
        {%- endif %}
        {%- if tickers | length > 0 %}
        and ticker in ({{ sql_string_list(tickers) }})
        {%- endif %}
        {%- if var('ml_dataset_require_tmf_ready') %}
        -- warm-up bars carry no flow information (every state is S0 there)
        and is_tmf_ready_{{ tmf_n }}
        {%- endif %}

)

select * from final
