with

bronze_ohlcv as (

    select * from {{ ref('bronze_ohlcv') }}

),

final as (

    select
        year(trade_date) as trade_year,
        count(*) as rows_total,
        count(*) filter (where is_valid) as rows_valid,
        count(*) filter (where not is_valid) as rows_invalid,
        count(distinct ticker) as ticker_count
    from bronze_ohlcv
    group by year(trade_date)

)

select * from final
