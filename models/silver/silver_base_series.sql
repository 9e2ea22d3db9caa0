{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='ticker',
    on_schema_change='fail',
    post_hook="{{ silver_delete_vanished_tickers(ref('bronze_valid_bars')) }}",
) }}

{%- set eps = var('silver_eps') -%}
{%- set tr_period = var('base_tr_sma_period') -%}
{%- set volume_window = var('base_volume_window') -%}
{%- set range_window = var('base_range_window') -%}
{%- set sma_periods = var('base_close_sma_periods') -%}
{%- set frames = ([tr_period, volume_window, range_window] + sma_periods) | unique | list -%}

with

bronze_valid_bars as (

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
        coalesce(quality_warn_count, 0) as quality_warn_count,
        source_file,
        source_line_no,
        loaded_at
    from {{ ref('bronze_valid_bars') }}

),

silver_xnys_calendar as (

    select * from {{ ref('silver_xnys_calendar') }}

),

ticker_markers as (

    select
        ticker,
        max(loaded_at) as bronze_loaded_at,
        count(*) as row_count
    from bronze_valid_bars
    group by ticker

),

{% if is_incremental() %}

tickers_to_rebuild as (

    {{ silver_tickers_to_rebuild('ticker_markers', this) }}

),

{% else %}

tickers_to_rebuild as (

    select ticker from ticker_markers

),

{% endif %}

-- an integer key partitions windows faster than the VARCHAR ticker (DESIGN §7)
ticker_ids as (

    select
        ticker_markers.ticker,
        ticker_markers.bronze_loaded_at,
        row_number() over (order by ticker_markers.ticker) as ticker_id
    from ticker_markers
    inner join tickers_to_rebuild
        on ticker_markers.ticker = tickers_to_rebuild.ticker

),

bars_with_sessions as (

    select
        bronze_valid_bars.*,
        ticker_ids.ticker_id,
        ticker_ids.bronze_loaded_at,
        silver_xnys_calendar.xnys_sessions_through,
        silver_xnys_calendar.xnys_sessions_through
        - silver_xnys_calendar.is_xnys_session::integer as xnys_sessions_before
    from bronze_valid_bars
    inner join ticker_ids
        on bronze_valid_bars.ticker = ticker_ids.ticker
    left join silver_xnys_calendar
        on bronze_valid_bars.trade_date = silver_xnys_calendar.calendar_date

),

with_lags_and_windows as (

    select
        *,
        row_number() over by_ticker as row_number_in_ticker,
        lag(close) over by_ticker as prev_close,
        {%- for lag_rows in var('base_return_lags') %}
        lag(close, {{ lag_rows }}) over by_ticker as close_lag_{{ lag_rows }},
        {%- endfor %}
        xnys_sessions_before
        - lag(xnys_sessions_through) over by_ticker as gap_trading_days,
        {{ exact_rolling_sum('volume', 'rows_' ~ volume_window) }} as volume_sum_{{ volume_window }},
        {{ exact_rolling_sum('volume * volume', 'rows_' ~ volume_window, 46) }}
            as volume_sq_sum_{{ volume_window }},
        {{ exact_rolling_sum('close * volume', 'rows_' ~ volume_window) }}
            as dollar_volume_sum_{{ volume_window }},
        max(volume) over rows_{{ volume_window }} as volume_max_{{ volume_window }},
        min(volume) over rows_{{ volume_window }} as volume_min_{{ volume_window }},
        max(high) over rows_{{ range_window }} as high_{{ range_window }},
        min(low) over rows_{{ range_window }} as low_{{ range_window }},
        {%- for period in sma_periods %}
        {{ exact_rolling_sum('close', 'rows_' ~ period) }} as close_sum_{{ period }},
        {%- endfor %}
    from bars_with_sessions
    window
        by_ticker as (partition by ticker_id order by trade_date),
        {%- for frame in frames %}
        rows_{{ frame }} as (
            partition by ticker_id order by trade_date
            rows between {{ frame - 1 }} preceding and current row
        ){% if not loop.last %},{% endif %}
        {%- endfor %}

),

with_true_range as (

    select
        *,
        -- NULL terms are ignored, so the first row's true range is its high - low
        greatest(
            high - low,
            abs(high - prev_close),
            abs(low - prev_close)
        ) as tr,
        coalesce(gap_trading_days > {{ var('max_gap_trading_days') }}, false) as is_after_long_gap
    from with_lags_and_windows

),

