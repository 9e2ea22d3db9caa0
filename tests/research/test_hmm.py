# X is the feature matrix (scikit-learn convention).
# ruff: noqa: N806
import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hmmlearn.hmm import GaussianHMM
from scipy.stats import norm
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from market_warehouse.research import (
    RegimeHMM,
    align_by_means,
    build_sequences,
    decode_frame,
    dwell_stats,
    forward_filter,
    hmm_stability,
    initial_distribution,
    model_frames,
    prepare_features,
    run_hmm,
    state_crosstab,
    state_frequency,
    state_profiles,
    transition_counts,
)
from market_warehouse.research.hmm import forward_filter_proba, log_emission_diag

FIT = dict(n_states=3, n_iter=100, tol=1e-3, n_restarts=2, min_sequence_length=50)


@pytest.fixture(scope="module")
def fitted(planted_hmm):
    return RegimeHMM(random_state=11, **FIT).fit(planted_hmm.X, planted_hmm.lengths)


# ---------------------------------------------------------------- hand-worked filter


PI = np.array([0.6, 0.4])
A = np.array([[0.7, 0.3], [0.2, 0.8]])
B = np.array([[0.5, 0.1], [0.2, 0.4], [0.9, 0.1]])  # b_t(k) for t = 0, 1, 2


def test_filtered_posterior_matches_a_two_state_three_step_hand_computation():
    log_f, ll = forward_filter(PI, A, np.log(B))
    # t0: (0.6*0.5, 0.4*0.1) = (0.30, 0.04) -> (15/17, 2/17)
    # t1: predict (10.9/17, 6.1/17); times (0.2, 0.4) -> (2.18, 2.44) -> (109/231, 122/231)
    # t2: predict (100.7/231, 130.3/231); times (0.9, 0.1) -> (90.63, 13.03) / 103.66
    expected = np.array(
        [
            [15 / 17, 2 / 17],
            [109 / 231, 122 / 231],
            [90.63 / 103.66, 13.03 / 103.66],
        ]
    )
    np.testing.assert_allclose(np.exp(log_f), expected, rtol=1e-12)
    # likelihood = 0.34 * (4.62 / 17) * (103.66 / 231)
    assert ll[0] == pytest.approx(math.log(0.34 * (4.62 / 17) * (103.66 / 231)), rel=1e-12)


def test_filtered_posterior_equals_brute_force_path_enumeration():
    # p(z_t | x_1..t) = sum over paths of the first t+1 steps ending in z_t, normalised.
    for t in range(3):
        joint = np.zeros(2)
        for path in itertools.product(range(2), repeat=t + 1):
            p = PI[path[0]] * B[0, path[0]]
            for s in range(1, t + 1):
                p *= A[path[s - 1], path[s]] * B[s, path[s]]
            joint[path[-1]] += p
        log_f, _ = forward_filter(PI, A, np.log(B[: t + 1]))
        np.testing.assert_allclose(np.exp(log_f[-1]), joint / joint.sum(), rtol=1e-12)


def test_emission_density_matches_scipy_and_filter_matches_hmmlearn(fitted, planted_hmm):
    X = planted_hmm.X[:300]
    lb = log_emission_diag(X, fitted.means_, fitted.covars_)
    ref = norm.logpdf(X[:, None, :], fitted.means_, np.sqrt(fitted.covars_)).sum(axis=2)
    np.testing.assert_allclose(lb, ref, rtol=1e-12)
    g = GaussianHMM(3, covariance_type="diag")
    g.startprob_, g.transmat_, g.means_, g.covars_ = (
        fitted.startprob_,
        fitted.transmat_,
        fitted.means_,
        fitted.covars_,
    )
    # The smoothed posterior of the LAST row equals the filtered one (no future rows).
    filt = fitted.filter_proba(X)
    for t in (1, 17, 150, 300):
        np.testing.assert_allclose(g.predict_proba(X[:t])[-1], filt[t - 1], atol=1e-10)
    assert fitted.score(X) == pytest.approx(g.score(X), rel=1e-10)


