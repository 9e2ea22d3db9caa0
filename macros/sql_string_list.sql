{#- A list of strings as SQL literals separated by commas ('a', 'b''c'), single quotes doubled,
    for an `in (...)` list built from a var. -#}
{% macro sql_string_list(values) -%}
    {%- for value in values %}'{{ value | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}
