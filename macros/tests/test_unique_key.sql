{#- Primary-key test for one or more columns: fails on every key that is NULL in any part or
    occurs more than once. dbt_utils cannot be installed here, so this is our own. -#}
{% test unique_key(model, columns) %}

with

keyed as (

    select {{ columns | join(', ') }}
    from {{ model }}

),

null_keys as (

    select {{ columns | join(', ') }}, 1 as copies
    from keyed
    where {% for column in columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}

),

repeated_keys as (

    select {{ columns | join(', ') }}, count(*) as copies
    from keyed
    group by {{ columns | join(', ') }}
    having count(*) > 1

)

select * from null_keys
union all
select * from repeated_keys

{% endtest %}