def _per_sequence_reference(startprob, transmat, log_b, lengths):
    """The forward recursion written out one sequence and one row at a time."""
    out, loglik, start = np.empty_like(log_b), [], 0
    for n in lengths:
        total = 0.0
        for t in range(start, start + n):
            if t == start:
                a = np.log(startprob) + log_b[t]
            else:
                prev = np.exp(out[t - 1])
                a = np.log(prev @ transmat) + log_b[t]
            c = np.log(np.exp(a - a.max()).sum()) + a.max()
            out[t] = a - c
            total += c
        loglik.append(total)
        start += n
    return out, np.array(loglik)


def test_lockstep_filter_equals_a_per_sequence_reference_on_sequences_of_many_lengths():
    rng = np.random.default_rng(5)
    k = 4
    lengths = np.array([1, 7, 300, 2, 45, 300, 1, 120, 33])
    startprob = rng.dirichlet(np.ones(k))
    transmat = rng.dirichlet(np.ones(k) * 0.5, size=k)
    log_b = rng.normal(-30.0, 12.0, size=(lengths.sum(), k))
    log_f, loglik = forward_filter(startprob, transmat, log_b, lengths)
    ref_f, ref_ll = _per_sequence_reference(startprob, transmat, log_b, lengths)
    np.testing.assert_allclose(np.exp(log_f), np.exp(ref_f), rtol=0, atol=1e-12)
    np.testing.assert_allclose(loglik, ref_ll, rtol=1e-12)
    # decoding the sequences in any grouping gives the same bits
    cut = int(lengths[:4].sum())
    first, _ = forward_filter(startprob, transmat, log_b[:cut], lengths[:4])
    second, _ = forward_filter(startprob, transmat, log_b[cut:], lengths[4:])
    np.testing.assert_array_equal(np.vstack([first, second]), log_f)


def test_scaled_probability_filter_equals_the_log_space_filter_and_the_reference():
    rng = np.random.default_rng(8)
    for k in (2, 5):
        lengths = rng.integers(1, 400, size=25)
        lengths[3] = 0  # an empty sequence is allowed
        startprob = rng.dirichlet(np.ones(k))
        transmat = rng.dirichlet(np.ones(k) * 0.3, size=k)
        log_b = rng.normal(-35.0, 15.0, size=(lengths.sum(), k))
        proba, loglik = forward_filter_proba(startprob, transmat, log_b, lengths)
        log_f, ref_ll = forward_filter(startprob, transmat, log_b, lengths)
        np.testing.assert_allclose(proba, np.exp(log_f), rtol=0, atol=1e-12)
        np.testing.assert_allclose(loglik, ref_ll, rtol=1e-12)
        keep = lengths > 0
        ref_f, ref_ll2 = _per_sequence_reference(startprob, transmat, log_b, lengths[keep])
        np.testing.assert_allclose(proba, np.exp(ref_f), rtol=0, atol=1e-12)
        np.testing.assert_allclose(loglik[keep], ref_ll2, rtol=1e-12)


def test_scaled_probability_filter_recovers_from_underflow_in_log_space():
    # State 1 is unreachable from state 0 and the emissions favour it by 2000 nats: the
    # scaled sum underflows to 0 and the row is redone in log space.
    startprob = np.array([1.0, 0.0])
    transmat = np.array([[1.0, 0.0], [0.5, 0.5]])
    log_b = np.array([[0.0, -5.0], [-2000.0, 0.0], [-1.0, -1.0]])
    proba, loglik = forward_filter_proba(startprob, transmat, log_b)
    log_f, ref_ll = forward_filter(startprob, transmat, log_b)
    np.testing.assert_allclose(proba, np.exp(log_f), atol=1e-12)
    np.testing.assert_allclose(loglik, ref_ll, rtol=1e-12)
    assert np.isfinite(proba).all() and proba[1, 0] == 1.0


def test_emission_blocks_do_not_change_the_densities(monkeypatch):
    import market_warehouse.research.hmm as hmm_module

    rng = np.random.default_rng(1)
    X = rng.standard_normal((1000, 6))
    means, variances = rng.standard_normal((3, 6)), rng.random((3, 6)) + 0.1
    whole = log_emission_diag(X, means, variances)
    monkeypatch.setattr(hmm_module, "EMISSION_BLOCK_ROWS", 37)
    np.testing.assert_array_equal(log_emission_diag(X, means, variances), whole)
    ref = norm.logpdf(X[:, None, :], means, np.sqrt(variances)).sum(axis=2)
    np.testing.assert_allclose(whole, ref, rtol=1e-12)


