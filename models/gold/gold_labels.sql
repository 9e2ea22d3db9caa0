{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='ticker',
    on_schema_change='fail',
    post_hook="{{ delete_vanished_tickers(ref('silver_base_series')) }}",
) }}

{#- Forward outcomes and triple-barrier labels: the only gold model that reads bars after t
    (every computed column is `fwd_*` or `label_*`). Horizons count rows of the same series
    segment: a horizon that would run past the segment's last bar (the end of the data, or a
    long gap) is incomplete and its outcome is NULL. Rules in docs/gold.md. -#}

{%- set eps = var('gold_eps') -%}
{%- set atr_column = 'atr_' ~ var('atr_period') -%}
{%- set horizon = var('label_horizon_bars') -%}
{%- set vol_window = var('forward_vol_window') -%}
{%- set return_windows = var('forward_return_windows') | unique | sort -%}
{%- set close_offsets = (range(1, [horizon, vol_window] | max + 1) | list + return_windows) | unique | sort -%}
{%- set barrier_offsets = range(1, horizon + 1) | list -%}
{%- set touch_mode = var('label_touch_mode') -%}
{%- if touch_mode not in ['high_low', 'close'] -%}
    {{ exceptions.raise_compiler_error("var label_touch_mode must be 'high_low' or 'close'") }}
{%- endif -%}
{%- set pt_mult = var('label_pt_mult') -%}
{%- set sl_mult = var('label_sl_mult') -%}
{%- set round_trip_cost = var('label_cost_bps') / 10000.0 -%}
{%- set upper_price = 'high_lead_{k}' if touch_mode == 'high_low' else 'close_lead_{k}' -%}
{%- set lower_price = 'low_lead_{k}' if touch_mode == 'high_low' else 'close_lead_{k}' -%}

with

-- inlined: the ticker markers and the rows each read the table, cheaper than a kept copy
silver_base_series as {{ inline_cte() }} (

    select
        ticker,
        trade_date,
        bronze_loaded_at,
        series_segment_no::integer as series_segment_no,
        row_number_in_segment::integer as row_number_in_segment,
        open,
        high,
        low,
        close
    from {{ ref('silver_base_series') }}

),

silver_indicators as (

    select
        ticker,
        trade_date,
        {{ atr_column }} as atr
    from {{ ref('silver_indicators') }}

),

ticker_markers as (

    select
        ticker,
        max(bronze_loaded_at) as bronze_loaded_at,
        count(*) as row_count
    from silver_base_series
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
        ticker_ids.ticker_id * 100000 + silver_base_series.series_segment_no as segment_key,
        silver_base_series.row_number_in_segment - 1 as bar_index,
        silver_base_series.trade_date,
        silver_base_series.open,
        silver_base_series.high,
        silver_base_series.low,
        silver_base_series.close,
        silver_indicators.atr
    from silver_base_series
    inner join ticker_ids
        on silver_base_series.ticker = ticker_ids.ticker
    left join silver_indicators
        on
            silver_base_series.ticker = silver_indicators.ticker
            and silver_base_series.trade_date = silver_indicators.trade_date

),

with_next_bars as (

    select
        *,
        {%- for offset in close_offsets %}
        lead(close, {{ offset }}) over by_segment as close_lead_{{ offset }},
        {%- endfor %}
        {%- if touch_mode == 'high_low' %}
        {%- for offset in barrier_offsets %}
        lead(high, {{ offset }}) over by_segment as high_lead_{{ offset }},
        lead(low, {{ offset }}) over by_segment as low_lead_{{ offset }},
        {%- endfor %}
        {%- endif %}
    from bars
    window by_segment as (partition by segment_key order by bar_index)

),

with_barriers as (

    select
        *,
        -- a barrier label needs the whole horizon inside the segment and a volatility target
        coalesce(close_lead_{{ horizon }} is not null and atr > 0 and close > {{ eps }}, false)
            as has_barrier_label,
        close + {{ pt_mult }} * atr as upper_barrier,
        close - {{ sl_mult }} * atr as lower_barrier,
        close_lead_1 / close - 1 as next_return_1,
        {%- for offset in range(2, vol_window + 1) %}
        close_lead_{{ offset }} / close_lead_{{ offset - 1 }} - 1 as next_return_{{ offset }},
        {%- endfor %}
    from with_next_bars

),

