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
{%- set close_lags = (return_lags + sma_periods + [volume_n, tr_n + 1]) | unique | list -%}

{#- Running window sums advance with the row, so one recursion carries them all, together with
    the segment counters (docs/silver.md); the columns the final select needs ride along. -#}
{%- set states = [] -%}
{%- for period in sma_periods -%}
    {%- do states.append({'name': 'close_sum_' ~ period, 'expression': running_window_sum_step(
        'cur.close', 'prev.close_sum_' ~ period, 'cur.close_lag_' ~ period)}) -%}
{%- endfor -%}
{%- do states.extend([
    {'name': 'volume_sum', 'expression': running_window_sum_step(
        'cur.volume', 'prev.volume_sum', 'cur.volume_lag')},
    {'name': 'volume_sq_sum', 'expression': running_window_sum_step(
        'cur.volume * cur.volume', 'prev.volume_sq_sum', 'cur.volume_lag * cur.volume_lag')},
    {'name': 'dollar_volume_sum', 'expression': running_window_sum_step(
        'cur.close * cur.volume', 'prev.dollar_volume_sum',
        'cur.close_lag_' ~ volume_n ~ ' * cur.volume_lag')},
    {'name': 'tr_sum', 'expression': running_window_sum_step('cur.tr', 'prev.tr_sum', 'cur.tr_lag')},
    {'name': 'equal_volume_run', 'type': 'integer',
     'expression': 'case when cur.volume = cur.prev_volume then prev.equal_volume_run + 1 else 1 end'},
    {'name': 'series_segment_no', 'type': 'integer',
     'expression': 'coalesce(prev.series_segment_no, 0)'
        ~ ' + case when cur.row_index = 0 or cur.is_after_long_gap then 1 else 0 end'},
    {'name': 'row_number_in_segment', 'type': 'integer',
     'expression': 'case when cur.row_index = 0 or cur.is_after_long_gap then 1'
        ~ ' else prev.row_number_in_segment + 1 end'},
]) -%}
{%- set carried = ['trade_date', 'open', 'high', 'low', 'close', 'volume', 'openint',
    'quality_warn_count', 'source_line_no', 'gap_trading_days', 'is_after_long_gap',
    'prev_close', 'tr', 'high_' ~ range_n, 'low_' ~ range_n] -%}
{%- for lag_rows in return_lags -%}
    {%- do carried.append('close_lag_' ~ lag_rows) -%}
{%- endfor -%}

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

-- one window pass: every lag and rolling extreme the rows need
with_lags as (

    select
        *,
        row_number() over by_ticker - 1 as row_index,
        lag(close) over by_ticker as prev_close,
        lag(volume) over by_ticker as prev_volume,
        {%- for lag_rows in close_lags %}
        lag(close, {{ lag_rows }}) over by_ticker as close_lag_{{ lag_rows }},
        {%- endfor %}
        lag(volume, {{ volume_n }}) over by_ticker as volume_lag,
        lag(high, {{ tr_n }}) over by_ticker as high_lag_tr,
        lag(low, {{ tr_n }}) over by_ticker as low_lag_tr,
        xnys_sessions_before - lag(xnys_sessions_through) over by_ticker as gap_trading_days,
        max(high) over rows_range as high_{{ range_n }},
        min(low) over rows_range as low_{{ range_n }}
    from bars
    window
        by_ticker as (partition by ticker_id order by trade_date),
        rows_range as (
            partition by ticker_id order by trade_date
            rows between {{ range_n - 1 }} preceding and current row
        )

),

with_true_range as (

    select
        *,
        -- NULL terms are ignored, so the first row's true range is its high - low
        greatest(high - low, abs(high - prev_close), abs(low - prev_close)) as tr,
        -- the true range that leaves the window on this row
        greatest(
            high_lag_tr - low_lag_tr,
            abs(high_lag_tr - close_lag_{{ tr_n + 1 }}),
            abs(low_lag_tr - close_lag_{{ tr_n + 1 }})
        ) as tr_lag,
        coalesce(gap_trading_days > {{ var('max_gap_trading_days') }}, false) as is_after_long_gap
    from with_lags

),

-- only what the recursion reads and carries: its hash table holds every column of every row
recursion_inputs as (

    select
        ticker_id,
        row_index,
        {%- for column in carried %}
        {{ column }},
        {%- endfor %}
        prev_volume,
        volume_lag,
        {%- for lag_rows in (sma_periods + [volume_n]) | unique %}
        {%- if 'close_lag_' ~ lag_rows not in carried %}
        close_lag_{{ lag_rows }},
        {%- endif %}
        {%- endfor %}
        tr_lag
    from with_true_range

),

running_sums as (

    select *
    from {{ smoothing_recursion('recursion_inputs', 'ticker_id', 'row_index', states, carried) }}

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
        bars.series_segment_no,
        bars.row_number_in_segment,
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
            when bars.equal_volume_run >= {{ volume_n }} then null
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
    from running_sums as bars
    inner join tickers
        on bars.ticker_id = tickers.ticker_id

)

select * from final