# ---------------------------------------------------------------- planted recovery


def test_planted_regimes_are_recovered_by_the_filtered_decode(fitted, planted_hmm):
    states = fitted.predict(planted_hmm.X, planted_hmm.lengths)
    assert adjusted_rand_score(planted_hmm.states, states) >= 0.8
    perm = align_by_means(planted_hmm.means, fitted.means_)
    learned = fitted.transmat_[np.ix_(perm, perm)]
    np.testing.assert_allclose(np.diag(learned), np.diag(planted_hmm.transmat), atol=0.05)
    np.testing.assert_allclose(fitted.transmat_.sum(axis=1), 1.0)
    # Canonical order: ascending mean of feature 0.
    assert np.all(np.diff(fitted.means_[:, 0]) > 0)
    assert fitted.restart_loglik_[fitted.best_restart_] == fitted.restart_loglik_.max()


def test_canonical_order_by_named_feature(planted_hmm):
    X = pd.DataFrame(planted_hmm.X, columns=["a", "b", "c", "d"])
    m = RegimeHMM(random_state=11, order_by="b", **FIT).fit(X, planted_hmm.lengths)
    assert np.all(np.diff(m.means_[:, 1]) > 0)
    with pytest.raises(ValueError):
        RegimeHMM(order_by="zz", **FIT).fit(X, planted_hmm.lengths)


# ---------------------------------------------------------------- causality


def test_appending_rows_never_changes_earlier_decoded_states(fitted, planted_hmm):
    n = planted_hmm.lengths[0]
    head = planted_hmm.X[: n - 500]
    full = planted_hmm.X[:n]  # the same sequence with 500 more rows
    before = fitted.filter_proba(head)
    after = fitted.filter_proba(full)
    np.testing.assert_array_equal(after[: len(head)], before)
    np.testing.assert_array_equal(after[: len(head)].argmax(axis=1), before.argmax(axis=1))
    # Also with several sequences decoded together (other sequence unchanged).
    other = planted_hmm.X[n : 2 * n]
    b2 = fitted.filter_proba(np.vstack([head, other]), [len(head), n])
    a2 = fitted.filter_proba(np.vstack([full, other]), [n, n])
    np.testing.assert_array_equal(a2[: len(head)], b2[: len(head)])
    np.testing.assert_array_equal(a2[n:], b2[len(head) :])


def test_decode_frame_prob_is_the_max_filtered_posterior_and_is_causal(fitted, planted_hmm):
    n = 800
    dates = pd.bdate_range("2010-01-01", periods=n).date
    frame = pd.DataFrame({"ticker": "A", "trade_date": dates})
    X = planted_hmm.X[:n]
    short = decode_frame(fitted, frame.iloc[:300], X[:300], build_sequences(frame.iloc[:300]))
    long = decode_frame(fitted, frame, X, build_sequences(frame))
    for col in ("hmm_state", "hmm_state_prob", "hmm_state_entropy", "hmm_state_run_length"):
        np.testing.assert_array_equal(long[col].to_numpy()[:300], short[col].to_numpy())
    p = fitted.filter_proba(X)
    np.testing.assert_array_equal(long["hmm_state_prob"], p.max(axis=1))
    assert pd.isna(long.loc[0, "hmm_state_prev"])


# ---------------------------------------------------------------- reproducibility


def test_same_seed_gives_identical_outputs_and_another_seed_agrees_after_alignment(planted_hmm):
    X, lengths = planted_hmm.X, planted_hmm.lengths
    a = RegimeHMM(random_state=3, **FIT).fit(X, lengths)
    b = RegimeHMM(random_state=3, **FIT).fit(X, lengths)
    for name in ("startprob_", "transmat_", "means_", "covars_", "restart_loglik_"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.filter_proba(X, lengths), b.filter_proba(X, lengths))
    for key, frame in model_frames(a).items():
        pd.testing.assert_frame_equal(frame, model_frames(b)[key])

    stab = hmm_stability(X, lengths, X, lengths, seeds=[3, 40], **FIT)
    assert stab.summary.loc[0, "ari_min"] >= 0.9
    assert stab.pairs.loc[0, "agreement"] >= 0.95  # aligned ids mean the same state


