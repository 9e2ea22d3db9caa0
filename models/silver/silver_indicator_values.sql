{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='ticker',
    on_schema_change='fail',
    post_hook="{{ delete_vanished_tickers(ref('silver_base_bars')) }}",
) }}

{#- Stored indicator values; `silver_indicators` adds the row-wise columns. Every indicator is
    computed per series segment (a ticker's rows between gaps of more than var
    `max_gap_trading_days` missing sessions), from row `bar_index` 0 of the segment, as if the
    segment were a series of its own: that is how the warm-up restarts after a long gap.
    Structure: one window pass for lags and rolling extremes, then one recursion that carries
    every smoother, running sum and short lag together (docs/silver.md). -#}

{%- set eps = var('silver_eps') -%}
{%- set ta_eps = var('talib_epsilon') -%}
{%- set tmf_n = var('tmf_period') -%}
{%- set tti_n = var('tti_proxy_period') -%}
{%- set tmf_ema_span = var('tmf_ema_span') -%}
{%- set sma_periods = var('sma_periods') -%}
{%- set ema_periods = var('ema_periods') -%}
{%- set rsi_n = var('rsi_period') -%}
{%- set atr_n = var('atr_period') -%}
{%- set macd_fast = [var('macd_fast_period'), var('macd_slow_period')] | min -%}
{%- set macd_slow = [var('macd_fast_period'), var('macd_slow_period')] | max -%}
{%- set macd_signal = var('macd_signal_period') -%}
{%- set macd_suffix = var('macd_fast_period') ~ '_' ~ var('macd_slow_period') ~ '_' ~ macd_signal -%}
{%- set bb_n = var('bbands_period') -%}
{%- set bb_k = var('bbands_nbdev') -%}
{%- set adx_n = var('adx_period') -%}
{%- set mfi_n = var('mfi_period') -%}
{%- set willr_n = var('willr_period') -%}
{%- set cci_n = var('cci_period') -%}
{%- set roc_n = var('roc_period') -%}
{%- set stoch_n = var('stoch_fastk_period') -%}
{%- set stoch_k_n = var('stoch_slowk_period') -%}
{%- set stoch_d_n = var('stoch_slowd_period') -%}
{%- set stoch_lookback = stoch_n - 1 + stoch_k_n - 1 + stoch_d_n - 1 -%}
{%- set sum_periods = (sma_periods + [bb_n]) | unique | list -%}
{%- set close_lags = (sum_periods + [roc_n]) | unique | list -%}
{%- set tp_lags = [cci_n - 1, mfi_n + 1] | max -%}
{%- set extreme_frames = [willr_n, stoch_n] | unique | list -%}
{%- set fast_k_lags = stoch_k_n + stoch_d_n - 2 -%}
{%- set macd_slow_state = ('ema_' ~ macd_slow) if macd_slow in ema_periods else 'macd_slow_ema' -%}

{#- The recursion carries states as of the current row. A value derived from states (TMF from
    the two Wilder means, DX from the Wilder sums, the MACD line) is not recomputed inside
    other states' expressions: a state that needs it (the TMF EMA, the ADX average, the MACD
    signal, short lags) runs one row behind, from the previous row's states, and the final
    select takes the last step. That keeps every per-row expression of the recursion short. -#}
{%- set tmf_prev = 'case when cur.bar_index - 1 >= ' ~ (tmf_n - 1) ~ ' then '
    ~ silver_safe_div('prev.ad_wilder', 'prev.volume_wilder', eps) ~ ' end' -%}
{%- set tti_prev = 'case when cur.bar_index - 1 >= ' ~ (tti_n - 1) ~ ' then '
    ~ silver_safe_div('prev.proxy_wilder', 'prev.proxy_den_wilder', eps) ~ ' end' -%}
{%- set macd_prev = 'case when cur.bar_index - 1 >= ' ~ (macd_slow - 1)
    ~ ' then prev.macd_fast_ema - prev.' ~ macd_slow_state ~ ' end' -%}
{%- set dx_prev = talib_dx('prev.adx_plus_dm_sum', 'prev.adx_minus_dm_sum', 'prev.adx_tr_sum',
    'cur.bar_index - 1', adx_n, ta_eps) -%}
{#- Inputs computed inside the recursion from columns it reads anyway (each input column costs
    the single-threaded recursion a gather per row): RSI's gain and loss from the close and the
    previous row's close, MFI's positive and negative flow from one signed flow, TMF's accumulation
    and the TTI proxy's numerator from one signed position. Same arithmetic as computing them
    before the recursion, so the same bits. -#}
{%- set price_gain = 'case when cur.close - prev.close >= 0 then cur.close - prev.close else 0.0 end' -%}
{%- set price_loss = 'case when cur.close - prev.close < 0 then prev.close - cur.close else 0.0 end' -%}
{%- set positive_part = 'case when {x} >= 0 then {x} else 0.0 end' -%}
{%- set negative_part = 'case when {x} < 0 then 0.0 - {x} else 0.0 end' -%}
{#- ta_MFI.c: a run of `mfi_n` bars without money flow empties the sums exactly. -#}
{%- set mfi_null_run_new = 'case when cur.bar_index = 0 then 0 when cur.signed_money_flow = 0'
    ~ ' then least(coalesce(prev.mfi_null_run, 0) + 1, ' ~ mfi_n ~ ') else 0 end' -%}

{%- set states = [
    {'name': 'ad_wilder', 'expression': first_value_ewm_step('cur.signed_position * cur.volume', 'prev.ad_wilder', tmf_n)},
    {'name': 'volume_wilder', 'expression': first_value_ewm_step('cur.volume', 'prev.volume_wilder', tmf_n)},
    {'name': 'proxy_wilder', 'expression': first_value_ewm_step('cur.signed_position * cur.true_range', 'prev.proxy_wilder', tti_n)},
    {'name': 'proxy_den_wilder', 'expression': first_value_ewm_step('cur.true_range', 'prev.proxy_den_wilder', tti_n)},
    {'name': 'tmf_lag_1', 'expression': tmf_prev},
    {'name': 'tti_lag_1', 'expression': tti_prev},
    {'name': 'tmf_ema_lag_1', 'expression': first_value_ewm_step(tmf_prev, 'prev.tmf_ema_lag_1', (tmf_ema_span + 1) / 2)},
    {'name': 'tmf_count_lag_1', 'type': 'integer',
     'expression': 'coalesce(prev.tmf_count_lag_1, 0) + ((' ~ tmf_prev ~ ') is not null)::integer'},
] -%}
{%- for lag_rows in range(2, 6) -%}
    {%- do states.append({'name': 'tmf_lag_' ~ lag_rows, 'expression': 'prev.tmf_lag_' ~ (lag_rows - 1)}) -%}
{%- endfor -%}
{%- for period in ema_periods -%}
    {%- do states.append({'name': 'ema_' ~ period,
        'expression': sma_seeded_ema_step('cur.close', 'prev.ema_' ~ period, 'cur.bar_index', period)}) -%}
{%- endfor -%}
{%- if macd_slow not in ema_periods -%}
    {%- do states.append({'name': 'macd_slow_ema', 'expression': sma_seeded_ema_step(
        'cur.close', 'prev.macd_slow_ema', 'cur.bar_index', macd_slow)}) -%}
{%- endif -%}
{%- for period in sum_periods -%}
    {%- do states.append({'name': 'close_sum_' ~ period, 'expression': running_window_sum_step(
        'cur.close', 'prev.close_sum_' ~ period, 'cur.close_lag_' ~ period)}) -%}
{%- endfor -%}
{%- for lag_rows in range(fast_k_lags + 1) -%}
    {%- do states.append({'name': 'fast_k_lag_' ~ lag_rows,
        'expression': 'cur.stoch_fast_k' if lag_rows == 0 else 'prev.fast_k_lag_' ~ (lag_rows - 1)}) -%}
{%- endfor -%}
{%- do states.extend([
    {'name': 'macd_fast_ema', 'expression': sma_seeded_ema_step(
        'cur.close', 'prev.macd_fast_ema', 'cur.bar_index', macd_fast, macd_slow - macd_fast)},
    {'name': 'macd_signal_lag_1', 'expression': sma_seeded_ema_step(
        macd_prev, 'prev.macd_signal_lag_1', 'cur.bar_index - 1', macd_signal, macd_slow - 1)},
    {'name': 'rsi_avg_gain', 'expression': wilder_average_step(price_gain, 'prev.rsi_avg_gain', 'cur.bar_index', rsi_n)},
    {'name': 'rsi_avg_loss', 'expression': wilder_average_step(price_loss, 'prev.rsi_avg_loss', 'cur.bar_index', rsi_n)},
    {'name': 'atr', 'expression': wilder_average_step('cur.true_range', 'prev.atr', 'cur.bar_index', atr_n)},
    {'name': 'adx_plus_dm_sum', 'expression': wilder_sum_step('cur.plus_dm', 'prev.adx_plus_dm_sum', 'cur.bar_index', adx_n)},
    {'name': 'adx_minus_dm_sum', 'expression': wilder_sum_step('cur.minus_dm', 'prev.adx_minus_dm_sum', 'cur.bar_index', adx_n)},
    {'name': 'adx_tr_sum', 'expression': wilder_sum_step('cur.true_range', 'prev.adx_tr_sum', 'cur.bar_index', adx_n)},
    {'name': 'adx_lag_1', 'expression': talib_adx_step(dx_prev, 'prev.adx_lag_1', 'cur.bar_index - 1', adx_n)},
    {'name': 'obv', 'expression':
        'case when prev.obv is null then cur.volume'
        ~ ' when cur.close > prev.close then prev.obv + cur.volume'
        ~ ' when cur.close < prev.close then prev.obv - cur.volume'
        ~ ' else prev.obv end'},
    {'name': 'mfi_null_run', 'type': 'integer', 'expression': mfi_null_run_new},
    {'name': 'mfi_positive_sum', 'expression':
        'case when (' ~ mfi_null_run_new ~ ') >= ' ~ mfi_n ~ ' then 0.0::double else '
        ~ running_window_sum_step(
            positive_part | replace('{x}', 'cur.signed_money_flow'), 'prev.mfi_positive_sum',
            positive_part | replace('{x}', 'cur.signed_money_flow_lag')) ~ ' end'},
    {'name': 'mfi_negative_sum', 'expression':
        'case when (' ~ mfi_null_run_new ~ ') >= ' ~ mfi_n ~ ' then 0.0::double else '
        ~ running_window_sum_step(
            negative_part | replace('{x}', 'cur.signed_money_flow'), 'prev.mfi_negative_sum',
            negative_part | replace('{x}', 'cur.signed_money_flow_lag')) ~ ' end'},
]) -%}
{#- The close is a state (its own value) rather than a carried column, so the next row reads
    the previous close as `prev.close` instead of an input column. -#}
{%- do states.append({'name': 'close', 'expression': 'cur.close'}) -%}
{%- set carried = ['trade_date', 'willr', 'cci', 'roc', 'bbands_stddev'] -%}

with

-- inlined: the ticker markers and the rows each read the table, cheaper than a kept copy
silver_base_bars as {{ inline_cte() }} (

    select
        ticker,
        trade_date,
        bronze_loaded_at,
        series_segment_no,
        row_number_in_segment,
        high,
        low,
        close,
        volume
    from {{ ref('silver_base_bars') }}

),

ticker_markers as (

    select
        ticker,
        max(bronze_loaded_at) as bronze_loaded_at,
        count(*) as row_count
    from silver_base_bars
    group by ticker

),

tickers_to_rebuild as (

    {{ tickers_to_rebuild('ticker_markers', this) }}

),

tickers as (

    select
        ticker_markers.ticker,
        ticker_markers.bronze_loaded_at,
        row_number() over (order by ticker_markers.ticker) as ticker_id
    from ticker_markers
    inner join tickers_to_rebuild
        on ticker_markers.ticker = tickers_to_rebuild.ticker

),

bars as (

    select
        tickers.ticker_id,
        silver_base_bars.trade_date,
        silver_base_bars.series_segment_no,
        silver_base_bars.row_number_in_segment,
        silver_base_bars.high,
        silver_base_bars.low,
        silver_base_bars.close,
        silver_base_bars.volume,
        -- one integer per (ticker, segment): windows partition by it (DESIGN §7)
        tickers.ticker_id * 100000 + silver_base_bars.series_segment_no as segment_key,
        silver_base_bars.row_number_in_segment - 1 as bar_index,
        -- TA-Lib's typical price: (high + low + close) / 3 in that order
        (silver_base_bars.high + silver_base_bars.low + silver_base_bars.close) / 3
            as typical_price
    from silver_base_bars
    inner join tickers
        on silver_base_bars.ticker = tickers.ticker

),

-- one window pass: every lag and rolling extreme the recursion and the outputs need
with_lags as (

    select
        *,
        lag(close) over by_segment as prev_close,
        lag(high) over by_segment as prev_high,
        lag(low) over by_segment as prev_low,
        {%- for lag_rows in close_lags %}
        lag(close, {{ lag_rows }}) over by_segment as close_lag_{{ lag_rows }},
        {%- endfor %}
        {%- for lag_rows in range(1, tp_lags + 1) %}
        lag(typical_price, {{ lag_rows }}) over by_segment as typical_price_lag_{{ lag_rows }},
        {%- endfor %}
        lag(volume, {{ mfi_n }}) over by_segment as volume_lag_{{ mfi_n }},
        case
            when bar_index >= {{ bb_n - 1 }}
                then {{ rolling_population_stddev('close', 'rows_' ~ bb_n ~ '_bbands') }}
        end as bbands_stddev,
        {%- for period in extreme_frames %}
        max(high) over rows_{{ period }} as highest_high_{{ period }},
        min(low) over rows_{{ period }} as lowest_low_{{ period }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from bars
    window
        by_segment as (partition by segment_key order by bar_index),
        rows_{{ bb_n }}_bbands as (
            partition by segment_key order by bar_index
            rows between {{ bb_n - 1 }} preceding and current row
        ),
        {%- for frame in extreme_frames %}
        rows_{{ frame }} as (
            partition by segment_key order by bar_index
            rows between {{ frame - 1 }} preceding and current row
        ){% if not loop.last %},{% endif %}
        {%- endfor %}

),

with_bar_terms as (

    select
        *,
        -- a segment's first bar has no previous close, so only its high - low (TA-Lib's ATR
        -- and ADX start after it; the TTI proxy uses it). DuckDB's greatest skips NULL terms;
        -- the coalesce says so for engines whose greatest returns NULL
        coalesce(
            greatest(high - low, abs(high - prev_close), abs(low - prev_close)),
            high - low
        ) as true_range,
        case
            when prev_low - low > 0 and high - prev_high < prev_low - low then prev_low - low
            else 0.0
        end as minus_dm,
        case
            when high - prev_high > 0 and high - prev_high > prev_low - low then high - prev_high
            else 0.0
        end as plus_dm,
        -- TMF v1 and TTI proxy v1 (REFERENCE Part A §4.2-4.3); the first bar uses its own range
        coalesce(greatest(high, prev_close), high) as trh,
        coalesce(least(low, prev_close), low) as trl,
        {{ talib_money_flow('typical_price', 'typical_price_lag_1', 'volume', ta_eps) }}
            as money_flow,
        {{ talib_money_flow(
            'typical_price_lag_' ~ mfi_n, 'typical_price_lag_' ~ (mfi_n + 1),
            'volume_lag_' ~ mfi_n, ta_eps
        ) }} as money_flow_lag,
        -- a range within TA-Lib 0.8's scaled zero band of its two extremes is flat: 0
        case
            when {{ talib_is_zero_scaled(
                'highest_high_' ~ stoch_n ~ ' - lowest_low_' ~ stoch_n,
                'abs(highest_high_' ~ stoch_n ~ ') + abs(lowest_low_' ~ stoch_n ~ ')', ta_eps
            ) }}
                then 0.0
            else (close - lowest_low_{{ stoch_n }})
                / ((highest_high_{{ stoch_n }} - lowest_low_{{ stoch_n }}) / 100.0)
        end as stoch_fast_k,
        case
            when bar_index < {{ willr_n - 1 }} then null
            when {{ talib_is_zero_scaled(
                'highest_high_' ~ willr_n ~ ' - lowest_low_' ~ willr_n,
                'abs(highest_high_' ~ willr_n ~ ') + abs(lowest_low_' ~ willr_n ~ ')', ta_eps
            ) }}
                then 0.0
            else (highest_high_{{ willr_n }} - close)
                / ((highest_high_{{ willr_n }} - lowest_low_{{ willr_n }}) * (-0.01))
        end as willr,
        {{ mean_of_lags('typical_price', 'typical_price_lag_', cci_n) }} as cci_mean,
        case
            when bar_index < {{ roc_n }} then null
            when close_lag_{{ roc_n }} != 0
                then ((close / close_lag_{{ roc_n }}) - 1.0) * 100.0
            else 0.0
        end as roc
    from with_lags

),

with_flow_terms as (

    select
        *,
        {{ talib_cci('typical_price', 'typical_price_lag_', cci_n, 'bar_index', 'cci_mean', ta_eps) }}
            as cci,
        -- the signed position of the close in the bar's true range (REFERENCE Part A §4):
        -- TMF's accumulation is it × volume, the TTI proxy's it × true range (both formed
        -- inside the recursion, which then reads one column instead of three)
        (2 * close - trh - trl) / greatest(trh - trl, {{ eps }}) as signed_position,
        -- TA-Lib's money flow with its direction as the sign (negative when the typical price
        -- fell); 0.0 - x keeps a zero flow +0.0
        case
            when typical_price < typical_price_lag_1 then 0.0 - money_flow else money_flow
        end as signed_money_flow,
        case
            when typical_price_lag_{{ mfi_n }} < typical_price_lag_{{ mfi_n + 1 }}
                then 0.0 - money_flow_lag
            else money_flow_lag
        end as signed_money_flow_lag
    from with_bar_terms

),

-- only what the recursion reads: its hash table holds every column of every row. Materialised
-- on purpose: the hash table is then built from these 18 columns, not from the 30+ of
-- with_lags that the engine would otherwise keep for the recursion's two references (a
-- quarter less CPU). Ordered by bar_index first, so the rows one iteration reads (one per
-- segment) sit together in the hash table (docs/silver.md)
recursion_inputs as {{ materialize_cte() }} (

    select
        segment_key,
        bar_index,
        trade_date,
        close,
        volume,
        {%- for lag_rows in sum_periods %}
        close_lag_{{ lag_rows }},
        {%- endfor %}
        true_range,
        plus_dm,
        minus_dm,
        signed_position,
        signed_money_flow,
        signed_money_flow_lag,
        stoch_fast_k,
        willr,
        cci,
        roc,
        bbands_stddev
    from with_flow_terms
    order by bar_index, segment_key

),

