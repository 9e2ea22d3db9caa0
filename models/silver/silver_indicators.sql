{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='ticker',
    on_schema_change='fail',
    post_hook="{{ silver_delete_vanished_tickers(ref('silver_base_series')) }}",
) }}

{#- Every indicator is computed per series segment (a ticker's rows between gaps of more than
    var `max_gap_trading_days` missing sessions), from row `bar_index` 0 of the segment, as if the
    segment were a series of its own: that is how the warm-up restarts after a long gap. -#}

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
{%- set sum_frames = (sma_periods + [bb_n, mfi_n]) | unique | list -%}
{%- set extreme_frames = [willr_n, stoch_n] | unique | list -%}
{%- set macd_slow_state = ('ema_' ~ macd_slow) if macd_slow in ema_periods else 'macd_slow_ema' -%}

{#- Expressions of the new (current-row) states, reused where one state feeds another. -#}
{%- set ad_new = first_value_ewm_step('cur.ad_raw', 'prev.ad_wilder', tmf_n) -%}
{%- set volume_new = first_value_ewm_step('cur.volume', 'prev.volume_wilder', tmf_n) -%}
{%- set tmf_new = 'case when cur.bar_index >= ' ~ (tmf_n - 1) ~ ' then '
    ~ silver_safe_div(ad_new, volume_new, eps) ~ ' end' -%}
{%- set fast_new = sma_seeded_ema_step('cur.close', 'prev.macd_fast_ema', 'cur.bar_index', macd_fast, macd_slow - macd_fast) -%}
{%- set slow_new = sma_seeded_ema_step('cur.close', 'prev.' ~ macd_slow_state, 'cur.bar_index', macd_slow) -%}
{%- set macd_new = 'case when cur.bar_index >= ' ~ (macd_slow - 1) ~ ' then (' ~ fast_new ~ ') - (' ~ slow_new ~ ') end' -%}
{%- set plus_dm_new = wilder_sum_step('cur.plus_dm', 'prev.adx_plus_dm_sum', 'cur.bar_index', adx_n) -%}
{%- set minus_dm_new = wilder_sum_step('cur.minus_dm', 'prev.adx_minus_dm_sum', 'cur.bar_index', adx_n) -%}
{%- set tr_sum_new = wilder_sum_step('cur.true_range', 'prev.adx_tr_sum', 'cur.bar_index', adx_n) -%}
{%- set plus_di_new = '(100.0 * ((' ~ plus_dm_new ~ ') / (' ~ tr_sum_new ~ ')))' -%}
{%- set minus_di_new = '(100.0 * ((' ~ minus_dm_new ~ ') / (' ~ tr_sum_new ~ ')))' -%}
{#- DX of ta_ADX.c: skipped (NULL) when the TR sum or the DI sum is zero by TA_IS_ZERO. -#}
{%- set dx_new = 'case when cur.bar_index >= ' ~ adx_n
    ~ ' and abs(' ~ tr_sum_new ~ ') >= ' ~ ta_eps
    ~ ' and abs(' ~ minus_di_new ~ ' + ' ~ plus_di_new ~ ') >= ' ~ ta_eps
    ~ ' then 100.0 * (abs(' ~ minus_di_new ~ ' - ' ~ plus_di_new ~ ') / (' ~ minus_di_new ~ ' + ' ~ plus_di_new ~ ')) end' -%}

{%- set states = [
    {'name': 'ad_wilder', 'expression': ad_new},
    {'name': 'volume_wilder', 'expression': volume_new},
    {'name': 'proxy_wilder', 'expression': first_value_ewm_step('cur.proxy_raw', 'prev.proxy_wilder', tti_n)},
    {'name': 'proxy_den_wilder', 'expression': first_value_ewm_step('cur.proxy_den', 'prev.proxy_den_wilder', tti_n)},
    {'name': 'tmf_ema', 'expression': first_value_ewm_step(tmf_new, 'prev.tmf_ema', (tmf_ema_span + 1) / 2)},
    {'name': 'tmf_ema_count', 'type': 'integer',
     'expression': 'coalesce(prev.tmf_ema_count, 0) + ((' ~ tmf_new ~ ') is not null)::integer'},
] -%}
{%- for period in ema_periods -%}
    {%- do states.append({'name': 'ema_' ~ period,
        'expression': sma_seeded_ema_step('cur.close', 'prev.ema_' ~ period, 'cur.bar_index', period)}) -%}
{%- endfor -%}
{%- if macd_slow not in ema_periods -%}
    {%- do states.append({'name': 'macd_slow_ema', 'expression': slow_new}) -%}
{%- endif -%}
{%- do states.extend([
    {'name': 'macd_fast_ema', 'expression': fast_new},
    {'name': 'macd_signal_ema',
     'expression': sma_seeded_ema_step(macd_new, 'prev.macd_signal_ema', 'cur.bar_index', macd_signal, macd_slow - 1)},
    {'name': 'rsi_avg_gain', 'expression': wilder_average_step('cur.price_gain', 'prev.rsi_avg_gain', 'cur.bar_index', rsi_n)},
    {'name': 'rsi_avg_loss', 'expression': wilder_average_step('cur.price_loss', 'prev.rsi_avg_loss', 'cur.bar_index', rsi_n)},
    {'name': 'atr', 'expression': wilder_average_step('cur.true_range', 'prev.atr', 'cur.bar_index', atr_n)},
    {'name': 'adx_plus_dm_sum', 'expression': plus_dm_new},
    {'name': 'adx_minus_dm_sum', 'expression': minus_dm_new},
    {'name': 'adx_tr_sum', 'expression': tr_sum_new},
    {'name': 'adx', 'expression':
        'case when cur.bar_index < ' ~ adx_n ~ ' then null'
        ~ ' when cur.bar_index < ' ~ (2 * adx_n - 1) ~ ' then coalesce(prev.adx, 0.0::double) + coalesce(' ~ dx_new ~ ', 0.0::double)'
        ~ ' when cur.bar_index = ' ~ (2 * adx_n - 1) ~ ' then (coalesce(prev.adx, 0.0::double) + coalesce(' ~ dx_new ~ ', 0.0::double)) / ' ~ adx_n
        ~ ' else coalesce(((prev.adx * ' ~ (adx_n - 1) ~ ') + ' ~ dx_new ~ ') / ' ~ adx_n ~ ', prev.adx) end'},
    {'name': 'obv', 'expression':
        'case when prev.obv is null then cur.volume'
        ~ ' when cur.close > cur.prev_close then prev.obv + cur.volume'
        ~ ' when cur.close < cur.prev_close then prev.obv - cur.volume'
        ~ ' else prev.obv end'},
]) -%}

with

silver_base_series as (

    select
        ticker,
        trade_date,
        bronze_loaded_at,
        series_segment_no,
        row_number_in_segment,
        open,
        high,
        low,
        close,
        volume
    from {{ ref('silver_base_series') }}

),

ticker_markers as (

    select
        ticker,
        max(bronze_loaded_at) as bronze_loaded_at,
        count(*) as row_count
    from silver_base_series
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

ticker_ids as (

    select
        ticker,
        row_number() over (order by ticker) as ticker_id
    from tickers_to_rebuild

),

bars as (

    select
        silver_base_series.*,
        -- one integer per (ticker, segment): windows partition by it (DESIGN §7)
        ticker_ids.ticker_id * 100000 + silver_base_series.series_segment_no as segment_key,
        silver_base_series.row_number_in_segment - 1 as bar_index,
        -- TA-Lib's typical price: (high + low + close) / 3 in that order
        (silver_base_series.high + silver_base_series.low + silver_base_series.close) / 3
            as typical_price
    from silver_base_series
    inner join ticker_ids
        on silver_base_series.ticker = ticker_ids.ticker

),

with_previous_bars as (

    select
        *,
        lag(close) over by_segment as prev_close,
        lag(high) over by_segment as prev_high,
        lag(low) over by_segment as prev_low,
        lag(typical_price) over by_segment as prev_typical_price,
        lag(close, {{ roc_n }}) over by_segment as close_lag_{{ roc_n }},
        {%- for lag_rows in range(1, cci_n) %}
        lag(typical_price, {{ lag_rows }}) over by_segment as typical_price_lag_{{ lag_rows }},
        {%- endfor %}
        {%- for period in sma_periods %}
        {{ exact_rolling_sum('close', 'rows_' ~ period) }} as close_sum_{{ period }},
        {%- endfor %}
        {%- if bb_n not in sma_periods %}
        {{ exact_rolling_sum('close', 'rows_' ~ bb_n) }} as close_sum_{{ bb_n }},
        {%- endif %}
        {{ exact_rolling_sum('close * close', 'rows_' ~ bb_n, 80) }} as close_sq_sum_{{ bb_n }},
        {%- for period in extreme_frames %}
        max(high) over rows_{{ period }} as highest_high_{{ period }},
        min(low) over rows_{{ period }} as lowest_low_{{ period }},
        {%- endfor %}
    from bars
    window
        by_segment as (partition by segment_key order by bar_index),
        {%- for frame in (sum_frames + extreme_frames) | unique %}
        rows_{{ frame }} as (
            partition by segment_key order by bar_index
            rows between {{ frame - 1 }} preceding and current row
        ){% if not loop.last %},{% endif %}
        {%- endfor %}

),

with_bar_terms as (

    select
        *,
        -- TA-Lib true range: none on a segment's first bar
        greatest(
            high - low,
            abs(high - prev_close),
            abs(low - prev_close)
        ) as true_range,
        case when close - prev_close >= 0 then close - prev_close else 0.0 end as price_gain,
        case when close - prev_close < 0 then prev_close - close else 0.0 end as price_loss,
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
        -- money flow of ta_MFI.c: none when the typical price did not move (scaled dead zone)
        case
            when abs(typical_price - prev_typical_price)
                <= {{ ta_eps }} * (abs(typical_price) + abs(prev_typical_price))
                then 0.0
            else typical_price * volume
        end as money_flow
    from with_previous_bars

),

with_flow_terms as (

    select
        *,
        greatest(trh - trl, {{ eps }}) as tr_range,
        (2 * close - trh - trl) / greatest(trh - trl, {{ eps }}) as signed_pos,
        (2 * close - trh - trl) / greatest(trh - trl, {{ eps }}) * volume as ad_raw,
        -- the proxy's true range: a segment's first bar has only its high - low
        abs(coalesce(true_range, high - low)) as proxy_den,
        (2 * close - trh - trl) / greatest(trh - trl, {{ eps }})
        * abs(coalesce(true_range, high - low)) as proxy_raw,
        case when typical_price - prev_typical_price < 0 then 0.0 else money_flow end
            as positive_money_flow,
        case when typical_price - prev_typical_price < 0 then money_flow else 0.0 end
            as negative_money_flow,
        {%- for period in extreme_frames %}
        {%- if period == stoch_n %}
        case
            when (highest_high_{{ period }} - lowest_low_{{ period }}) / 100.0 != 0
                then (close - lowest_low_{{ period }})
                / ((highest_high_{{ period }} - lowest_low_{{ period }}) / 100.0)
            else 0.0
        end as stoch_fast_k,
        {%- endif %}
        {%- endfor %}
    from with_bar_terms

),

recursion_inputs as (

    select
        segment_key,
        bar_index,
        close,
        prev_close,
        volume,
        true_range,
        price_gain,
        price_loss,
        plus_dm,
        minus_dm,
        ad_raw,
        proxy_raw,
        proxy_den
    from with_flow_terms

),

smoothed as (

    select * from {{ smoothing_recursion('recursion_inputs', 'segment_key', 'bar_index', states) }}

),

with_window_sums as (

    select
        *,
        {{ exact_rolling_sum('positive_money_flow', 'rows_' ~ mfi_n) }} as positive_money_flow_sum,
        {{ exact_rolling_sum('negative_money_flow', 'rows_' ~ mfi_n) }} as negative_money_flow_sum,
        {%- for lag_rows in range(1, stoch_k_n + stoch_d_n - 1) %}
        lag(stoch_fast_k, {{ lag_rows }}) over by_segment as stoch_fast_k_lag_{{ lag_rows }},
        {%- endfor %}
    from with_flow_terms
    window
        by_segment as (partition by segment_key order by bar_index),
        rows_{{ mfi_n }} as (
            partition by segment_key order by bar_index
            rows between {{ mfi_n - 1 }} preceding and current row
        )

),

indicators_computed as (

    select
        with_window_sums.ticker,
        with_window_sums.trade_date,
        with_window_sums.bronze_loaded_at,
        with_window_sums.series_segment_no,
        with_window_sums.row_number_in_segment,
        with_window_sums.segment_key,
        with_window_sums.bar_index,
        with_window_sums.close,
        with_window_sums.trh,
        with_window_sums.trl,
        with_window_sums.tr_range,
        with_window_sums.signed_pos,
        with_window_sums.ad_raw,
        with_window_sums.proxy_raw,
        with_window_sums.proxy_den,
        case when with_window_sums.bar_index >= {{ tmf_n - 1 }} then smoothed.ad_wilder end
            as ad_wilder_{{ tmf_n }},
        case when with_window_sums.bar_index >= {{ tmf_n - 1 }} then smoothed.volume_wilder end
            as volume_wilder_{{ tmf_n }},
        case when with_window_sums.bar_index >= {{ tti_n - 1 }} then smoothed.proxy_wilder end
            as proxy_wilder_{{ tti_n }},
        case when with_window_sums.bar_index >= {{ tti_n - 1 }} then smoothed.proxy_den_wilder end
            as proxy_den_wilder_{{ tti_n }},
        case
            when with_window_sums.bar_index >= {{ tmf_n - 1 }}
                then {{ silver_safe_div('smoothed.ad_wilder', 'smoothed.volume_wilder', eps) }}
        end as tmf,
        case
            when with_window_sums.bar_index >= {{ tti_n - 1 }}
                then {{ silver_safe_div('smoothed.proxy_wilder', 'smoothed.proxy_den_wilder', eps) }}
        end as tti_proxy,
        case
            when with_window_sums.bar_index >= {{ tmf_n - 1 }}
                and {{ silver_safe_div('smoothed.ad_wilder', 'smoothed.volume_wilder', eps) }} is not null
                and smoothed.tmf_ema_count >= {{ tmf_ema_span }}
                then smoothed.tmf_ema
        end as tmf_ema_{{ tmf_ema_span }},
        {%- for period in sma_periods %}
        case
            when with_window_sums.bar_index >= {{ period - 1 }}
                then with_window_sums.close_sum_{{ period }} / {{ period }}
        end as sma_{{ period }},
        {%- endfor %}
        {%- for period in ema_periods %}
        case when with_window_sums.bar_index >= {{ period - 1 }} then smoothed.ema_{{ period }} end
            as ema_{{ period }},
        {%- endfor %}
        case
            when with_window_sums.bar_index < {{ rsi_n }} then null
            when abs(smoothed.rsi_avg_gain + smoothed.rsi_avg_loss) < {{ ta_eps }} then 0.0
            else 100.0 * (smoothed.rsi_avg_gain / (smoothed.rsi_avg_gain + smoothed.rsi_avg_loss))
        end as rsi_{{ rsi_n }},
        case when with_window_sums.bar_index >= {{ atr_n }} then smoothed.atr end
            as atr_{{ atr_n }},
        case
            when with_window_sums.bar_index < {{ atr_n }} then null
            when abs(with_window_sums.close) < {{ ta_eps }} then 0.0
            else (smoothed.atr / with_window_sums.close) * 100.0
        end as natr_{{ atr_n }},
        case
            when with_window_sums.bar_index >= {{ atr_n }}
                then {{ silver_safe_div('smoothed.atr', 'with_window_sums.close', eps) }}
        end as atr_pct_{{ atr_n }},
        case
            when with_window_sums.bar_index >= {{ macd_slow + macd_signal - 2 }}
                then smoothed.macd_fast_ema - smoothed.{{ macd_slow_state }}
        end as macd_{{ macd_suffix }},
        case
            when with_window_sums.bar_index >= {{ macd_slow + macd_signal - 2 }}
                then smoothed.macd_signal_ema
        end as macd_signal_{{ macd_suffix }},
        case
            when with_window_sums.bar_index >= {{ macd_slow + macd_signal - 2 }}
                then (smoothed.macd_fast_ema - smoothed.{{ macd_slow_state }})
                - smoothed.macd_signal_ema
        end as macd_hist_{{ macd_suffix }},
        case
            when with_window_sums.bar_index < {{ bb_n - 1 }} then null
            -- ta_BBANDS.c: E[x^2] - mean^2, zeroed by TA_IS_ZERO_OR_NEG
            when with_window_sums.close_sq_sum_{{ bb_n }} / {{ bb_n }}
                - (with_window_sums.close_sum_{{ bb_n }} / {{ bb_n }})
                * (with_window_sums.close_sum_{{ bb_n }} / {{ bb_n }}) < {{ ta_eps }}
                then 0.0
            else sqrt(
                with_window_sums.close_sq_sum_{{ bb_n }} / {{ bb_n }}
                - (with_window_sums.close_sum_{{ bb_n }} / {{ bb_n }})
                * (with_window_sums.close_sum_{{ bb_n }} / {{ bb_n }})
            )
        end as bbands_std,
        case
            when with_window_sums.bar_index >= {{ bb_n - 1 }}
                then with_window_sums.close_sum_{{ bb_n }} / {{ bb_n }}
        end as bbands_middle_{{ bb_n }}_{{ bb_k }},
        case when with_window_sums.bar_index >= {{ 2 * adx_n - 1 }} then smoothed.adx end
            as adx_{{ adx_n }},
        case
            when with_window_sums.bar_index < {{ adx_n }} then null
            when abs(smoothed.adx_tr_sum) < {{ ta_eps }} then 0.0
            else 100.0 * (smoothed.adx_plus_dm_sum / smoothed.adx_tr_sum)
        end as plus_di_{{ adx_n }},
        case
            when with_window_sums.bar_index < {{ adx_n }} then null
            when abs(smoothed.adx_tr_sum) < {{ ta_eps }} then 0.0
            else 100.0 * (smoothed.adx_minus_dm_sum / smoothed.adx_tr_sum)
        end as minus_di_{{ adx_n }},
        smoothed.obv,
        case
            when with_window_sums.bar_index < {{ mfi_n }} then null
            when with_window_sums.positive_money_flow_sum
                + with_window_sums.negative_money_flow_sum <= 0 then 0.0
            else 100.0 * (
                with_window_sums.positive_money_flow_sum
                / (
                    with_window_sums.positive_money_flow_sum
                    + with_window_sums.negative_money_flow_sum
                )
            )
        end as mfi_{{ mfi_n }},
        case
            when with_window_sums.bar_index < {{ willr_n - 1 }} then null
            when (with_window_sums.highest_high_{{ willr_n }} - with_window_sums.lowest_low_{{ willr_n }})
                * (-0.01) != 0
                then (with_window_sums.highest_high_{{ willr_n }} - with_window_sums.close)
                / (
                    (with_window_sums.highest_high_{{ willr_n }} - with_window_sums.lowest_low_{{ willr_n }})
                    * (-0.01)
                )
            else 0.0
        end as willr_{{ willr_n }},
        {{ talib_cci(
            'with_window_sums.typical_price',
            'with_window_sums.typical_price_lag_',
            cci_n,
            'with_window_sums.bar_index'
        ) }} as cci_{{ cci_n }},
        case
            when with_window_sums.bar_index < {{ roc_n }} then null
            when with_window_sums.close_lag_{{ roc_n }} != 0
                then ((with_window_sums.close / with_window_sums.close_lag_{{ roc_n }}) - 1.0) * 100.0
            else 0.0
        end as roc_{{ roc_n }},
        case
            when with_window_sums.bar_index >= {{ stoch_lookback }}
                then (
                    {%- for lag_rows in range(stoch_k_n) -%}
                    {%- if lag_rows == 0 %}with_window_sums.stoch_fast_k{% else %} + with_window_sums.stoch_fast_k_lag_{{ lag_rows }}{% endif -%}
                    {%- endfor -%}
                ) / {{ stoch_k_n }}
        end as stoch_k_{{ stoch_n }}_{{ stoch_k_n }},
        case
            when with_window_sums.bar_index >= {{ stoch_lookback }}
                then (
                    {%- for d_lag in range(stoch_d_n) -%}
                    {%- if d_lag > 0 %} + {% endif -%}
                    (
                        {%- for lag_rows in range(d_lag, d_lag + stoch_k_n) -%}
                        {%- if lag_rows == 0 %}with_window_sums.stoch_fast_k{% else %}{% if lag_rows > d_lag %} + {% endif %}with_window_sums.stoch_fast_k_lag_{{ lag_rows }}{% endif -%}
                        {%- endfor -%}
                    ) / {{ stoch_k_n }}
                    {%- endfor -%}
                ) / {{ stoch_d_n }}
        end as stoch_d_{{ stoch_n }}_{{ stoch_d_n }}
    from with_window_sums
    inner join smoothed
        on with_window_sums.segment_key = smoothed.segment_key
        and with_window_sums.bar_index = smoothed.bar_index

),

with_previous_flows as (

    select
        *,
        lag(tmf, 1) over by_segment as tmf_lag_1,
        lag(tmf, 2) over by_segment as tmf_lag_2,
        lag(tmf, 5) over by_segment as tmf_lag_5,
        lag(tti_proxy, 1) over by_segment as tti_proxy_lag_1
    from indicators_computed
    window by_segment as (partition by segment_key order by bar_index)

),

final as (

    select
        ticker,
        trade_date,
        bronze_loaded_at,
        series_segment_no,
        row_number_in_segment,
        trh,
        trl,
        tr_range,
        signed_pos,
        ad_raw,
        proxy_raw,
        proxy_den,
        ad_wilder_{{ tmf_n }},
        volume_wilder_{{ tmf_n }},
        proxy_wilder_{{ tti_n }},
        proxy_den_wilder_{{ tti_n }},
        tmf as tmf_{{ tmf_n }},
        tmf is not null as is_tmf_ready_{{ tmf_n }},
        coalesce(tmf > 0 and tmf_lag_1 <= 0, false) as is_tmf_zero_cross_up,
        coalesce(tmf < 0 and tmf_lag_1 >= 0, false) as is_tmf_zero_cross_down,
        coalesce(sign(tmf), 0)::tinyint as tmf_sign,
        abs(tmf) as tmf_abs,
        tmf - tmf_lag_1 as tmf_slope_1,
        tmf - tmf_lag_5 as tmf_slope_5,
        tmf_ema_{{ tmf_ema_span }},
        coalesce(tmf > 0, false) as is_tmf_above_zero,
        coalesce(tmf < 0, false) as is_tmf_below_zero,
        coalesce(tmf > 0 and tmf - tmf_lag_1 > 0 and tmf_lag_1 < tmf_lag_2, false)
            as is_tmf_respect_zero_up_candidate,
        coalesce(tmf < 0 and tmf - tmf_lag_1 < 0 and tmf_lag_1 > tmf_lag_2, false)
            as is_tmf_respect_zero_down_candidate,
        tti_proxy as tti_proxy_v1_{{ tti_n }},
        'PROXY_UNDISCLOSED_ORIGINAL' as tti_formula_status,
        'v1' as tti_proxy_version,
        tti_proxy is not null as is_tti_proxy_ready_{{ tti_n }},
        coalesce(tti_proxy > 0 and tti_proxy_lag_1 <= 0, false) as is_tti_proxy_zero_cross_up,
        coalesce(tti_proxy < 0 and tti_proxy_lag_1 >= 0, false) as is_tti_proxy_zero_cross_down,
        coalesce(sign(tti_proxy), 0)::tinyint as tti_proxy_sign,
        {{ tmf_n }}::integer as tmf_period,
        {{ tti_n }}::integer as tti_proxy_period,
        'twiggs_indicators_v1' as indicator_calc_version,
        {%- for period in sma_periods %}
        sma_{{ period }},
        {%- endfor %}
        {%- for period in ema_periods %}
        ema_{{ period }},
        {%- endfor %}
        rsi_{{ rsi_n }},
        atr_{{ atr_n }},
        natr_{{ atr_n }},
        atr_pct_{{ atr_n }},
        macd_{{ macd_suffix }},
        macd_signal_{{ macd_suffix }},
        macd_hist_{{ macd_suffix }},
        bbands_middle_{{ bb_n }}_{{ bb_k }} + bbands_std * {{ bb_k }} as bbands_upper_{{ bb_n }}_{{ bb_k }},
        bbands_middle_{{ bb_n }}_{{ bb_k }},
        bbands_middle_{{ bb_n }}_{{ bb_k }} - bbands_std * {{ bb_k }} as bbands_lower_{{ bb_n }}_{{ bb_k }},
        adx_{{ adx_n }},
        plus_di_{{ adx_n }},
        minus_di_{{ adx_n }},
        obv,
        mfi_{{ mfi_n }},
        willr_{{ willr_n }},
        cci_{{ cci_n }},
        roc_{{ roc_n }},
        stoch_k_{{ stoch_n }}_{{ stoch_k_n }},
        stoch_d_{{ stoch_n }}_{{ stoch_d_n }}
    from with_previous_flows

)

select * from final