def test_run_hmm_is_reproducible_end_to_end(planted_hmm):
    n = 600
    dates = pd.bdate_range("2015-01-01", periods=n).date
    df = pd.DataFrame(planted_hmm.X[: 2 * n], columns=["f1", "f2", "f3", "f4"])
    df.insert(0, "ticker", np.repeat(["A", "B"], n))
    df.insert(1, "trade_date", np.tile(dates, 2))
    df["fwd_ret_10"] = 0.0
    kw = dict(
        features=["f1", "f2", "f3", "f4"],
        n_states=3,
        n_iter=50,
        n_restarts=1,
        min_sequence_length=50,
        split_mode="time",
        train_end=dates[399],
        horizon_bars=10,
    )
    r1, r2 = run_hmm(df, **kw), run_hmm(df, **kw)
    pd.testing.assert_frame_equal(r1.rows, r2.rows)
    pd.testing.assert_frame_equal(r1.metrics, r2.metrics)
    pd.testing.assert_frame_equal(r1.run, r2.run)
    assert r1.report["n_rows_fit"] == 2 * 390
    assert r1.rows["is_test"].sum() == 2 * 200
    assert np.isfinite(r1.metrics.loc[0, "predict_loglik"])


# ---------------------------------------------------------------- convergence and fitting


def test_converged_flag_is_false_when_iterations_run_out(planted_hmm):
    m = RegimeHMM(random_state=0, **{**FIT, "n_iter": 2, "n_restarts": 2}).fit(
        planted_hmm.X, planted_hmm.lengths
    )
    # hmmlearn's own monitor says "converged" when n_iter is reached; ours must not.
    assert not m.converged_ and not m.restart_converged_.any()
    assert m.restart_n_iter_.tolist() == [2, 2]


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        RegimeHMM().filter_proba(np.zeros((3, 2)))


def test_short_sequences_are_skipped_when_fitting_and_counted(planted_hmm):
    X = planted_hmm.X[:1540]
    m = RegimeHMM(random_state=0, **FIT).fit(X, [1500, 40])  # 40 < min_sequence_length 50
    assert m.n_sequences_skipped_ == 1 and m.n_rows_skipped_ == 40 and m.n_fit_rows_ == 1500
    with pytest.raises(ValueError, match="min_sequence_length"):
        RegimeHMM(**FIT).fit(X[:40])


def test_fit_sample_cap_takes_whole_sequences_up_to_the_cap(planted_hmm):
    m = RegimeHMM(random_state=0, fit_sample_max=2000, **{**FIT, "n_restarts": 1}).fit(
        planted_hmm.X, planted_hmm.lengths
    )
    assert m.n_fit_rows_ == 2000 and m.n_fit_sequences_ == 2


# ---------------------------------------------------------------- repair


def test_zero_transition_row_set_by_hand_is_repaired_before_decoding():
    m = RegimeHMM().set_fitted_params(
        startprob=np.array([0.0, 0.0, 0.0]),
        transmat=np.array([[0.9, 0.1, 0.0], [0.0, 0.0, 0.0], [np.nan, 0.5, 0.5]]),
        means=np.array([[0.0], [np.nan], [3.0]]),
        variances=np.array([[1.0], [1.0], [0.0]]),
    )
    np.testing.assert_allclose(m.transmat_[1], [1 / 3] * 3)
    np.testing.assert_allclose(m.transmat_[2], [1 / 3] * 3)
    np.testing.assert_allclose(m.startprob_, [1 / 3] * 3)
    assert m.repair_report_["transmat_rows_repaired"] == [1, 2]
    assert m.repair_report_["emission_states_repaired"] == [1, 2]
    p = m.filter_proba(np.array([[0.1], [2.5], [3.1]]))
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_fit_with_a_state_the_data_cannot_support_is_repaired_and_decodes():
    # One extreme outlier on the last row: k-means init gives it a state that is only ever
    # visited at the end of the sequence, so no transition out of it is ever observed.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 2))
    X[-1] = [1000.0, 1000.0]
    raw = GaussianHMM(3, covariance_type="diag", n_iter=50, random_state=0).fit(X)
    assert (raw.transmat_.sum(axis=1) == 0).any()  # the defect exists in hmmlearn's output
    m = RegimeHMM(3, n_iter=50, n_restarts=1, random_state=0, min_sequence_length=10).fit(X)
    assert m.repair_report_["transmat_rows_repaired"] == [2]  # the outlier state sorts last
    np.testing.assert_allclose(m.transmat_.sum(axis=1), 1.0)
    p = m.filter_proba(X)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    # hmmlearn accepts the repaired parameters (its own row-sum checks pass).
    g = GaussianHMM(3, covariance_type="diag")
    g.startprob_, g.transmat_, g.means_, g.covars_ = m.startprob_, m.transmat_, m.means_, m.covars_
    assert np.isfinite(g.score(X))


