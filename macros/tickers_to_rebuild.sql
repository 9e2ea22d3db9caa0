{#- Tickers an incremental silver or gold model must recompute (a select of `ticker`): on a
    full build every ticker of `current_markers`; on an incremental run those whose marker
    differs from what the model stored. `current_markers` names a relation or CTE with one row
    per ticker and the columns `ticker`, `bronze_loaded_at` (latest bronze load of the
    ticker's rows) and `row_count`. A ticker is rebuilt when it is new, when its latest load time changed, or when
    its number of rows changed. Tickers that vanished from bronze are removed by the model's
    post-hook, not here. -#}
{% macro tickers_to_rebuild(current_markers, stored_relation) -%}
{%- if not is_incremental() %}

    select current_markers.ticker
    from {{ current_markers }} as current_markers

{%- else %}

    select current_markers.ticker
    from {{ current_markers }} as current_markers
    left join (
        select
            ticker,
            max(bronze_loaded_at) as bronze_loaded_at,
            count(*) as row_count
        from {{ stored_relation }}
        group by ticker
    ) as stored_markers
        on current_markers.ticker = stored_markers.ticker
    where stored_markers.ticker is null
        or stored_markers.bronze_loaded_at is distinct from current_markers.bronze_loaded_at
        or stored_markers.row_count <> current_markers.row_count

{%- endif %}
{%- endmacro %}
