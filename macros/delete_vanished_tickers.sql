{#- Post-hook of the incremental silver and gold models: delete the rows of tickers that are no longer in
    `source_relation` (their bronze rows vanished). delete+insert by ticker cannot do it, since a
    vanished ticker has no new rows. Does nothing on a full refresh. -#}
{% macro delete_vanished_tickers(source_relation) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where ticker not in (select distinct ticker from {{ source_relation }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