# ---------------------------------------------------------------- sequences


def test_sequences_split_at_tickers_calendar_gaps_and_dropped_rows():
    d = dt.date
    frame = pd.DataFrame(
        {
            "ticker": ["A"] * 6 + ["B"] * 2,
            "trade_date": [
                d(2020, 1, 2),
                d(2020, 1, 3),
                d(2020, 1, 6),  # weekend gap: 3 days, same seq
                d(2020, 1, 20),  # 14-day gap > 7 -> new sequence
                d(2020, 1, 21),
                d(2020, 1, 23),  # row before 01-23 was dropped -> new seq
                d(2020, 1, 2),
                d(2020, 1, 3),
            ],
            "has_dropped_row_before": [False] * 5 + [True, False, False],
        }
    )
    seq = build_sequences(frame, max_gap_days=7, min_sequence_length=2)
    assert seq.sequence_id.tolist() == [0, 0, 0, 1, 1, 2, 3, 3]
    assert seq.position.tolist() == [0, 1, 2, 0, 1, 0, 0, 1]
    assert seq.lengths.tolist() == [3, 2, 1, 2]
    assert seq.report["n_breaks_calendar_gap"] == 1
    assert seq.report["n_breaks_dropped_rows"] == 1
    assert seq.report["n_sequences_short"] == 1 and seq.report["n_rows_short"] == 1
    with pytest.raises(ValueError):
        build_sequences(frame.iloc[::-1])


# ---------------------------------------------------------------- diagnostics by hand


def _decoded() -> pd.DataFrame:
    # sequence 0: 0 0 1 1 1 0 | sequence 1: 0 2 2
    return pd.DataFrame(
        {
            "hmm_sequence_id": [0] * 6 + [1] * 3,
            "hmm_state": [0, 0, 1, 1, 1, 0, 0, 2, 2],
            "flow_state_code": [1, 1, 2, 2, 3, None, 1, 4, 4],
        }
    )


def test_transition_counts_on_a_hand_sequence():
    t = transition_counts(_decoded()).set_index(["prev_state", "state"])
    # seq 0: 0->0, 0->1, 1->1, 1->1, 1->0; seq 1: 0->2, 2->2 (no 0->0 across sequences)
    expected_counts = {(0, 0): 1, (0, 1): 1, (0, 2): 1, (1, 0): 1, (1, 1): 2, (2, 2): 1}
    for key, n in expected_counts.items():
        assert t.loc[key, "transition_count"] == n
    assert t["transition_count"].sum() == 7 and len(t) == 9
    assert t.loc[(0, 1), "transition_prob"] == pytest.approx(1 / 3)
    assert t.loc[(1, 1), "transition_prob"] == pytest.approx(2 / 3)
    assert t.loc[(2, 2), "transition_prob"] == 1.0 and t.loc[(2, 0), "transition_prob"] == 0.0


def test_dwell_stats_on_a_hand_sequence_include_runs_cut_at_sequence_ends():
    d = dwell_stats(_decoded()).set_index("state")
    # runs: state 0 -> [2, 1, 1] (the 0 ending seq 0 and the 0 starting seq 1 are separate)
    # state 1 -> [3]; state 2 -> [2]
    assert d.loc[0, "run_count"] == 3
    assert d.loc[0, "dwell_mean"] == pytest.approx(4 / 3)
    assert d.loc[0, "dwell_median"] == 1.0
    assert d.loc[0, "dwell_p10"] == pytest.approx(1.0)  # sorted 1,1,2: position 0.2
    assert d.loc[0, "dwell_p90"] == pytest.approx(1.8)  # position 1.8: 1 + 0.8 * (2 - 1)
    assert d.loc[0, "dwell_max"] == 2
    assert d.loc[1, "run_count"] == 1 and d.loc[1, "dwell_mean"] == 3.0
    assert d.loc[2, "dwell_max"] == 2


