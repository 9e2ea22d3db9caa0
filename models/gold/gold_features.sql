{{ config(materialized='view') }}

{#- Features v1 (REFERENCE Part A §6 with Part B 12, 13): row-wise functions of the window
    results stored in gold_flow_values (never of gold_labels). A NULL that only means "no event
    yet" gets the fill value stated in _gold__models.yml and docs/gold.md. -#}

{%- set eps = var('gold_eps') -%}
{%- set windows = var('activity_windows') | unique | sort -%}
{%- set long_window = var('flow_long_window') -%}
{%- set clip = var('recency_clip_bars') -%}
{%- set weight_zero = var('flow_score_weight_zero') -%}
{%- set weight_respect = var('flow_score_weight_respect') -%}
{%- set weight_burst = var('flow_score_weight_burst') -%}
{%- set weight_hold = var('flow_score_weight_hold') -%}
{%- set recency_events = [
    ('tmf_zero_up', 'tmf_zero_up'), ('tmf_zero_down', 'tmf_zero_down'),
    ('tmf_burst_up', 'tmf_burst_up'), ('tmf_burst_down', 'tmf_burst_down'),
    ('tmf_respect_up', 'tmf_respect_zero_up'), ('tmf_respect_down', 'tmf_respect_zero_down'),
] %}

with

gold_flow_values as (

    select * from {{ ref('gold_flow_values') }}

),

with_flow_scores as (

    select
        *,
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
    from gold_flow_values

),

final as (

    select
        ticker,
        trade_date,
        series_segment_no,
        row_number_in_segment,
        flow_state_code,
        tmf_slope_10,
        tmf_curvature_1,
        tmf_sign > 0 as is_tmf_above_zero,
        tmf_sign < 0 as is_tmf_below_zero,
        tti_proxy_slope_1,
        tti_proxy_slope_5,
        tmf_sign = tti_proxy_sign and tmf_sign <> 0 as is_tmf_tti_sign_agree,
        tmf_sign * tti_proxy_sign < 0 as is_tmf_tti_divergence,
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
        count_tmf_hold_pos_{{ long_window }} / least(row_number_in_segment, {{ long_window }})
            as persistence_pos_{{ long_window }},
        count_tmf_hold_neg_{{ long_window }} / least(row_number_in_segment, {{ long_window }})
            as persistence_neg_{{ long_window }},
        count_tmf_zero_up_{{ long_window }} + count_tmf_zero_down_{{ long_window }}
            as oscillation_index_{{ long_window }},
        respect_fail_balance_{{ long_window }},
        state_prev,
        is_state_changed,
        state_run_length,
        (state_prev * 10 + flow_state_code)::smallint as state_transition_code,
        -- bars since the latest state change; before the first one, since the segment's start
        state_run_length - 1 as bs_state_change,
        'gold_features_v1' as feature_calc_version
    from with_flow_scores

)

select * from final
