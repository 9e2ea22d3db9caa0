{#- Store the single column of `query` as a list in a session variable called `name`, in
    ascending order (an empty list when the query returns no rows). Used in pre-hooks to hand a
    computed file list to a table function, which only takes constant arguments. -#}
{% macro set_list_variable(name, query) -%}
    {{ return(adapter.dispatch('set_list_variable', 'market_warehouse')(name, query)) }}
{%- endmacro %}

{% macro duckdb__set_list_variable(name, query) -%}
    set variable {{ name }} = (
        select coalesce(list(list_item order by list_item), [])
        from ({{ query }}) as list_source (list_item)
    )
{%- endmacro %}