def test_initial_distribution_frequency_and_crosstab_on_a_hand_sequence():
    dec = _decoded()
    init = initial_distribution(dec)
    assert init.to_dict("list") == {"state": [0], "sequence_count": [2], "share": [1.0]}
    freq = state_frequency(dec).set_index("state")
    assert freq["row_count"].to_dict() == {0: 4, 1: 3, 2: 2}
    assert freq.loc[0, "share"] == pytest.approx(4 / 9)
    ct = state_crosstab(dec).set_index(["state", "flow_state_code"])
    # state 0 rows with a flow code: 1, 1, 1 (one NULL left out) -> share 1.0
    assert ct.loc[(0, 1), "row_count"] == 3 and ct.loc[(0, 1), "share_in_state"] == 1.0
    assert ct.loc[(1, 2), "share_in_state"] == pytest.approx(2 / 3)


def test_rows_removed_by_the_drop_policy_split_hmm_sequences():
    dates = pd.bdate_range("2020-01-01", periods=6).date
    df = pd.DataFrame({"ticker": "A", "trade_date": dates, "f1": [0.1, 0.2, np.nan, 0.4, 0.5, 0.6]})
    prepared = prepare_features(df, ["f1"], null_policy="drop")
    seq = build_sequences(prepared.frame, max_gap_days=7, min_sequence_length=1)
    assert prepared.report["n_rows_dropped_null"] == 1
    assert seq.lengths.tolist() == [2, 3] and seq.report["n_breaks_dropped_rows"] == 1


def test_state_profiles_use_decoded_states_and_raw_features():
    dec = _decoded().assign(
        ticker="A", trade_date=list(range(9)), fwd_ret_10=[0.01] * 4 + [-0.01] * 5
    )
    raw = pd.DataFrame({"tmf_21": [1.0, 3.0, 0, 0, 0, 5.0, 6.0, 0, 0]})
    p = state_profiles(dec, raw, features=["tmf_21"], outcomes=["fwd_ret_10"]).set_index(
        "hmm_state"
    )
    # state 0 rows: 0, 1, 5, 6 -> tmf 1, 3, 5, 6 and returns 0.01, 0.01, -0.01, -0.01
    assert p.loc[0, "row_count"] == 4 and p.loc[0, "tmf_21_mean"] == pytest.approx(3.75)
    assert p.loc[0, "fwd_ret_10_mean"] == pytest.approx(0.0)
    assert p.loc[0, "fwd_ret_10_hit_rate"] == 0.5


def test_fit_on_the_selected_rows_only_equals_the_fit_on_every_row(planted_hmm):
    params = dict(FIT, fit_sample_max=700, random_state=3)
    full = RegimeHMM(**params).fit(planted_hmm.X, planted_hmm.lengths)
    model = RegimeHMM(**params)
    selection = model.select_fit_rows(planted_hmm.lengths)
    model.fit(planted_hmm.X[selection.mask], selection=selection)
    for name in ("startprob_", "transmat_", "means_", "covars_", "restart_loglik_"):
        np.testing.assert_array_equal(getattr(model, name), getattr(full, name), err_msg=name)
    assert (model.n_fit_rows_, model.n_fit_sequences_) == (full.n_fit_rows_, full.n_fit_sequences_)
    with pytest.raises(ValueError, match="selected rows"):
        RegimeHMM(**params).fit(planted_hmm.X, selection=selection)


def test_hmm_stability_with_a_row_reader_equals_the_stability_on_every_row(planted_hmm):
    X, lengths = planted_hmm.X, planted_hmm.lengths
    params = dict(n_states=3, n_iter=30, min_sequence_length=50, fit_sample_max=600)
    ref = hmm_stability(X, lengths, X[:900], [900], seeds=[5, 6], **params)
    got = hmm_stability(
        None, lengths, X[:900], [900], seeds=[5, 6], fit_rows=lambda sel: X[sel.mask], **params
    )
    pd.testing.assert_frame_equal(got.pairs, ref.pairs)
    for seed in (5, 6):
        np.testing.assert_array_equal(got.labels[seed], ref.labels[seed])
