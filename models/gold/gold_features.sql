{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='ticker',
    on_schema_change='fail',
    post_hook="{{ silver_delete_vanished_tickers(ref('gold_events')) }}",
) }}

{#- Features v1 (REFERENCE Part A §6 with Part B 12, 13): built from gold_events only, over the
    same series segments. A NULL that only means "no event yet" gets the fill value stated in
    _gold__models.yml and docs/gold.md. -#}

{%- set tmf_n = var('tmf_period') -%}
{%- set tti_n = var('tti_proxy_period') -%}
{%- set eps = var('gold_eps') -%}
{%- set windows = var('activity_windows') | unique | sort -%}
{%- set long_window = var('flow_long_window') -%}
{%- set clip = var('recency_clip_bars') -%}
{%- set weight_zero = var('flow_score_weight_zero') -%}
{%- set weight_respect = var('flow_score_weight_respect') -%}
{%- set weight_burst = var('flow_score_weight_burst') -%}
{%- set weight_hold = var('flow_score_weight_hold') -%}
{#- Flags counted over the windows, in their packed order (pack_flags). -#}
{%- set counted_flags = [
    'ev_tmf_zero_up', 'ev_tmf_zero_down', 'ev_tmf_respect_zero_up', 'ev_tmf_respect_zero_down',
    'ev_tmf_burst_up', 'ev_tmf_burst_down', 'ev_tmf_hold_pos', 'ev_tmf_hold_neg',
    'ev_tmf_respect_fail_up', 'ev_tmf_respect_fail_down',
] -%}
{%- set recency_events = [
    ('tmf_zero_up', 'tmf_zero_up'), ('tmf_zero_down', 'tmf_zero_down'),
    ('tmf_burst_up', 'tmf_burst_up'), ('tmf_burst_down', 'tmf_burst_down'),
    ('tmf_respect_up', 'tmf_respect_zero_up'), ('tmf_respect_down', 'tmf_respect_zero_down'),
] -%}

with

gold_events as (

    select
        ticker,
        trade_date,
        series_segment_no,
        row_number_in_segment,
        bronze_loaded_at,
        tmf_{{ tmf_n }} as tmf,
        tti_proxy_v1_{{ tti_n }} as tti,
        {%- for flag in counted_flags %}
        {{ flag }},
        {%- endfor %}
        {%- for _, event in recency_events %}
        bs_{{ event }},
        {%- endfor %}
        flow_state_code
    from {{ ref('gold_events') }}

),

ticker_markers as (

    select
        ticker,
        max(bronze_loaded_at) as bronze_loaded_at,
        count(*) as row_count
    from gold_events
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
        gold_events.*,
        ticker_ids.ticker_id * 100000 + gold_events.series_segment_no as segment_key,
        gold_events.row_number_in_segment - 1 as bar_index
    from gold_events
    inner join ticker_ids
        on gold_events.ticker = ticker_ids.ticker

),

with_previous_values as (

    select
        *,
        lag(tmf, 1) over by_segment as tmf_lag_1,
        lag(tmf, 2) over by_segment as tmf_lag_2,
        lag(tmf, 10) over by_segment as tmf_lag_10,
        lag(tti, 1) over by_segment as tti_lag_1,
        lag(tti, 5) over by_segment as tti_lag_5,
        lag(flow_state_code, 1) over by_segment as flow_state_code_lag_1,
        {%- for window in windows %}
        sum({{ pack_flags(counted_flags, bits_for_count(window)) }}) over rows_{{ window }}
            as packed_counts_{{ window }},
        {%- endfor %}
    from bars
    window
        by_segment as (partition by segment_key order by bar_index),
        {%- for window in windows %}
        rows_{{ window }} as (
            partition by segment_key order by bar_index
            rows between {{ window - 1 }} preceding and current row
        ){% if not loop.last %},{% endif %}
        {%- endfor %}

),

with_state_runs as (

    select
        *,
        -- a run starts on the segment's first bar and on every change of state
        {{ bars_since(
            'flow_state_code_lag_1 is null or flow_state_code <> flow_state_code_lag_1',
            'bar_index',
            'running'
        ) }} + 1 as state_run_length,
        {%- for window in windows %}
        {%- set bits = bits_for_count(window) %}
        {%- for flag in counted_flags %}
        {{ unpack_count('packed_counts_' ~ window, loop.index0, bits) }} as {{ flag | replace('ev_', 'count_') }}_{{ window }},
        {%- endfor %}
        {%- endfor %}
    from with_previous_values
    window running as (
        partition by segment_key order by bar_index
        rows between unbounded preceding and current row
    )

),

with_flow_scores as (

    select
        *,
        coalesce(sign(tmf), 0)::tinyint as tmf_sign,
        coalesce(sign(tti), 0)::tinyint as tti_sign,
        {%- for window in windows %}
        {{ weight_zero }}::double * count_tmf_zero_up_{{ window }}
        + {{ weight_respect }}::double * count_tmf_respect_zero_up_{{ window }}
        + {{ weight_burst }}::double * count_tmf_burst_up_{{ window }}
        + {{ weight_hold }}::double * count_tmf_hold_pos_{{ window }} as long_flow_score_{{ window }},
        {{ weight_zero }}::double * count_tmf_zero_down_{{ window }}
        + {{ weight_respect }}::double * count_tmf_respect_zero_down_{{ window }}
        + {{ weight_burst }}::double * count_tmf_burst_down_{{ window }}
        + {{ weight_hold }}::double * count_tmf_hold_neg_{{ window }} as short_flow_score_{{ window }},
        {%- endfor %}
    from with_state_runs

),

final as (

    select
        ticker,
        trade_date,
        series_segment_no,
        row_number_in_segment,
        bronze_loaded_at,
        flow_state_code,
        tmf - tmf_lag_10 as tmf_slope_10,
        (tmf - tmf_lag_1) - (tmf_lag_1 - tmf_lag_2) as tmf_curvature_1,
        tmf_sign > 0 as is_tmf_above_zero,
        tmf_sign < 0 as is_tmf_below_zero,
        tti - tti_lag_1 as tti_proxy_slope_1,
        tti - tti_lag_5 as tti_proxy_slope_5,
        tmf_sign = tti_sign and tmf_sign <> 0 as is_tmf_tti_sign_agree,
        tmf_sign * tti_sign < 0 as is_tmf_tti_divergence,
        {%- for window in windows %}
        long_flow_score_{{ window }},
        short_flow_score_{{ window }},
        long_flow_score_{{ window }} - short_flow_score_{{ window }} as delta_flow_{{ window }},
        {%- endfor %}
        long_flow_score_{{ long_window }} + short_flow_score_{{ long_window }}
            as flow_activity_{{ long_window }},
        -- fill 0.0: no scored event in the window, so no bias either way
        coalesce(
            {{ silver_safe_div(
                'long_flow_score_' ~ long_window ~ ' - short_flow_score_' ~ long_window,
                'long_flow_score_' ~ long_window ~ ' + short_flow_score_' ~ long_window,
                eps
            ) }},
            0.0
        ) as flow_bias_{{ long_window }},
        {%- for name, event in recency_events %}
        -- fill 1.0: not within the last `clip` bars, including never in this segment
        coalesce(least(bs_{{ event }}, {{ clip }}) / {{ clip }}, 1.0) as rec_{{ name }}_{{ clip }},
        {%- endfor %}
        {%- for window in windows %}
        count_tmf_burst_up_{{ window }} as long_burst_{{ window }},
        count_tmf_burst_down_{{ window }} as short_burst_{{ window }},
        {%- endfor %}
        -- rolling means over the rows available so far (at least 1)
        count_tmf_hold_pos_{{ long_window }} / least(bar_index + 1, {{ long_window }})
            as persistence_pos_{{ long_window }},
        count_tmf_hold_neg_{{ long_window }} / least(bar_index + 1, {{ long_window }})
            as persistence_neg_{{ long_window }},
        count_tmf_zero_up_{{ long_window }} + count_tmf_zero_down_{{ long_window }}
            as oscillation_index_{{ long_window }},
        count_tmf_respect_fail_down_{{ long_window }} - count_tmf_respect_fail_up_{{ long_window }}
            as respect_fail_balance_{{ long_window }},
        -- fill 0 (S0) before a segment's first bar, whose own state is always S0
        coalesce(flow_state_code_lag_1, 0)::tinyint as state_prev,
        coalesce(flow_state_code <> flow_state_code_lag_1, false) as is_state_changed,
        state_run_length::integer as state_run_length,
        (coalesce(flow_state_code_lag_1, 0) * 10 + flow_state_code)::smallint as state_transition_code,
        -- bars since the latest state change; before the first one, since the segment's start
        (state_run_length - 1)::integer as bs_state_change,
        'gold_features_v1' as feature_calc_version
    from with_flow_scores

)

select * from final
