{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='ticker',
    on_schema_change='fail',
    post_hook="{{ delete_vanished_tickers(ref('silver_indicators')) }}",
) }}

{#- The stored window results of the event grammar v1 and the features v1 (REFERENCE Part A §5,
    §6 with Part B): event flags, bars-since counters, rolling counts, the S0..S4 state and its
    runs, and the lag-based feature terms. Everything that needs a window is computed here in
    three sorted passes over each series segment; the views gold_events and gold_features add
    the row-wise columns (sums, ratios, fills, labels), which are cheaper to compute when read
    than to write (DESIGN §7). Every lag, window and counter runs inside one series segment
    (`series_segment_no`), like the silver indicators whose warm-up restarts after a long gap;
    only bars up to t are read. -#}

{%- set tmf_n = var('tmf_period') -%}
{%- set tti_n = var('tti_proxy_period') -%}
{%- set eps = var('gold_eps') -%}
{%- set windows = var('activity_windows') | unique | sort -%}
{%- set long_window = var('flow_long_window') -%}
{%- if long_window not in windows -%}
    {{ exceptions.raise_compiler_error('var flow_long_window must be one of activity_windows') }}
{%- endif -%}
{%- set hold_bars = var('hold_consecutive_bars') -%}
{%- set lookback = var('respect_fail_lookback_bars') -%}
{%- set tmf_abs_threshold = [var('tmf_burst_abs_threshold'), eps] | max -%}
{%- set tmf_slope_threshold = var('tmf_burst_slope_threshold') -%}
{%- set tti_abs_threshold = [var('tti_burst_abs_threshold'), eps] | max -%}
{%- set tti_slope_threshold = var('tti_burst_slope_threshold') -%}
{#- Sides of zero counted over the hold window, and events counted over the activity windows,
    in their packed order (pack_flags). -#}
{%- set side_flags = ['tmf > 0', 'tmf < 0', 'tti > 0', 'tti < 0'] -%}
{%- set counted_events = [
    'tmf_zero_up', 'tmf_zero_down', 'tmf_respect_zero_up', 'tmf_respect_zero_down',
    'tmf_burst_up', 'tmf_burst_down', 'tmf_hold_pos', 'tmf_hold_neg',
    'tti_zero_up', 'tti_zero_down', 'tti_burst_up', 'tti_burst_down',
] -%}
{%- set counted_flags = [] -%}
{%- for event in counted_events -%}
    {%- do counted_flags.append('ev_' ~ event) -%}
{%- endfor -%}
{%- set stored_counts = counted_events[:8] -%}
{%- set tti_counted = counted_events[8:] -%}
{%- set bs_events = [
    'tmf_zero_up', 'tmf_zero_down', 'tmf_respect_zero_up', 'tmf_respect_zero_down',
    'tmf_burst_up', 'tmf_burst_down', 'tti_zero_up', 'tti_zero_down',
] -%}
{%- set event_flags = [
    'ev_tmf_zero_up', 'ev_tmf_zero_down', 'ev_tti_zero_up', 'ev_tti_zero_down',
    'ev_tmf_pivot_low', 'ev_tmf_pivot_high', 'ev_tmf_respect_zero_up', 'ev_tmf_respect_zero_down',
    'ev_tmf_respect_fail_up', 'ev_tmf_respect_fail_down', 'ev_tmf_burst_up', 'ev_tmf_burst_down',
    'ev_tmf_hold_pos', 'ev_tmf_hold_neg', 'ev_tti_burst_up', 'ev_tti_burst_down',
    'ev_tti_hold_pos', 'ev_tti_hold_neg',
] -%}
{%- set state_codes = [0, 1, 2, 3, 4] -%}

with

-- inlined: the ticker markers and the rows each read the table, cheaper than a kept copy
silver_indicators as {{ inline_cte() }} (

    select
        ticker,
        trade_date,
        bronze_loaded_at,
        series_segment_no::integer as series_segment_no,
        row_number_in_segment::integer as row_number_in_segment,
        tmf_{{ tmf_n }} as tmf,
        tti_proxy_v1_{{ tti_n }} as tti,
        is_tmf_zero_cross_up,
        is_tmf_zero_cross_down,
        is_tti_proxy_zero_cross_up,
        is_tti_proxy_zero_cross_down
    from {{ ref('silver_indicators') }}

),

ticker_markers as (

    select
        ticker,
        max(bronze_loaded_at) as bronze_loaded_at,
        count(*) as row_count
    from silver_indicators
    group by ticker

),

tickers_to_rebuild as (

    {{ tickers_to_rebuild('ticker_markers', this) }}

),

ticker_ids as (

    select
        ticker_markers.ticker,
        ticker_markers.bronze_loaded_at,
        row_number() over (order by ticker_markers.ticker) as ticker_id
    from ticker_markers
    inner join tickers_to_rebuild
        on ticker_markers.ticker = tickers_to_rebuild.ticker

),

-- only what the windows need travels through the sorts; ticker and load time join back at the end
bars as (

    select
        -- one integer per (ticker, segment): windows partition by it (DESIGN §7)
        ticker_ids.ticker_id * 100000 + silver_indicators.series_segment_no as segment_key,
        silver_indicators.row_number_in_segment - 1 as bar_index,
        silver_indicators.trade_date,
        silver_indicators.tmf,
        silver_indicators.tti,
        silver_indicators.is_tmf_zero_cross_up,
        silver_indicators.is_tmf_zero_cross_down,
        silver_indicators.is_tti_proxy_zero_cross_up,
        silver_indicators.is_tti_proxy_zero_cross_down
    from silver_indicators
    inner join ticker_ids
        on silver_indicators.ticker = ticker_ids.ticker

),

-- pass 1: lags, and the rows on each side of zero over the hold window
with_previous_values as (

    select
        *,
        lag(tmf, 1) over by_segment as tmf_lag_1,
        lag(tmf, 2) over by_segment as tmf_lag_2,
        lag(tmf, 10) over by_segment as tmf_lag_10,
        lag(tti, 1) over by_segment as tti_lag_1,
        lag(tti, 5) over by_segment as tti_lag_5,
        sum({{ pack_flags(side_flags, bits_for_count(hold_bars)) }}) over hold_rows as packed_sides
    from bars
    window
        by_segment as (partition by segment_key order by bar_index),
        hold_rows as (
            partition by segment_key order by bar_index
            rows between {{ hold_bars - 1 }} preceding and current row
        )

),

events_flagged as (

    select
        segment_key,
        bar_index,
        trade_date,
        tmf,
        tti,
        coalesce(sign(tmf), 0)::tinyint as tmf_sign,
        coalesce(sign(tti), 0)::tinyint as tti_proxy_sign,
        is_tmf_zero_cross_up as ev_tmf_zero_up,
        is_tmf_zero_cross_down as ev_tmf_zero_down,
        is_tti_proxy_zero_cross_up as ev_tti_zero_up,
        is_tti_proxy_zero_cross_down as ev_tti_zero_down,
        -- a 3-bar pivot: the turn is at t - 1 and confirmed on t (strict inequalities)
        coalesce(tmf_lag_2 > tmf_lag_1 and tmf_lag_1 < tmf, false) as ev_tmf_pivot_low,
        coalesce(tmf_lag_2 < tmf_lag_1 and tmf_lag_1 > tmf, false) as ev_tmf_pivot_high,
        coalesce(
            tmf_lag_2 > tmf_lag_1 and tmf_lag_1 < tmf
            and tmf_lag_1 > 0 and tmf > 0 and tmf - tmf_lag_1 > 0,
            false
        ) as ev_tmf_respect_zero_up,
        coalesce(
            tmf_lag_2 < tmf_lag_1 and tmf_lag_1 > tmf
            and tmf_lag_1 < 0 and tmf < 0 and tmf - tmf_lag_1 < 0,
            false
        ) as ev_tmf_respect_zero_down,
        coalesce(
            tmf > 0 and tmf - tmf_lag_1 > {{ tmf_slope_threshold }} and abs(tmf) > {{ tmf_abs_threshold }},
            false
        ) as ev_tmf_burst_up,
        coalesce(
            tmf < 0 and tmf - tmf_lag_1 < -{{ tmf_slope_threshold }} and abs(tmf) > {{ tmf_abs_threshold }},
            false
        ) as ev_tmf_burst_down,
        coalesce(
            tti > 0 and tti - tti_lag_1 > {{ tti_slope_threshold }} and abs(tti) > {{ tti_abs_threshold }},
            false
        ) as ev_tti_burst_up,
        coalesce(
            tti < 0 and tti - tti_lag_1 < -{{ tti_slope_threshold }} and abs(tti) > {{ tti_abs_threshold }},
            false
        ) as ev_tti_burst_down,
        -- a hold: all of the last `hold_bars` rows of the segment on one side of zero
        {%- for side in ['tmf_hold_pos', 'tmf_hold_neg', 'tti_hold_pos', 'tti_hold_neg'] %}
        {{ unpack_count('packed_sides', loop.index0, bits_for_count(hold_bars)) }} = {{ hold_bars }}
            as ev_{{ side }},
        {%- endfor %}
        tmf - tmf_lag_10 as tmf_slope_10,
        (tmf - tmf_lag_1) - (tmf_lag_1 - tmf_lag_2) as tmf_curvature_1,
        tti - tti_lag_1 as tti_proxy_slope_1,
        tti - tti_lag_5 as tti_proxy_slope_5
    from with_previous_values

),

-- pass 2: bars-since counters and event counts over the activity windows
with_event_windows as (

    select
        *,
        {%- for event in bs_events %}
        {{ bars_since('ev_' ~ event, 'bar_index', 'running') }} as bs_{{ event }},
        {%- endfor %}
        {%- for window in windows %}
        sum({{ pack_flags(counted_flags, bits_for_count(window)) }})
            over rows_{{ window }} as packed_counts_{{ window }},
        {%- endfor %}
    from events_flagged
    window
        running as (
            partition by segment_key order by bar_index
            rows between unbounded preceding and current row
        ),
        {%- for window in windows %}
        rows_{{ window }} as (
            partition by segment_key order by bar_index
            rows between {{ window - 1 }} preceding and current row
        ){% if not loop.last %},{% endif %}
        {%- endfor %}

),

events_counted as (

    select
        *,
        -- a zero cross against a respect event of the previous `lookback` bars (t-L .. t-1);
        -- the respect event cannot be on t itself, since it needs the opposite sign
        coalesce(ev_tmf_zero_down and bs_tmf_respect_zero_up between 1 and {{ lookback }}, false)
            as ev_tmf_respect_fail_up,
        coalesce(ev_tmf_zero_up and bs_tmf_respect_zero_down between 1 and {{ lookback }}, false)
            as ev_tmf_respect_fail_down,
        {%- for window in windows %}
        {%- set bits = bits_for_count(window) %}
        {%- for event in stored_counts %}
        {{ unpack_count('packed_counts_' ~ window, loop.index0, bits) }} as count_{{ event }}_{{ window }},
        {%- endfor %}
        {%- endfor %}
        (
            {%- for event in tti_counted %}
            {{ unpack_count('packed_counts_' ~ long_window, counted_events.index(event), bits_for_count(long_window)) }}{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as tti_events_{{ long_window }}
    from with_event_windows

),

states_coded as (

    select
        *,
        -- precedence: persistent before early, demand before supply (first match wins)
        case
            when
                tmf > 0
                and (
                    ev_tmf_hold_pos
                    or count_tmf_zero_up_{{ long_window }} + count_tmf_respect_zero_up_{{ long_window }}
                    + count_tmf_burst_up_{{ long_window }}
                    > count_tmf_zero_down_{{ long_window }} + count_tmf_respect_zero_down_{{ long_window }}
                    + count_tmf_burst_down_{{ long_window }} + {{ var('state_event_advantage') }}
                )
                then 2
            when
                tmf < 0
                and (
                    ev_tmf_hold_neg
                    or count_tmf_zero_down_{{ long_window }} + count_tmf_respect_zero_down_{{ long_window }}
                    + count_tmf_burst_down_{{ long_window }}
                    > count_tmf_zero_up_{{ long_window }} + count_tmf_respect_zero_up_{{ long_window }}
                    + count_tmf_burst_up_{{ long_window }} + {{ var('state_event_advantage') }}
                )
                then 4
            when
                tmf > 0
                and (
                    ev_tmf_zero_up or ev_tmf_burst_up or ev_tmf_respect_zero_up
                    or bs_tmf_zero_up <= {{ var('state_recent_cross_bars') }}
                )
                then 1
            when
                tmf < 0
                and (
                    ev_tmf_zero_down or ev_tmf_burst_down or ev_tmf_respect_zero_down
                    or bs_tmf_zero_down <= {{ var('state_recent_cross_bars') }}
                )
                then 3
            else 0
        end::tinyint as flow_state_code
    from events_counted

),

-- pass 3: the previous state, state runs, respect fails over the long window
with_state_runs as (

    select
        *,
        lag(flow_state_code, 1) over by_segment as flow_state_code_lag_1,
        -- rows since the latest earlier row with another code, for each code: the current
        -- row's own code picks its run length (one pass instead of lag, then bars-since)
        {%- for code in state_codes %}
        coalesce(
            {{ bars_since('flow_state_code <> ' ~ code, 'bar_index', 'earlier_rows') }},
            bar_index + 1
        ) as run_length_if_{{ code }},
        {%- endfor %}
        sum({{ pack_flags(['ev_tmf_respect_fail_up', 'ev_tmf_respect_fail_down'], bits_for_count(long_window)) }})
            over rows_{{ long_window }} as packed_fails_{{ long_window }}
    from states_coded
    window
        by_segment as (partition by segment_key order by bar_index),
        earlier_rows as (
            partition by segment_key order by bar_index
            rows between unbounded preceding and 1 preceding
        ),
        rows_{{ long_window }} as (
            partition by segment_key order by bar_index
            rows between {{ long_window - 1 }} preceding and current row
        )

),

final as (

    select
        ticker_ids.ticker,
        with_state_runs.trade_date,
        (with_state_runs.segment_key % 100000)::integer as series_segment_no,
        (with_state_runs.bar_index + 1)::integer as row_number_in_segment,
        ticker_ids.bronze_loaded_at,
        with_state_runs.tmf_sign,
        with_state_runs.tti_proxy_sign,
        {%- for flag in event_flags %}
        with_state_runs.{{ flag }},
        {%- endfor %}
        {%- for event in bs_events %}
        with_state_runs.bs_{{ event }}::integer as bs_{{ event }},
        {%- endfor %}
        {%- for window in windows %}
        {%- for event in stored_counts %}
        with_state_runs.count_{{ event }}_{{ window }},
        {%- endfor %}
        {%- endfor %}
        with_state_runs.tti_events_{{ long_window }},
        {{ unpack_count('with_state_runs.packed_fails_' ~ long_window, 1, bits_for_count(long_window)) }}
        - {{ unpack_count('with_state_runs.packed_fails_' ~ long_window, 0, bits_for_count(long_window)) }}
            as respect_fail_balance_{{ long_window }},
        with_state_runs.flow_state_code,
        -- fill 0 (S0) before a segment's first bar, whose own state is S0 (TMF warms up)
        coalesce(with_state_runs.flow_state_code_lag_1, 0)::tinyint as state_prev,
        coalesce(with_state_runs.flow_state_code <> with_state_runs.flow_state_code_lag_1, false)
            as is_state_changed,
        case with_state_runs.flow_state_code
            {%- for code in state_codes %}
            when {{ code }} then with_state_runs.run_length_if_{{ code }}
            {%- endfor %}
        end::integer as state_run_length,
        with_state_runs.tmf_slope_10,
        with_state_runs.tmf_curvature_1,
        with_state_runs.tti_proxy_slope_1,
        with_state_runs.tti_proxy_slope_5
    from with_state_runs
    inner join ticker_ids
        on with_state_runs.segment_key // 100000 = ticker_ids.ticker_id

)

select * from final