smoothed as (

    select *
    from {{ smoothing_recursion('recursion_inputs', 'segment_key', 'bar_index', states, carried) }}

),

-- the last step of the states that run one row behind
with_current_values as (

    select
        *,
        segment_key // 100000 as ticker_id,
        segment_key % 100000 as series_segment_no,
        bar_index + 1 as row_number_in_segment,
        case
            when bar_index >= {{ tmf_n - 1 }}
                then {{ silver_safe_div('ad_wilder', 'volume_wilder', eps) }}
        end as tmf_lag_0,
        case
            when bar_index >= {{ tti_n - 1 }}
                then {{ silver_safe_div('proxy_wilder', 'proxy_den_wilder', eps) }}
        end as tti_lag_0,
        case
            when bar_index >= {{ macd_slow - 1 }} then macd_fast_ema - {{ macd_slow_state }}
        end as macd_line,
        {{ talib_dx('adx_plus_dm_sum', 'adx_minus_dm_sum', 'adx_tr_sum', 'bar_index', adx_n, ta_eps) }}
            as dx
    from smoothed

),

with_current_averages as (

    select
        *,
        {{ first_value_ewm_step('tmf_lag_0', 'tmf_ema_lag_1', (tmf_ema_span + 1) / 2) }} as tmf_ema,
        tmf_count_lag_1 + (tmf_lag_0 is not null)::integer as tmf_ema_count,
        {{ sma_seeded_ema_step('macd_line', 'macd_signal_lag_1', 'bar_index', macd_signal, macd_slow - 1) }}
            as macd_signal_ema,
        {{ talib_adx_step('dx', 'adx_lag_1', 'bar_index', adx_n) }} as adx
    from with_current_values

),

