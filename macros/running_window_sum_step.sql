{#- One step of a running window sum, as a SQL expression for `smoothing_recursion`: the
    previous sum, minus the value that left the window (`trailing`, the value `period` rows
    back; NULL while the window is still filling), plus the new value `x`. This is the
    subtract-then-add order of TA-Lib's TA_INT_SMA (and of a polars rolling mean), so the sums
    round exactly as TA-Lib's do. The order is fixed per series, so the result does not depend
    on which other series are in the same run (DuckDB's windowed DOUBLE sums do). -#}
{% macro running_window_sum_step(x, previous, trailing) -%}
    (coalesce({{ previous }}, 0.0::double) - coalesce({{ trailing }}, 0.0::double)) + {{ x }}
{%- endmacro %}
