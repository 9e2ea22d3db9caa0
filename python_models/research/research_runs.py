"""One row per research model: parameters, their hash and row counts (docs/research.md)."""

from market_warehouse.research.dbt_models import runs_table


def model(dbt, session):
    dbt.config(materialized="table")
    tables = {
        "research_zscores": dbt.ref("research_zscores"),
        "research_cluster_assignments": dbt.ref("research_cluster_assignments"),
        "research_cluster_profiles": dbt.ref("research_cluster_profiles"),
        "research_cluster_sweep": dbt.ref("research_cluster_sweep"),
        "research_cluster_stability": dbt.ref("research_cluster_stability"),
        "research_hmm_model": dbt.ref("research_hmm_model"),
        "research_hmm_states": dbt.ref("research_hmm_states"),
        "research_hmm_transitions": dbt.ref("research_hmm_transitions"),
        "research_hmm_dwell": dbt.ref("research_hmm_dwell"),
        "research_hmm_profiles": dbt.ref("research_hmm_profiles"),
        "research_hmm_crosstab": dbt.ref("research_hmm_crosstab"),
        "research_hmm_stability": dbt.ref("research_hmm_stability"),
    }
    return runs_table(tables, dbt.ref("research_dataset"), dbt.config.get("research"))