with_true_range_average as (

    select
        *,
        {{ exact_rolling_sum('tr', 'rows_' ~ tr_period) }} as tr_sum_{{ tr_period }},
        1 + count_if(is_after_long_gap) over running as series_segment_no,
        -- 1-based row of the latest segment start (the first row, or a row after a long gap)
        last_value(
            case when row_number_in_ticker = 1 or is_after_long_gap then row_number_in_ticker end
            ignore nulls
        ) over running as segment_start_row
    from with_true_range
    window
        running as (
            partition by ticker_id order by trade_date
            rows between unbounded preceding and current row
        ),
        rows_{{ tr_period }} as (
            partition by ticker_id order by trade_date
            rows between {{ tr_period - 1 }} preceding and current row
        )

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
        row_number_in_ticker - segment_start_row + 1 as row_number_in_segment,
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
        {{ silver_safe_div('close', 'close_lag_' ~ lag_rows) }} - 1 as ret_{{ lag_rows }}d,
        {%- endfor %}
        {{ silver_safe_div('open', 'prev_close') }} - 1 as gap_from_prev_close,
        tr,
        case
            when row_number_in_ticker >= {{ tr_period }}
                then tr_sum_{{ tr_period }} / {{ tr_period }}
        end as tr_sma_{{ tr_period }},
        {{ silver_safe_div(
            'case when row_number_in_ticker >= ' ~ tr_period ~ ' then tr_sum_' ~ tr_period
            ~ ' / ' ~ tr_period ~ ' end',
            'close'
        ) }} as tr_sma_pct_{{ tr_period }},
        {{ silver_safe_div('high - low', 'close') }} as range_pct_close,
        close * volume as dollar_volume,
        case
            when row_number_in_ticker >= {{ volume_window }}
                then volume_sum_{{ volume_window }} / {{ volume_window }}
        end as vol_sma_{{ volume_window }},
        {{ silver_safe_div(
            'volume',
            'case when row_number_in_ticker >= ' ~ volume_window ~ ' then volume_sum_'
            ~ volume_window ~ ' / ' ~ volume_window ~ ' end'
        ) }} as vol_ratio_{{ volume_window }},
        case
            when row_number_in_ticker >= {{ volume_window }}
                then dollar_volume_sum_{{ volume_window }} / {{ volume_window }}
        end as dollar_vol_sma_{{ volume_window }},
        case
            when row_number_in_ticker < {{ volume_window }} then null
            -- a constant window has no spread: exactly 0, not rounding residue
            when volume_max_{{ volume_window }} = volume_min_{{ volume_window }} then null
            else {{ silver_safe_div(
                'volume - volume_sum_' ~ volume_window ~ ' / ' ~ volume_window,
                'sqrt(greatest(volume_sq_sum_' ~ volume_window ~ ' / ' ~ volume_window
                ~ ' - pow(volume_sum_' ~ volume_window ~ ' / ' ~ volume_window ~ ', 2), 0))'
            ) }}
        end as volume_z_{{ volume_window }},
        case when row_number_in_ticker >= {{ range_window }} then high_{{ range_window }} end
            as high_{{ range_window }},
        case when row_number_in_ticker >= {{ range_window }} then low_{{ range_window }} end
            as low_{{ range_window }},
        {%- for period in sma_periods %}
        case
            when row_number_in_ticker >= {{ period }} then close_sum_{{ period }} / {{ period }}
        end as close_sma_{{ period }},
        {%- endfor %}
        {%- for period in sma_periods %}
        {{ silver_safe_div(
            'close',
            'case when row_number_in_ticker >= ' ~ period ~ ' then close_sum_' ~ period
            ~ ' / ' ~ period ~ ' end'
        ) }} - 1 as close_vs_sma_{{ period }},
        {%- endfor %}
        {%- for period in var('base_warmup_periods') %}
        row_number_in_ticker >= {{ period }} as is_warmup_{{ period }}_complete,
        {%- endfor %}
        row_number_in_ticker >= {{ var('base_ready_warmup_period') }} as is_silver_ready_base
    from with_true_range_average

)

select * from final
