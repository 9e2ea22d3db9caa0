{{ config(materialized='view') }}

{#- The full base series: the stored columns of silver_base_bars plus the row-wise features,
    which are cheaper to compute when read than to write (about 0.3 s per column per 10M rows
    here; DESIGN §7). -#}

{%- set eps = var('silver_eps') -%}
{%- set tr_n = var('base_tr_sma_period') -%}
{%- set volume_n = var('base_volume_window') -%}
{%- set sma_periods = var('base_close_sma_periods') -%}

with

silver_base_bars as (

    select * from {{ ref('silver_base_bars') }}

),

final as (

    select
        ticker,
        trade_date,
        exchange,
        asset_type,
        open,
        high,
        low,
        close,
        volume,
        openint,
        quality_warn_count,
        source_file,
        source_line_no,
        bronze_loaded_at,
        row_number_in_ticker,
        gap_trading_days,
        is_after_long_gap,
        series_segment_no,
        row_number_in_segment,
        high - low as hl_range,
        close - open as body,
        abs(close - open) as body_abs,
        greatest(high - low, {{ eps }}) as range_safe,
        {{ silver_safe_div('close - open', 'greatest(high - low, ' ~ eps ~ ')') }} as body_to_range,
        {{ silver_safe_div('close - low', 'greatest(high - low, ' ~ eps ~ ')') }}
            as close_pos_in_range,
        {{ silver_safe_div('open - low', 'greatest(high - low, ' ~ eps ~ ')') }}
            as open_pos_in_range,
        (high + low + close) / 3 as hlc3,
        (open + high + low + close) / 4 as ohlc4,
        prev_close,
        {{ silver_safe_div('close', 'prev_close') }} - 1 as ret_1d,
        {%- for lag_rows in var('base_return_lags') %}
        ret_{{ lag_rows }}d,
        {%- endfor %}
        {{ silver_safe_div('open', 'prev_close') }} - 1 as gap_from_prev_close,
        tr,
        tr_sma_{{ tr_n }},
        {{ silver_safe_div('tr_sma_' ~ tr_n, 'close') }} as tr_sma_pct_{{ tr_n }},
        {{ silver_safe_div('high - low', 'close') }} as range_pct_close,
        close * volume as dollar_volume,
        vol_sma_{{ volume_n }},
        {{ silver_safe_div('volume', 'vol_sma_' ~ volume_n) }} as vol_ratio_{{ volume_n }},
        dollar_vol_sma_{{ volume_n }},
        volume_z_{{ volume_n }},
        high_{{ var('base_range_window') }},
        low_{{ var('base_range_window') }},
        {%- for period in sma_periods %}
        close_sma_{{ period }},
        {%- endfor %}
        {%- for period in sma_periods %}
        {{ silver_safe_div('close', 'close_sma_' ~ period) }} - 1 as close_vs_sma_{{ period }},
        {%- endfor %}
        {%- for period in var('base_warmup_periods') %}
        row_number_in_ticker >= {{ period }} as is_warmup_{{ period }}_complete,
        {%- endfor %}
        row_number_in_ticker >= {{ var('base_ready_warmup_period') }} as is_silver_ready_base
    from silver_base_bars

)

select * from final
