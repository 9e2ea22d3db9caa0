"""Research models on the gold feature set: clustering and HMM regimes.

Pure functions and scikit-learn-style estimators over pandas frames; no file or database I/O.
Modules: ``preprocessing`` (features, null policy, scaler), ``splits`` (purged time split),
``clustering``, ``hmm``, ``profiles``, ``metrics``, ``runs`` and ``pipeline`` (one-call runs
for dbt Python models).
"""

from market_warehouse.research.clustering import (
    ClusterModel,
    StabilityResult,
    cluster_assignments,
    cluster_stability,
    cluster_sweep,
    model_metrics,
)
from market_warehouse.research.hmm import (
    HMMStabilityResult,
    RegimeHMM,
    Sequences,
    build_sequences,
    decode_frame,
    dwell_stats,
    forward_filter,
    hmm_stability,
    initial_distribution,
    model_frames,
    repair_params,
    state_crosstab,
    state_frequency,
    state_profiles,
    transition_counts,
)
from market_warehouse.research.metrics import (
    align_by_means,
    geometry_metrics,
    pairwise_ari,
    row_entropy,
)
from market_warehouse.research.pipeline import (
    ResearchResult,
    limit_threads,
    run_clustering,
    run_hmm,
)
from market_warehouse.research.preprocessing import (
    DEFAULT_FEATURES,
    FORWARD_COLUMNS,
    NULL_FILL_VALUES,
    FeatureScaler,
    PreparedFeatures,
    prepare_features,
)
from market_warehouse.research.profiles import profile_frame, robustness_summary
from market_warehouse.research.runs import params_hash, research_run_row
from market_warehouse.research.splits import SplitMasks, make_split, time_split

__all__ = [
    "DEFAULT_FEATURES",
    "FORWARD_COLUMNS",
    "NULL_FILL_VALUES",
    "ClusterModel",
    "FeatureScaler",
    "HMMStabilityResult",
    "PreparedFeatures",
    "RegimeHMM",
    "ResearchResult",
    "Sequences",
    "SplitMasks",
    "StabilityResult",
    "align_by_means",
    "build_sequences",
    "cluster_assignments",
    "cluster_stability",
    "cluster_sweep",
    "decode_frame",
    "dwell_stats",
    "forward_filter",
    "geometry_metrics",
    "hmm_stability",
    "initial_distribution",
    "limit_threads",
    "make_split",
    "model_frames",
    "model_metrics",
    "pairwise_ari",
    "params_hash",
    "prepare_features",
    "profile_frame",
    "repair_params",
    "research_run_row",
    "robustness_summary",
    "row_entropy",
    "run_clustering",
    "run_hmm",
    "state_crosstab",
    "state_frequency",
    "state_profiles",
    "time_split",
    "transition_counts",
]
