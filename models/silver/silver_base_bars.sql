{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='ticker',
    on_schema_change='fail',
    post_hook="{{ delete_vanished_tickers(ref('bronze_valid_bars')) }}",
) }}

{%- set eps = var('silver_eps') -%}
{%- set tr_n = var('base_tr_sma_period') -%}
{%- set volume_n = var('base_volume_window') -%}
{%- set range_n = var('base_range_window') -%}
{%- set sma_periods = var('base_close_sma_periods') -%}
{%- set return_lags = var('base_return_lags') -%}
{%- set close_lags = return_lags | unique | list -%}
{%- set max_price = var('max_valid_price') -%}
{%- set max_volume = var('max_valid_volume') -%}
{%- set is_after_long_gap = 'coalesce(gap_trading_days > ' ~ var('max_gap_trading_days') ~ ', false)' -%}

{#- Rolling sums are windowed sums of integers (`exact_window_sum`): DuckDB's windowed DOUBLE
    sums depend on how rows fall into its hash partitions, integer sums do not, so an
    incremental run equals a full refresh bit for bit (docs/silver.md). Each sum's scale is a
    constant from bronze's validity bounds (a true range is at most twice the largest price). -#}
{%- set close_exponent = exact_sum_exponent(max_price, sma_periods | max) -%}
{%- set tr_exponent = exact_sum_exponent(2 * max_price, tr_n) -%}
{%- set volume_exponent = exact_sum_exponent(max_volume, volume_n) -%}
{%- set volume_sq_exponent = exact_sum_exponent(max_volume * max_volume, volume_n) -%}
{%- set dollar_volume_exponent = exact_sum_exponent(max_price * max_volume, volume_n) -%}
with

-- inlined: the ticker markers and the rows each read the table, cheaper than a kept copy
bronze_valid_bars as {{ inline_cte() }} (

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

-- bronze_valid_bars takes each ticker from one file, so these are constant per ticker
ticker_markers as (

    select
        ticker,
        max(loaded_at) as bronze_loaded_at,
        count(*) as row_count,
        any_value(exchange) as exchange,
        any_value(asset_type) as asset_type,
        any_value(source_file) as source_file
    from bronze_valid_bars
    group by ticker

),

tickers_to_rebuild as (

    {{ tickers_to_rebuild('ticker_markers', this) }}

),

-- an integer key partitions windows faster than the VARCHAR ticker (DESIGN §7); the strings
-- come back from this small table at the end
tickers as (

    select
        ticker_markers.*,
        row_number() over (order by ticker_markers.ticker) as ticker_id
    from ticker_markers
    inner join tickers_to_rebuild
        on ticker_markers.ticker = tickers_to_rebuild.ticker

),

bars as (

    select
        tickers.ticker_id,
        bronze_valid_bars.trade_date,
        bronze_valid_bars.open,
        bronze_valid_bars.high,
        bronze_valid_bars.low,
        bronze_valid_bars.close,
        bronze_valid_bars.volume,
        bronze_valid_bars.openint,
        bronze_valid_bars.quality_warn_count,
        bronze_valid_bars.source_line_no,
        silver_xnys_calendar.xnys_sessions_through,
        silver_xnys_calendar.xnys_sessions_through
        - silver_xnys_calendar.is_xnys_session::integer as xnys_sessions_before
    from bronze_valid_bars
    inner join tickers
        on bronze_valid_bars.ticker = tickers.ticker
    left join silver_xnys_calendar
        on bronze_valid_bars.trade_date = silver_xnys_calendar.calendar_date

),

-- first window pass: what the true range and the segment rule need
with_previous as (

    select
        *,
        row_number() over by_ticker - 1 as row_index,
        lag(close) over by_ticker as prev_close,
        xnys_sessions_before - lag(xnys_sessions_through) over by_ticker as gap_trading_days
    from bars
    window by_ticker as (partition by ticker_id order by trade_date)

),

with_true_range as (

    -- not the session counts: they are spent, and the second window pass sorts every column
    -- it is given (2 s of the model's 18 s)
    select
        ticker_id,
        trade_date,
        row_index,
        open,
        high,
        low,
        close,
        volume,
        openint,
        quality_warn_count,
        source_line_no,
        prev_close,
        gap_trading_days,
        -- NULL terms are ignored, so the first row's true range is its high - low
        greatest(high - low, abs(high - prev_close), abs(low - prev_close)) as tr,
        {{ is_after_long_gap }} as is_after_long_gap,
        row_index = 0 or {{ is_after_long_gap }} as is_segment_start
    from with_previous

),

-- the first row of each segment and the segment's number: a few rows per ticker
segment_starts as (

    select
        ticker_id,
        row_index as segment_start_index,
        row_number() over (partition by ticker_id order by row_index) as series_segment_no
    from with_true_range
    where is_segment_start

),

-- second window pass: lags, rolling extremes and sums, where the segment began
with_windows as (

    select
        *,
        {%- for lag_rows in close_lags %}
        lag(close, {{ lag_rows }}) over by_ticker as close_lag_{{ lag_rows }},
        {%- endfor %}
        max(high) over rows_range as high_{{ range_n }},
        min(low) over rows_range as low_{{ range_n }},
        max(volume) over rows_volume as volume_max,
        min(volume) over rows_volume as volume_min,
        {%- for period in sma_periods %}
        {{ exact_window_sum(
            'close', close_exponent,
            '(by_ticker rows between ' ~ (period - 1) ~ ' preceding and current row)'
        ) }} as close_sum_{{ period }},
        {%- endfor %}
        {{ exact_window_sum('volume', volume_exponent, 'rows_volume') }} as volume_sum,
        {{ exact_window_sum('volume * volume', volume_sq_exponent, 'rows_volume') }}
            as volume_sq_sum,
        {{ exact_window_sum('close * volume', dollar_volume_exponent, 'rows_volume') }}
            as dollar_volume_sum,
        {{ exact_window_sum('tr', tr_exponent, 'rows_tr') }} as tr_sum,
        {{ last_non_null('case when is_segment_start then row_index end', 'rows_to_date') }}
            as segment_start_index
    from with_true_range
    window
        by_ticker as (partition by ticker_id order by row_index),
        rows_to_date as (by_ticker rows between unbounded preceding and current row),
        rows_range as (by_ticker rows between {{ range_n - 1 }} preceding and current row),
        rows_volume as (by_ticker rows between {{ volume_n - 1 }} preceding and current row),
        rows_tr as (by_ticker rows between {{ tr_n - 1 }} preceding and current row)

),

final as (

    select
        tickers.ticker,
        bars.trade_date,
        tickers.exchange,
        tickers.asset_type,
        bars.open,
        bars.high,
        bars.low,
        bars.close,
        bars.volume,
        bars.openint,
        bars.quality_warn_count,
        tickers.source_file,
        bars.source_line_no,
        tickers.bronze_loaded_at,
        bars.row_index + 1 as row_number_in_ticker,
        bars.gap_trading_days,
        bars.is_after_long_gap,
        segment_starts.series_segment_no,
        bars.row_index - bars.segment_start_index + 1 as row_number_in_segment,
        bars.prev_close,
        {%- for lag_rows in return_lags %}
        {{ silver_safe_div('bars.close', 'bars.close_lag_' ~ lag_rows) }} - 1 as ret_{{ lag_rows }}d,
        {%- endfor %}
        bars.tr,
        case when bars.row_index >= {{ tr_n - 1 }} then bars.tr_sum / {{ tr_n }} end
            as tr_sma_{{ tr_n }},
        case when bars.row_index >= {{ volume_n - 1 }} then bars.volume_sum / {{ volume_n }} end
            as vol_sma_{{ volume_n }},
        case
            when bars.row_index >= {{ volume_n - 1 }} then bars.dollar_volume_sum / {{ volume_n }}
        end as dollar_vol_sma_{{ volume_n }},
        case
            when bars.row_index < {{ volume_n - 1 }} then null
            -- a window of equal volumes has no spread: NULL, not rounding residue
            when bars.volume_max = bars.volume_min then null
            else {{ silver_safe_div(
                'bars.volume - bars.volume_sum / ' ~ volume_n,
                'sqrt(greatest(bars.volume_sq_sum / ' ~ volume_n
                ~ ' - (bars.volume_sum / ' ~ volume_n ~ ') * (bars.volume_sum / '
                ~ volume_n ~ '), 0))'
            ) }}
        end as volume_z_{{ volume_n }},
        case when bars.row_index >= {{ range_n - 1 }} then bars.high_{{ range_n }} end
            as high_{{ range_n }},
        case when bars.row_index >= {{ range_n - 1 }} then bars.low_{{ range_n }} end
            as low_{{ range_n }},
        {%- for period in sma_periods %}
        case
            when bars.row_index >= {{ period - 1 }} then bars.close_sum_{{ period }} / {{ period }}
        end as close_sma_{{ period }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from with_windows as bars
    inner join tickers
        on bars.ticker_id = tickers.ticker_id
    inner join segment_starts
        on
            bars.ticker_id = segment_starts.ticker_id
            and bars.segment_start_index = segment_starts.segment_start_index

)

select * from final
