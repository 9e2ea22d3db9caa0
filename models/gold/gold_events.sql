{{ config(materialized='view') }}

{#- Event grammar v1 (REFERENCE Part A §5 with Part B): the event flags, bars-since counters,
    rolling activity and asymmetry and the S0..S4 state of every bar. The window results are
    stored in gold_flow_values; this view adds the row-wise sums, differences and labels. -#}

{%- set windows = var('activity_windows') | unique | sort -%}
{%- set long_window = var('flow_long_window') -%}
{%- set event_flags = [
    'ev_tmf_zero_up', 'ev_tmf_zero_down', 'ev_tti_zero_up', 'ev_tti_zero_down',
    'ev_tmf_pivot_low', 'ev_tmf_pivot_high', 'ev_tmf_respect_zero_up', 'ev_tmf_respect_zero_down',
    'ev_tmf_respect_fail_up', 'ev_tmf_respect_fail_down', 'ev_tmf_burst_up', 'ev_tmf_burst_down',
    'ev_tmf_hold_pos', 'ev_tmf_hold_neg', 'ev_tti_burst_up', 'ev_tti_burst_down',
    'ev_tti_hold_pos', 'ev_tti_hold_neg',
] -%}
{%- set bs_events = [
    'tmf_zero_up', 'tmf_zero_down', 'tmf_respect_zero_up', 'tmf_respect_zero_down',
    'tmf_burst_up', 'tmf_burst_down', 'tti_zero_up', 'tti_zero_down',
] %}

with

gold_flow_values as (

    select * from {{ ref('gold_flow_values') }}

),

with_event_sums as (

    select
        *,
        {%- for window in windows %}
        count_tmf_zero_up_{{ window }} + count_tmf_respect_zero_up_{{ window }}
        + count_tmf_burst_up_{{ window }} as tmf_long_events_{{ window }},
        count_tmf_zero_down_{{ window }} + count_tmf_respect_zero_down_{{ window }}
        + count_tmf_burst_down_{{ window }} as tmf_short_events_{{ window }},
        {%- endfor %}
    from gold_flow_values

),

final as (

    select
        ticker,
        trade_date,
        series_segment_no,
        row_number_in_segment,
        {%- for flag in event_flags %}
        {{ flag }},
        {%- endfor %}
        {%- for event in bs_events %}
        bs_{{ event }},
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
    from with_event_sums

)

select * from final
