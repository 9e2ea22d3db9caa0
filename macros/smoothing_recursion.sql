{#- Runs first-order recursions (EMA, Wilder and similar smoothers) over every series of
    `source` at once and returns a subquery with `partition_column`, `order_column` and one
    column per state.

    `source` is a relation or CTE with one row per (`partition_column`, `order_column`), where
    `order_column` is a dense 0-based row index inside the partition. `states` is a list of
    dicts `{name, expression, type}`: `expression` gives the state at the current row from
    columns of the current input row (`cur.<column>`) and the states of the previous row
    (`prev.<state>`). On row 0 every `prev.<state>` is NULL, so each expression also states its
    own seed. Expressions may use any previous state, so several smoothers (and smoothers of
    smoothers) advance together in one pass. Columns named in `carry` are copied from the input
    row to the output unchanged, so the caller needs no join back to the input.

    Why one recursive CTE carrying every state (see docs/silver.md for the figures): DuckDB has
    no exponential window function. On DuckDB 2.0 a recursive CTE joined on (series, row + 1)
    is exact (it performs the same floating-point operations in the same order as TA-Lib's C
    loop) and fast, because the hash table over the input is built once and each iteration
    only touches one row per series. Carrying all states in one recursion costs one pass; a
    recursion per smoother joined back costs one pass each plus the joins. Closed forms with
    cumulative sums overflow after a few thousand bars unless blocked, and even blocked they
    were slower here and not bit-exact.

    DuckDB runs one recursive CTE on one thread, but the branches of a `union all` on separate
    threads. So the series are split into as many branches as DuckDB has threads (by a hash
    of `partition_column`), each with its own recursion: every series still advances alone,
    so the values are the same bits whatever the split. With 2 threads this took the 9.6M-row
    `silver_indicator_values` from 31 s to 24 s; more branches than threads were slower (the
    branches then queue, each paying its own iterations). -#}
{% macro smoothing_recursion(source, partition_column, order_column, states, carry=[]) -%}
    {{ return(adapter.dispatch('smoothing_recursion', 'market_warehouse')(
        source, partition_column, order_column, states, carry
    )) }}
{%- endmacro %}

{% macro duckdb__smoothing_recursion(source, partition_column, order_column, states, carry) -%}
    {%- set branches = 1 -%}
    {%- if execute -%}
        {%- set branches = run_query("select current_setting('threads')").columns[0].values()[0] | int -%}
    {%- endif -%}
    {#- the select list of the seed row and of each step: every state from `cur` and `prev` -#}
    {%- set step_select -%}
                select
                    cur.{{ partition_column }},
                    cur.{{ order_column }},
                    {%- for column in carry %}
                    cur.{{ column }},
                    {%- endfor %}
                    {%- for state in states %}
                    ({{ state.expression }})::{{ state.get('type', 'double') }} as {{ state.name }}{% if not loop.last %},{% endif %}
                    {%- endfor %}
    {%- endset -%}
    (
        {%- for branch in range(branches) %}
        {%- set branch_source = source if branches == 1 else
            '(select * from ' ~ source ~ ' where hash(' ~ partition_column ~ ') % '
            ~ branches ~ ' = ' ~ branch ~ ')' %}
        {%- if not loop.first %}

        union all

        {% endif %}
        select * from (
            with recursive

            smoothing_seed as (

                select
                    {%- for state in states %}
                    null::{{ state.get('type', 'double') }} as {{ state.name }}{% if not loop.last %},{% endif %}
                    {%- endfor %}

            ),

            smoothed as (

                {{ step_select | trim }}
                from {{ branch_source }} as cur
                cross join smoothing_seed as prev
                where cur.{{ order_column }} = 0

                union all

                {{ step_select | trim }}
                from smoothed as prev
                inner join {{ branch_source }} as cur
                    on prev.{{ partition_column }} = cur.{{ partition_column }}
                    and prev.{{ order_column }} + 1 = cur.{{ order_column }}

            )

            select * from smoothed
        )
        {%- endfor %}
    )
{%- endmacro %}
