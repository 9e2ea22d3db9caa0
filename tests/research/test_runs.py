import datetime as dt
import hashlib

import numpy as np
import pytest

from market_warehouse.research import params_hash, research_run_row


def test_params_hash_is_sha256_of_sorted_compact_json():
    params = {"n_clusters": 5, "method": "kmeans", "train_end": dt.date(2020, 12, 31)}
    expected_json = '{"method":"kmeans","n_clusters":5,"train_end":"2020-12-31"}'
    assert params_hash(params) == hashlib.sha256(expected_json.encode()).hexdigest()


def test_params_hash_ignores_key_order_and_normalises_numpy_and_tuples():
    a = {"k": np.int64(5), "seeds": (1, 2), "nested": {"b": 1.5, "a": None}}
    b = {"nested": {"a": None, "b": 1.5}, "seeds": [1, 2], "k": 5}
    assert params_hash(a) == params_hash(b)
    assert params_hash(a) != params_hash({**b, "k": 6})
    with pytest.raises(ValueError):
        params_hash({"x": float("nan")})


def test_research_run_row_has_one_row_with_deterministic_id_and_counts():
    params = {"method": "gmm", "n_clusters": 4}
    row = research_run_row("research_clusters_gmm", params, {"n_rows_input": 10, "n_rows_fit": 7})
    assert len(row) == 1
    r = row.iloc[0]
    assert r["params_hash"] == params_hash(params)
    assert r["run_id"] == "research_clusters_gmm-" + params_hash(params)[:12]
    assert r["params_json"] == '{"method":"gmm","n_clusters":4}'
    assert r["n_rows_input"] == 10 and r["n_rows_fit"] == 7 and row["n_rows_predict"].isna().all()
    assert r["row_counts_json"] == '{"n_rows_fit":7,"n_rows_input":10}'
