{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='ticker',
    on_schema_change='fail',
    post_hook="{{ silver_delete_vanished_tickers(ref('silver_indicators')) }}",
) }}

{#- Event grammar v1 (REFERENCE Part A §5 with Part B): every window, lag and bars-since
    counter runs inside one series segment (`series_segment_no`), like the silver indicators
    whose warm-up restarts after a long gap; nothing reaches back across the gap. -#}

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
{#- Flags counted over the activity windows, in their packed order (pack_flags). -#}
{%- set long_flags = ['ev_tmf_zero_up', 'ev_tmf_respect_zero_up', 'ev_tmf_burst_up'] -%}
{%- set short_flags = ['ev_tmf_zero_down', 'ev_tmf_respect_zero_down', 'ev_tmf_burst_down'] -%}
{%- set tti_flags = ['ev_tti_zero_up', 'ev_tti_zero_down', 'ev_tti_burst_up', 'ev_tti_burst_down'] -%}
{%- set counted_flags = long_flags + short_flags + tti_flags -%}
{%- set bs_events = [
    'tmf_zero_up', 'tmf_zero_down', 'tmf_respect_zero_up', 'tmf_respect_zero_down',
    'tmf_burst_up', 'tmf_burst_down', 'tti_zero_up', 'tti_zero_down',
] -%}

with

silver_indicators as (

    select
        ticker,
        trade_date,
        bronze_loaded_at,
        series_segment_no::integer as series_segment_no,
        row_number_in_segment::integer as row_number_in_segment,
        tmf_{{ tmf_n }} as tmf,
        is_tmf_ready_{{ tmf_n }} as is_tmf_ready,
        is_tmf_zero_cross_up,
        is_tmf_zero_cross_down,
        tmf_sign,
        tmf_abs,
        tmf_slope_1,
        tti_proxy_v1_{{ tti_n }} as tti,
        is_tti_proxy_ready_{{ tti_n }} as is_tti_ready,
        is_tti_proxy_zero_cross_up,
        is_tti_proxy_zero_cross_down,
        tti_proxy_sign
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
        silver_indicators.*,
        -- one integer per (ticker, segment): windows partition by it (DESIGN §7)
        ticker_ids.ticker_id * 100000 + silver_indicators.series_segment_no as segment_key,
        silver_indicators.row_number_in_segment - 1 as bar_index
    from silver_indicators
    inner join ticker_ids
        on silver_indicators.ticker = ticker_ids.ticker

),

with_previous_values as (

    select
        *,
        lag(tmf, 1) over by_segment as tmf_lag_1,
        lag(tmf, 2) over by_segment as tmf_lag_2,
        tti - lag(tti, 1) over by_segment as tti_slope_1
    from bars
    window by_segment as (partition by segment_key order by bar_index)

),

events_flagged as (

    select
        *,
        is_tmf_zero_cross_up as ev_tmf_zero_up,
        is_tmf_zero_cross_down as ev_tmf_zero_down,
        is_tti_proxy_zero_cross_up as ev_tti_zero_up,
        is_tti_proxy_zero_cross_down as ev_tti_zero_down,
        -- a 3-bar pivot: the turn is at t - 1 and confirmed on t (strict inequalities)
        coalesce(tmf_lag_2 > tmf_lag_1 and tmf_lag_1 < tmf, false) as ev_tmf_pivot_low,
        coalesce(tmf_lag_2 < tmf_lag_1 and tmf_lag_1 > tmf, false) as ev_tmf_pivot_high,
        coalesce(
            tmf_lag_2 > tmf_lag_1 and tmf_lag_1 < tmf
            and tmf_lag_1 > 0 and tmf > 0 and tmf_slope_1 > 0,
            false
        ) as ev_tmf_respect_zero_up,
        coalesce(
            tmf_lag_2 < tmf_lag_1 and tmf_lag_1 > tmf
            and tmf_lag_1 < 0 and tmf < 0 and tmf_slope_1 < 0,
            false
        ) as ev_tmf_respect_zero_down,
        coalesce(
            is_tmf_ready and tmf > 0
            and tmf_slope_1 > {{ tmf_slope_threshold }} and tmf_abs > {{ tmf_abs_threshold }},
            false
        ) as ev_tmf_burst_up,
        coalesce(
            is_tmf_ready and tmf < 0
            and tmf_slope_1 < -{{ tmf_slope_threshold }} and tmf_abs > {{ tmf_abs_threshold }},
            false
        ) as ev_tmf_burst_down,
        coalesce(
            is_tti_ready and tti > 0
            and tti_slope_1 > {{ tti_slope_threshold }} and abs(tti) > {{ tti_abs_threshold }},
            false
        ) as ev_tti_burst_up,
        coalesce(
            is_tti_ready and tti < 0
            and tti_slope_1 < -{{ tti_slope_threshold }} and abs(tti) > {{ tti_abs_threshold }},
            false
        ) as ev_tti_burst_down
    from with_previous_values

),

with_runs_and_counts as (

    select
        *,
        -- consecutive rows up to t on one side of zero: rows since the latest row that is not
        -- (a whole segment on that side counts all its rows)
        coalesce({{ bars_since('not coalesce(tmf > 0, false)', 'bar_index', 'running') }}, bar_index + 1)
            as tmf_positive_run,
        coalesce({{ bars_since('not coalesce(tmf < 0, false)', 'bar_index', 'running') }}, bar_index + 1)
            as tmf_negative_run,
        coalesce({{ bars_since('not coalesce(tti > 0, false)', 'bar_index', 'running') }}, bar_index + 1)
            as tti_positive_run,
        coalesce({{ bars_since('not coalesce(tti < 0, false)', 'bar_index', 'running') }}, bar_index + 1)
            as tti_negative_run,
        {%- for event in bs_events %}
        {{ bars_since('ev_' ~ event, 'bar_index', 'running') }} as bs_{{ event }},
        {%- endfor %}
        {%- for window in windows %}
        sum({{ pack_flags(counted_flags, bits_for_count(window)) }}) over rows_{{ window }}
            as packed_counts_{{ window }},
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
        tmf_positive_run >= {{ hold_bars }} as ev_tmf_hold_pos,
        tmf_negative_run >= {{ hold_bars }} as ev_tmf_hold_neg,
        tti_positive_run >= {{ hold_bars }} as ev_tti_hold_pos,
        tti_negative_run >= {{ hold_bars }} as ev_tti_hold_neg,
        -- a zero cross against a respect event of the previous `lookback` bars (t-L .. t-1);
        -- the respect event cannot be on t itself, since it needs the opposite sign
        coalesce(ev_tmf_zero_down and bs_tmf_respect_zero_up between 1 and {{ lookback }}, false)
            as ev_tmf_respect_fail_up,
        coalesce(ev_tmf_zero_up and bs_tmf_respect_zero_down between 1 and {{ lookback }}, false)
            as ev_tmf_respect_fail_down,
        {%- for window in windows %}
        {%- set bits = bits_for_count(window) %}
        (
            {%- for flag in long_flags %}
            {{ unpack_count('packed_counts_' ~ window, counted_flags.index(flag), bits) }}{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as tmf_long_events_{{ window }},
        (
            {%- for flag in short_flags %}
            {{ unpack_count('packed_counts_' ~ window, counted_flags.index(flag), bits) }}{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as tmf_short_events_{{ window }},
        {%- if window == long_window %}
        (
            {%- for flag in tti_flags %}
            {{ unpack_count('packed_counts_' ~ window, counted_flags.index(flag), bits) }}{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as tti_events_{{ window }},
        {%- endif %}
        {%- endfor %}
    from with_runs_and_counts

),

state_conditions as (

    select
        *,
        coalesce(
            is_tmf_ready and tmf_sign > 0
            and (
                ev_tmf_hold_pos
                or tmf_long_events_{{ long_window }}
                > tmf_short_events_{{ long_window }} + {{ var('state_event_advantage') }}
            ),
            false
        ) as is_persistent_demand,
        coalesce(
            is_tmf_ready and tmf_sign < 0
            and (
                ev_tmf_hold_neg
                or tmf_short_events_{{ long_window }}
                > tmf_long_events_{{ long_window }} + {{ var('state_event_advantage') }}
            ),
            false
        ) as is_persistent_supply,
        coalesce(
            is_tmf_ready and tmf_sign > 0
            and (
                ev_tmf_zero_up or ev_tmf_burst_up or ev_tmf_respect_zero_up
                or bs_tmf_zero_up <= {{ var('state_recent_cross_bars') }}
            ),
            false
        ) as has_early_demand_event,
        coalesce(
            is_tmf_ready and tmf_sign < 0
            and (
                ev_tmf_zero_down or ev_tmf_burst_down or ev_tmf_respect_zero_down
                or bs_tmf_zero_down <= {{ var('state_recent_cross_bars') }}
            ),
            false
        ) as has_early_supply_event
    from events_counted

),

states_coded as (

    select
        *,
        -- precedence: persistent before early, demand before supply (first match wins)
        case
            when is_persistent_demand then 2
            when is_persistent_supply then 4
            when has_early_demand_event then 1
            when has_early_supply_event then 3
            else 0
        end::tinyint as flow_state_code
    from state_conditions

),

final as (

    select
        ticker,
        trade_date,
        series_segment_no,
        row_number_in_segment,
        bronze_loaded_at,
        tmf as tmf_{{ tmf_n }},
        tti as tti_proxy_v1_{{ tti_n }},
        ev_tmf_zero_up,
        ev_tmf_zero_down,
        ev_tti_zero_up,
        ev_tti_zero_down,
        ev_tmf_pivot_low,
        ev_tmf_pivot_high,
        ev_tmf_respect_zero_up,
        ev_tmf_respect_zero_down,
        ev_tmf_respect_fail_up,
        ev_tmf_respect_fail_down,
        ev_tmf_burst_up,
        ev_tmf_burst_down,
        ev_tmf_hold_pos,
        ev_tmf_hold_neg,
        ev_tti_burst_up,
        ev_tti_burst_down,
        ev_tti_hold_pos,
        ev_tti_hold_neg,
        {%- for event in bs_events %}
        bs_{{ event }}::integer as bs_{{ event }},
        {%- endfor %}
        {%- for window in windows %}
        tmf_long_events_{{ window }},
        tmf_short_events_{{ window }},
        tmf_long_events_{{ window }} - tmf_short_events_{{ window }} as tmf_event_asym_{{ window }},
        {%- endfor %}
        tmf_long_events_{{ long_window }} + tmf_short_events_{{ long_window }}
            as tmf_event_activity_{{ long_window }},
        tti_events_{{ long_window }},
        flow_state_code,
        case flow_state_code
            when 1 then 'S1_EARLY_DEMAND'
            when 2 then 'S2_PERSISTENT_DEMAND'
            when 3 then 'S3_EARLY_SUPPLY'
            when 4 then 'S4_PERSISTENT_SUPPLY'
            else 'S0_QUIET'
        end as flow_state_label,
        'event_grammar_v1' as event_calc_version
    from states_coded

)

select * from final