final as (

    select
        tickers.ticker,
        smoothed.trade_date,
        tickers.bronze_loaded_at,
        smoothed.series_segment_no,
        smoothed.row_number_in_segment,
        case when smoothed.bar_index >= {{ tmf_n - 1 }} then smoothed.ad_wilder end
            as ad_wilder_{{ tmf_n }},
        case when smoothed.bar_index >= {{ tmf_n - 1 }} then smoothed.volume_wilder end
            as volume_wilder_{{ tmf_n }},
        case when smoothed.bar_index >= {{ tti_n - 1 }} then smoothed.proxy_wilder end
            as proxy_wilder_{{ tti_n }},
        case when smoothed.bar_index >= {{ tti_n - 1 }} then smoothed.proxy_den_wilder end
            as proxy_den_wilder_{{ tti_n }},
        smoothed.tmf_lag_0 as tmf_{{ tmf_n }},
        smoothed.tmf_lag_0 - smoothed.tmf_lag_1 as tmf_slope_1,
        smoothed.tmf_lag_0 - smoothed.tmf_lag_5 as tmf_slope_5,
        case
            when smoothed.tmf_lag_0 is not null and smoothed.tmf_ema_count >= {{ tmf_ema_span }}
                then smoothed.tmf_ema
        end as tmf_ema_{{ tmf_ema_span }},
        coalesce(smoothed.tmf_lag_0 > 0 and smoothed.tmf_lag_1 <= 0, false)
            as is_tmf_zero_cross_up,
        coalesce(smoothed.tmf_lag_0 < 0 and smoothed.tmf_lag_1 >= 0, false)
            as is_tmf_zero_cross_down,
        coalesce(
            smoothed.tmf_lag_0 > 0
            and smoothed.tmf_lag_0 - smoothed.tmf_lag_1 > 0
            and smoothed.tmf_lag_1 < smoothed.tmf_lag_2,
            false
        ) as is_tmf_respect_zero_up_candidate,
        coalesce(
            smoothed.tmf_lag_0 < 0
            and smoothed.tmf_lag_0 - smoothed.tmf_lag_1 < 0
            and smoothed.tmf_lag_1 > smoothed.tmf_lag_2,
            false
        ) as is_tmf_respect_zero_down_candidate,
        smoothed.tti_lag_0 as tti_proxy_v1_{{ tti_n }},
        coalesce(smoothed.tti_lag_0 > 0 and smoothed.tti_lag_1 <= 0, false)
            as is_tti_proxy_zero_cross_up,
        coalesce(smoothed.tti_lag_0 < 0 and smoothed.tti_lag_1 >= 0, false)
            as is_tti_proxy_zero_cross_down,
        {%- for period in sma_periods %}
        case
            when smoothed.bar_index >= {{ period - 1 }}
                then smoothed.close_sum_{{ period }} / {{ period }}
        end as sma_{{ period }},
        {%- endfor %}
        {%- for period in ema_periods %}
        case when smoothed.bar_index >= {{ period - 1 }} then smoothed.ema_{{ period }} end
            as ema_{{ period }},
        {%- endfor %}
        case
            when smoothed.bar_index < {{ rsi_n }} then null
            when abs(smoothed.rsi_avg_gain + smoothed.rsi_avg_loss) < {{ ta_eps }} then 0.0
            else 100.0 * (smoothed.rsi_avg_gain / (smoothed.rsi_avg_gain + smoothed.rsi_avg_loss))
        end as rsi_{{ rsi_n }},
        case when smoothed.bar_index >= {{ atr_n }} then smoothed.atr end as atr_{{ atr_n }},
        case
            when smoothed.bar_index < {{ atr_n }} then null
            when abs(smoothed.close) < {{ ta_eps }} then 0.0
            else (smoothed.atr / smoothed.close) * 100.0
        end as natr_{{ atr_n }},
        case
            when smoothed.bar_index >= {{ macd_slow + macd_signal - 2 }}
                then smoothed.macd_line
        end as macd_{{ macd_suffix }},
        case
            when smoothed.bar_index >= {{ macd_slow + macd_signal - 2 }}
                then smoothed.macd_signal_ema
        end as macd_signal_{{ macd_suffix }},
        case
            when smoothed.bar_index >= {{ bb_n - 1 }}
                then smoothed.close_sum_{{ bb_n }} / {{ bb_n }}
        end as bbands_middle_{{ bb_n }}_{{ bb_k }},
        smoothed.bbands_stddev as bbands_stddev_{{ bb_n }},
        case when smoothed.bar_index >= {{ 2 * adx_n - 1 }} then smoothed.adx end
            as adx_{{ adx_n }},
        case
            when smoothed.bar_index < {{ adx_n }} then null
            when abs(smoothed.adx_tr_sum) < {{ ta_eps }} then 0.0
            else 100.0 * (smoothed.adx_plus_dm_sum / smoothed.adx_tr_sum)
        end as plus_di_{{ adx_n }},
        case
            when smoothed.bar_index < {{ adx_n }} then null
            when abs(smoothed.adx_tr_sum) < {{ ta_eps }} then 0.0
            else 100.0 * (smoothed.adx_minus_dm_sum / smoothed.adx_tr_sum)
        end as minus_di_{{ adx_n }},
        smoothed.obv,
        case
            when smoothed.bar_index < {{ mfi_n }} then null
            when smoothed.mfi_positive_sum + smoothed.mfi_negative_sum <= 0 then 0.0
            else 100.0 * (
                least(greatest(smoothed.mfi_positive_sum, 0.0),
                    smoothed.mfi_positive_sum + smoothed.mfi_negative_sum)
                / (smoothed.mfi_positive_sum + smoothed.mfi_negative_sum)
            )
        end as mfi_{{ mfi_n }},
        smoothed.willr as willr_{{ willr_n }},
        smoothed.cci as cci_{{ cci_n }},
        smoothed.roc as roc_{{ roc_n }},
        case
            when smoothed.bar_index >= {{ stoch_lookback }}
                then ({% for lag_rows in range(stoch_k_n) %}{% if not loop.first %} + {% endif %}smoothed.fast_k_lag_{{ lag_rows }}{% endfor %}) / {{ stoch_k_n }}
        end as stoch_k_{{ stoch_n }}_{{ stoch_k_n }},
        case
            when smoothed.bar_index >= {{ stoch_lookback }}
                then (
                    {%- for d_lag in range(stoch_d_n) %}
                    {% if not loop.first %}+ {% endif %}({% for lag_rows in range(d_lag, d_lag + stoch_k_n) %}{% if not loop.first %} + {% endif %}smoothed.fast_k_lag_{{ lag_rows }}{% endfor %}) / {{ stoch_k_n }}
                    {%- endfor %}
                ) / {{ stoch_d_n }}
        end as stoch_d_{{ stoch_n }}_{{ stoch_d_n }}
    from with_current_averages as smoothed
    inner join tickers
        on smoothed.ticker_id = tickers.ticker_id

)

select * from final
