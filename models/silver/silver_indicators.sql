{{ config(materialized='view') }}

{#- The full indicator set: the stored values of silver_indicator_values plus the columns that
    are cheap row-wise functions of them (signs, readiness, absolute values, MACD histogram,
    Bollinger bands from the middle band and the deviation, constants), cheaper to compute when
    read than to write (DESIGN §7). -#}

{%- set tmf_n = var('tmf_period') -%}
{%- set tti_n = var('tti_proxy_period') -%}
{%- set atr_n = var('atr_period') -%}
{%- set macd_suffix = var('macd_fast_period') ~ '_' ~ var('macd_slow_period') ~ '_'
    ~ var('macd_signal_period') -%}
{%- set bb_n = var('bbands_period') -%}
{%- set bb_k = var('bbands_nbdev') -%}
{%- set adx_n = var('adx_period') -%}

with

silver_indicator_values as (

    select * from {{ ref('silver_indicator_values') }}

),

final as (

    select
        ticker,
        trade_date,
        bronze_loaded_at,
        series_segment_no,
        row_number_in_segment,
        ad_wilder_{{ tmf_n }},
        volume_wilder_{{ tmf_n }},
        proxy_wilder_{{ tti_n }},
        proxy_den_wilder_{{ tti_n }},
        tmf_{{ tmf_n }},
        tmf_{{ tmf_n }} is not null as is_tmf_ready_{{ tmf_n }},
        is_tmf_zero_cross_up,
        is_tmf_zero_cross_down,
        coalesce(sign(tmf_{{ tmf_n }}), 0)::tinyint as tmf_sign,
        abs(tmf_{{ tmf_n }}) as tmf_abs,
        tmf_slope_1,
        tmf_slope_5,
        tmf_ema_{{ var('tmf_ema_span') }},
        coalesce(tmf_{{ tmf_n }} > 0, false) as is_tmf_above_zero,
        coalesce(tmf_{{ tmf_n }} < 0, false) as is_tmf_below_zero,
        is_tmf_respect_zero_up_candidate,
        is_tmf_respect_zero_down_candidate,
        tti_proxy_v1_{{ tti_n }},
        'PROXY_UNDISCLOSED_ORIGINAL' as tti_formula_status,
        'v1' as tti_proxy_version,
        tti_proxy_v1_{{ tti_n }} is not null as is_tti_proxy_ready_{{ tti_n }},
        is_tti_proxy_zero_cross_up,
        is_tti_proxy_zero_cross_down,
        coalesce(sign(tti_proxy_v1_{{ tti_n }}), 0)::tinyint as tti_proxy_sign,
        {{ tmf_n }}::integer as tmf_period,
        {{ tti_n }}::integer as tti_proxy_period,
        'twiggs_indicators_v1' as indicator_calc_version,
        {%- for period in var('sma_periods') %}
        sma_{{ period }},
        {%- endfor %}
        {%- for period in var('ema_periods') %}
        ema_{{ period }},
        {%- endfor %}
        rsi_{{ var('rsi_period') }},
        atr_{{ atr_n }},
        natr_{{ atr_n }},
        natr_{{ atr_n }} / 100.0 as atr_pct_{{ atr_n }},
        macd_{{ macd_suffix }},
        macd_signal_{{ macd_suffix }},
        macd_{{ macd_suffix }} - macd_signal_{{ macd_suffix }} as macd_hist_{{ macd_suffix }},
        bbands_middle_{{ bb_n }}_{{ bb_k }} + bbands_stddev_{{ bb_n }} * {{ bb_k }}
            as bbands_upper_{{ bb_n }}_{{ bb_k }},
        bbands_middle_{{ bb_n }}_{{ bb_k }},
        bbands_middle_{{ bb_n }}_{{ bb_k }} - bbands_stddev_{{ bb_n }} * {{ bb_k }}
            as bbands_lower_{{ bb_n }}_{{ bb_k }},
        adx_{{ adx_n }},
        plus_di_{{ adx_n }},
        minus_di_{{ adx_n }},
        obv,
        mfi_{{ var('mfi_period') }},
        willr_{{ var('willr_period') }},
        cci_{{ var('cci_period') }},
        roc_{{ var('roc_period') }},
        stoch_k_{{ var('stoch_fastk_period') }}_{{ var('stoch_slowk_period') }},
        stoch_d_{{ var('stoch_fastk_period') }}_{{ var('stoch_slowd_period') }}
    from silver_indicator_values

)

select * from final