with_first_touches as (

    select
        *,
        -- a multiplier of 0 or less disables its barrier (as in mlfinlab)
        {%- if pt_mult > 0 %}
        {{ first_offset_where(upper_price ~ ' >= upper_barrier', barrier_offsets) }}
        {%- else %}
        null::integer
        {%- endif %} as upper_touch_offset,
        {%- if sl_mult > 0 %}
        {{ first_offset_where(lower_price ~ ' <= lower_barrier', barrier_offsets) }}
        {%- else %}
        null::integer
        {%- endif %} as lower_touch_offset,
        (
            {%- for offset in range(1, vol_window + 1) %}
            next_return_{{ offset }}{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) / {{ vol_window }} as next_return_mean
    from with_barriers

),

-- the forward outcomes and the touch; only these columns go on to the second sort
with_touch as (

    select
        segment_key,
        bar_index,
        trade_date,
        open,
        close,
        upper_barrier,
        lower_barrier,
        {%- for window in return_windows %}
        {{ silver_safe_div('close_lead_' ~ window, 'close', eps) }} - 1 as fwd_ret_{{ window }},
        {%- endfor %}
        abs({{ silver_safe_div('close_lead_' ~ vol_window, 'close', eps) }} - 1)
            as fwd_abs_ret_{{ vol_window }},
        -- population standard deviation of the next returns; NULL unless all of them exist
        sqrt((
            {%- for offset in range(1, vol_window + 1) %}
            pow(next_return_{{ offset }} - next_return_mean, 2){% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) / {{ vol_window }}) as fwd_vol_{{ vol_window }},
        -- the first barrier touched; on a bar touching both, the stop-loss (conservative),
        -- unless that bar opened at or above the upper barrier (decided with its open below)
        case
            when not has_barrier_label then null
            when lower_touch_offset <= coalesce(upper_touch_offset, {{ horizon }}) then 'lower'
            when upper_touch_offset is not null then 'upper'
            else 'vertical'
        end as first_touched_barrier,
        coalesce(lower_touch_offset = upper_touch_offset, false) as is_both_touched_on_one_bar,
        case
            when not has_barrier_label then null
            when lower_touch_offset <= coalesce(upper_touch_offset, {{ horizon }}) then lower_touch_offset
            when upper_touch_offset is not null then upper_touch_offset
            else {{ horizon }}
        end as touch_offset
    from with_first_touches

),

with_touch_bar as (

    select
        *,
        {{ lead_by('trade_date', 'touch_offset', 'by_segment') }} as touch_date,
        {{ lead_by('open', 'touch_offset', 'by_segment') }} as touch_bar_open,
        {{ lead_by('close', 'touch_offset', 'by_segment') }} as touch_bar_close
    from with_touch
    window by_segment as (partition by segment_key order by bar_index)

),

with_barrier_touched as (

    select
        *,
        {%- if touch_mode == 'high_low' %}
        -- the open is the bar's first price: a bar that opens at or above the upper barrier
        -- reached it first, whatever its low did later (no tie to break)
        case
            when is_both_touched_on_one_bar and touch_bar_open >= upper_barrier then 'upper'
            else first_touched_barrier
        end as touched_barrier
        {%- else %}
        first_touched_barrier as touched_barrier
        {%- endif %}
    from with_touch_bar

),

with_exit_return as (

    select
        *,
        case
            {%- if touch_mode == 'high_low' %}
            -- filled at the barrier, or at the open when the bar opened beyond it
            when touched_barrier = 'upper' then greatest(touch_bar_open, upper_barrier)
            when touched_barrier = 'lower' then least(touch_bar_open, lower_barrier)
            {%- endif %}
            when touched_barrier is not null then touch_bar_close
        end / close - 1 - {{ round_trip_cost }} as net_barrier_return
    from with_barrier_touched

),

final as (

    select
        ticker_ids.ticker,
        with_exit_return.trade_date,
        ticker_ids.bronze_loaded_at,
        {%- for window in return_windows %}
        with_exit_return.fwd_ret_{{ window }},
        {%- endfor %}
        with_exit_return.fwd_abs_ret_{{ vol_window }},
        with_exit_return.fwd_vol_{{ vol_window }},
        case
            when with_exit_return.touched_barrier = 'upper' and with_exit_return.net_barrier_return > 0 then 1
            when with_exit_return.touched_barrier = 'lower' and with_exit_return.net_barrier_return < 0 then -1
            when with_exit_return.touched_barrier is not null then 0
        end::tinyint as label_tb_value,
        with_exit_return.touched_barrier as label_tb_barrier,
        with_exit_return.touch_date as label_tb_touch_date,
        with_exit_return.touch_offset::integer as label_tb_bars_to_touch,
        with_exit_return.net_barrier_return as label_tb_return,
        'labels_v1' as label_calc_version
    from with_exit_return
    inner join ticker_ids
        on with_exit_return.segment_key // 100000 = ticker_ids.ticker_id

)

select * from final
