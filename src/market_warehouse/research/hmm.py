"""Gaussian HMM regimes with causal (forward-filtered) decoding (REFERENCE §9, Part B item 5).

Pipeline: scale features (train rows only) -> :func:`build_sequences` -> :class:`RegimeHMM` ``fit``
on the train sequences -> ``filter_proba`` on any rows -> :func:`decode_frame` -> diagnostics.

Documented rules
----------------
Sequences (:func:`build_sequences`)
    One sequence per run of consecutive rows of a ticker. A new sequence starts at the first row
    of a ticker, after a calendar gap of more than ``max_gap_days`` days between two consecutive
    rows, and at a row whose predecessor was removed by the null policy
    (``has_dropped_row_before``). Sequences shorter than ``min_sequence_length`` are skipped when
    fitting (counted in ``n_sequences_skipped_``/``n_rows_skipped_``) but are still decoded:
    the filter is well defined from the first row, and ``hmm_sequence_pos`` lets a consumer
    require a warm-up.
Parameter repair (:func:`repair_params`, before any decoding)
    A ``transmat_`` row that sums to 0 or holds a non-finite value (a state from which no
    transition was ever observed) becomes uniform 1/K; then every row is clipped at 0 and
    renormalised to sum to 1. ``startprob_`` likewise (uniform if it sums to 0). A never-visited
    state has 0/0 = NaN means in hmmlearn's M-step: non-finite means become 0 (the mean of
    standardised features) and non-finite or non-positive variances become 1.
Restarts
    ``n_restarts`` fits with seeds ``random_state + i``; each is repaired and scored with the
    numpy forward pass; the highest total log-likelihood wins (ties: the lowest i; NaN never
    wins; a restart that raises in hmmlearn is recorded in ``restart_errors_`` and scores -inf).
    ``restart_converged_`` is the real convergence test: the last log-likelihood
    improvement is below ``tol`` (hmmlearn's own flag is also true when ``n_iter`` ran out).
Canonical state order
    States are renumbered by ascending mean of the ``order_by`` feature (a column index, or a
    name when fitted on a DataFrame; default the first feature), ties by the fitted index.
    ``startprob_``, ``transmat_``, ``means_`` and ``covars_`` are permuted together.
Causal decoding
    ``filter_proba`` is p(z_t | x_1..t) of each sequence: a forward recursion in numpy in
    scaled probabilities (:func:`forward_filter_proba`, equal to the log-space
    :func:`forward_filter` to about 1e-15), normalised at every step, all sequences of a call
    in lockstep. Row t never depends on a later row. ``hmm_state`` is its argmax
    (lowest state on an exact tie) and ``hmm_state_prob`` its maximum.
"""

# scikit-learn convention: X is the feature matrix.
# ruff: noqa: N803, N806

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from hmmlearn.hmm import GaussianHMM
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from market_warehouse.research.metrics import (
    align_by_means,
    ari_summary,
    inverse_permutation,
    pairwise_ari,
    row_entropy,
    sizes_frame,
)
from market_warehouse.research.preprocessing import FORWARD_COLUMNS
from market_warehouse.research.profiles import profile_frame

LOG_2PI = float(np.log(2.0 * np.pi))

#: Proposed cap on HMM fit rows (whole sequences): one restart with K=5 on 25 features takes
#: ~26 s on 50,000 rows and ~110 s on 200,000 rows on this 2-core machine (single thread).
DEFAULT_HMM_FIT_SAMPLE_MAX = 50_000

#: Features profiled per HMM state (REFERENCE §9).
HMM_PROFILE_FEATURES: tuple[str, ...] = (
    "tmf_21",
    "delta_flow_20",
    "flow_activity_20",
    "flow_bias_20",
    "oscillation_index_20",
    "state_run_length",
    "hmm_state_run_length",
)


# --------------------------------------------------------------------------------------------
# sequences


@dataclass
class Sequences:
    """Sequence structure of a frame sorted by (ticker, trade_date).

    Attributes
    ----------
    sequence_id: ndarray (n_rows,), 0-based sequence of each row.
    position: ndarray (n_rows,), 0-based position of the row in its sequence.
    lengths: ndarray (n_sequences,), rows per sequence, in row order.
    report: counts ``n_sequences``, ``n_breaks_ticker``, ``n_breaks_calendar_gap``,
        ``n_breaks_dropped_rows``, ``n_sequences_short``, ``n_rows_short``.
    """

    sequence_id: np.ndarray
    position: np.ndarray
    lengths: np.ndarray
    report: dict[str, int] = field(default_factory=dict)


def build_sequences(
    frame: pd.DataFrame,
    max_gap_days: int = 7,
    min_sequence_length: int = 100,
) -> Sequences:
    """Split rows into sequences (see the module docstring).

    ``frame`` (n_rows, ...) must be sorted by (ticker, trade_date); it needs ``ticker`` and
    ``trade_date`` and may have ``has_dropped_row_before`` (from ``prepare_features``).
    ``min_sequence_length`` only feeds the ``n_sequences_short``/``n_rows_short`` counts.
    """
    n = len(frame)
    tickers = frame["ticker"].to_numpy()
    dates = pd.to_datetime(frame["trade_date"]).to_numpy().astype("datetime64[D]")
    new_ticker = np.ones(n, dtype=bool)
    if n > 1:
        new_ticker[1:] = tickers[1:] != tickers[:-1]
        gap_days = np.zeros(n, dtype=np.int64)
        gap_days[1:] = (dates[1:] - dates[:-1]).astype(np.int64)
        if (~new_ticker & (gap_days <= 0)).any():
            raise ValueError("frame must be sorted by (ticker, trade_date) without duplicates")
        if (np.r_[False, tickers[1:] < tickers[:-1]]).any():
            raise ValueError("frame must be sorted by ticker")
    else:
        gap_days = np.zeros(n, dtype=np.int64)
    calendar = ~new_ticker & (gap_days > max_gap_days)
    if "has_dropped_row_before" in frame:
        dropped = ~new_ticker & ~calendar & frame["has_dropped_row_before"].to_numpy(dtype=bool)
    else:
        dropped = np.zeros(n, dtype=bool)
    start = new_ticker | calendar | dropped
    sequence_id = np.cumsum(start) - 1
    starts = np.flatnonzero(start)
    position = np.arange(n) - starts[sequence_id] if n else np.zeros(0, dtype=np.int64)
    lengths = np.diff(np.r_[starts, n]).astype(np.int64)
    short = lengths < min_sequence_length
    report = {
        "n_sequences": int(lengths.size),
        "n_breaks_ticker": int(new_ticker.sum()) if n else 0,
        "n_breaks_calendar_gap": int(calendar.sum()),
        "n_breaks_dropped_rows": int(dropped.sum()),
        "n_sequences_short": int(short.sum()),
        "n_rows_short": int(lengths[short].sum()),
    }
    return Sequences(sequence_id.astype(np.int64), position.astype(np.int64), lengths, report)


# --------------------------------------------------------------------------------------------
# numpy forward filter


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    mx = a.max(axis=axis, keepdims=True)
    mx = np.where(np.isfinite(mx), mx, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.exp(a - mx).sum(axis=axis, keepdims=True)) + mx
    return np.squeeze(out, axis=axis)


#: Rows per block in :func:`log_emission_diag` (its one temporary stays in the CPU cache;
#: row-wise, so the result does not depend on it).
EMISSION_BLOCK_ROWS = 16_384


def log_emission_diag(X: np.ndarray, means: np.ndarray, variances: np.ndarray) -> np.ndarray:
    """log N(x_t | mu_k, diag(var_k)); X (n, f), means/variances (k, f) -> (n, k)."""
    X = np.asarray(X, dtype=np.float64)
    n, f = X.shape
    k = means.shape[0]
    out = np.empty((n, k))
    const = [f * LOG_2PI + np.log(variances[j]).sum() for j in range(k)]
    buf = np.empty((min(n, EMISSION_BLOCK_ROWS), f))
    for start in range(0, n, EMISSION_BLOCK_ROWS):
        block = X[start : start + EMISSION_BLOCK_ROWS]
        d = buf[: len(block)]
        for j in range(k):
            # (x - mu)^2 / var, row sums: the same operations as written out, in place
            np.subtract(block, means[j], out=d)
            np.multiply(d, d, out=d)
            np.divide(d, variances[j], out=d)
            out[start : start + len(block), j] = -0.5 * (const[j] + d.sum(axis=1))
    return out


def forward_filter(
    startprob: np.ndarray,
    transmat: np.ndarray,
    log_b: np.ndarray,
    lengths: Sequence[int] | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Forward-filtered posteriors p(z_t | x_1..t) of each sequence, in log space.

    Recursion per sequence, normalised at each step::

        a_0 = log pi + log b_0;                  f_0 = a_0 - logsumexp(a_0)
        a_t = logsumexp_j(f_{t-1,j} + log A_jk) + log b_t;   f_t = a_t - logsumexp(a_t)

    The log-likelihood of a sequence is the sum of the normalisers logsumexp(a_t).

    Parameters
    ----------
    startprob: (k,); transmat: (k, k), rows sum to 1; log_b: (n, k) log emission densities;
    lengths: rows per sequence (sum n), default one sequence.

    Returns
    -------
    log_filtered: (n, k); loglik: (n_sequences,).
    """
    log_b = np.asarray(log_b, dtype=np.float64)
    n, k = log_b.shape
    lengths = np.asarray([n] if lengths is None else lengths, dtype=np.int64)
    if lengths.sum() != n or (lengths < 0).any():
        raise ValueError("lengths must be non-negative and sum to the number of rows")
    with np.errstate(divide="ignore"):
        log_pi = np.log(np.asarray(startprob, dtype=np.float64))
        log_a = np.log(np.asarray(transmat, dtype=np.float64))
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    # Process every sequence in lockstep: sorted by length (desc), the sequences still running
    # at step t are a prefix of that order.
    order = np.argsort(-lengths, kind="stable")
    s_starts = starts[order]
    s_len = lengths[order]
    out = np.empty((n, k))
    loglik = np.zeros(lengths.size)
    max_len = int(s_len[0]) if s_len.size else 0
    for t in range(max_len):
        m = int(np.count_nonzero(s_len > t))
        idx = s_starts[:m] + t
        if t == 0:
            a = log_pi[None, :] + log_b[idx]
        else:
            prev = out[idx - 1]
            a = _logsumexp(prev[:, :, None] + log_a[None, :, :], axis=1) + log_b[idx]
        c = _logsumexp(a, axis=1)
        out[idx] = a - c[:, None]
        loglik[order[:m]] += c
    return out, loglik


def forward_filter_proba(
    startprob: np.ndarray,
    transmat: np.ndarray,
    log_b: np.ndarray,
    lengths: Sequence[int] | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`forward_filter` in scaled probabilities: the same posteriors p(z_t | x_1..t)
    (equal to about 1e-15; tested against the log-space recursion to 1e-12), several times
    faster.

    Each row's emissions are scaled by their maximum, ``b_t = exp(log_b_t - max_k log_b_tk)``
    (in (0, 1], the largest is 1), then every sequence of ``lengths`` advances in lockstep::

        alpha_0 = pi * b_0;   alpha_t = (f_{t-1} @ A) * b_t;   f_t = alpha_t / sum(alpha_t)

    and the log-likelihood adds ``log(sum(alpha_t)) + max_k log_b_tk`` per row. A row whose
    scaled sum underflows to 0 (only possible when the states its emissions favour have a
    predicted probability below ~1e-308) is redone in log space.

    Returns (proba (n, k), loglik (n_sequences,)).
    """
    log_b = np.asarray(log_b, dtype=np.float64)
    n, k = log_b.shape
    lengths = np.asarray([n] if lengths is None else lengths, dtype=np.int64)
    if lengths.sum() != n or (lengths < 0).any():
        raise ValueError("lengths must be non-negative and sum to the number of rows")
    pi = np.asarray(startprob, dtype=np.float64)
    A = np.asarray(transmat, dtype=np.float64)
    with np.errstate(divide="ignore"):
        log_a = np.log(A)
        log_pi = np.log(pi)
    row_max = log_b.max(axis=1) if n else np.zeros(0)
    b = np.exp(log_b - row_max[:, None])
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    order = np.argsort(-lengths, kind="stable")
    s_starts = starts[order]
    s_len = lengths[order]
    max_len = int(s_len[0]) if s_len.size else 0
    # running[t]: sequences still running at position t (a prefix of the sorted order)
    running = lengths.size - np.searchsorted(np.sort(lengths), np.arange(max_len), side="right")
    out = np.empty((n, k))
    loglik = np.zeros(lengths.size)
    f_prev = np.empty((0, k))
    for t in range(max_len):
        m = int(running[t])
        idx = s_starts[:m] + t
        if t == 0:
            alpha = pi * b[idx]
        else:
            f_prev = f_prev[:m]
            alpha = (f_prev @ A) * b[idx]
        c = alpha.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = alpha / c[:, None]
            ll_t = np.log(c) + row_max[idx]
        bad = np.flatnonzero(~(c > 0))
        if bad.size:  # underflow: the log-space step for these rows
            with np.errstate(divide="ignore"):
                if t == 0:
                    a = log_pi[None, :] + log_b[idx[bad]]
                else:
                    prev = np.log(f_prev[bad])
                    a = _logsumexp(prev[:, :, None] + log_a[None], axis=1) + log_b[idx[bad]]
            lse = _logsumexp(a, axis=1)
            f[bad] = np.exp(a - lse[:, None])
            ll_t[bad] = lse
        out[idx] = f
        loglik[order[:m]] += ll_t
        f_prev = f
    return out, loglik


# --------------------------------------------------------------------------------------------
# repair and canonical order


def repair_params(
    startprob: np.ndarray,
    transmat: np.ndarray,
    means: np.ndarray,
    variances: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Make HMM parameters decodable (rules in the module docstring).

    Returns repaired copies (startprob (k,), transmat (k, k), means (k, f), variances (k, f))
    and a report: ``transmat_rows_repaired`` (list of state indices), ``startprob_repaired``
    (bool), ``emission_states_repaired`` (list of state indices).
    """
    k = transmat.shape[0]
    tm = np.array(transmat, dtype=np.float64, copy=True)
    bad_rows = ~np.isfinite(tm).all(axis=1)
    tm[bad_rows] = 0.0
    tm = np.maximum(tm, 0.0)
    bad_rows |= tm.sum(axis=1) <= 0
    tm[bad_rows] = 1.0 / k
    tm /= tm.sum(axis=1, keepdims=True)

    sp = np.array(startprob, dtype=np.float64, copy=True)
    sp_bad = not np.isfinite(sp).all()
    sp = np.maximum(np.where(np.isfinite(sp), sp, 0.0), 0.0)
    if sp.sum() <= 0:
        sp_bad = True
        sp = np.full(k, 1.0 / k)
    sp /= sp.sum()

    mu = np.array(means, dtype=np.float64, copy=True)
    var = np.array(variances, dtype=np.float64, copy=True)
    bad_mu = ~np.isfinite(mu)
    bad_var = ~np.isfinite(var) | (var <= 0)
    mu[bad_mu] = 0.0
    var[bad_var] = 1.0
    emission_bad = bad_mu.any(axis=1) | bad_var.any(axis=1)
    report = {
        "transmat_rows_repaired": [int(i) for i in np.flatnonzero(bad_rows)],
        "startprob_repaired": bool(sp_bad),
        "emission_states_repaired": [int(i) for i in np.flatnonzero(emission_bad)],
    }
    return sp, tm, mu, var, report


def _real_converged(model: GaussianHMM) -> bool:
    hist = list(model.monitor_.history)
    return len(hist) >= 2 and bool(hist[-1] - hist[-2] < model.monitor_.tol)


def _sample_sequences(
    lengths: np.ndarray, keep: np.ndarray, cap: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pick fit sequences: ``keep`` (bool per sequence) then, if their rows exceed ``cap``,
    whole sequences in ``default_rng(seed)`` order until the cap, the last one truncated.

    Returns (row mask over all rows, lengths of the picked pieces in row order).
    """
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    take = np.where(keep, lengths, 0)
    if cap is not None and take.sum() > cap:
        order = np.random.default_rng(seed).permutation(np.flatnonzero(keep))
        budget = cap
        take = np.zeros_like(lengths)
        for i in order:
            if budget <= 0:
                break
            take[i] = min(lengths[i], budget)
            budget -= take[i]
    mask = np.zeros(int(lengths.sum()), dtype=bool)
    for i in np.flatnonzero(take):
        mask[starts[i] : starts[i] + take[i]] = True
    return mask, take[take > 0]


@dataclass
class FitSelection:
    """Rows a :class:`RegimeHMM` fit uses (:meth:`RegimeHMM.select_fit_rows`).

    ``mask`` (n_rows,) over the rows given; ``lengths`` of the picked pieces in row order;
    ``n_sequences_skipped``/``n_rows_skipped``: sequences shorter than ``min_sequence_length``.
    """

    mask: np.ndarray
    lengths: np.ndarray
    n_sequences_skipped: int
    n_rows_skipped: int


class RegimeHMM(BaseEstimator):
    """Diagonal Gaussian HMM (hmmlearn) with restarts, repair, canonical order and causal
    decoding.

    Fit it on standardised features (z-scores from a scaler fitted on train rows):
    ``min_covar`` is an absolute variance floor.

    Parameters
    ----------
    n_states: number of hidden states K.
    n_iter, tol, min_covar: passed to ``hmmlearn.hmm.GaussianHMM(covariance_type="diag")``.
    n_restarts: fits with seeds ``random_state + i``; the best log-likelihood is kept.
    random_state: base seed (also seeds ``fit_sample_max`` sequence sampling).
    order_by: feature index or name whose state means define the canonical order (ascending).
    min_sequence_length: sequences shorter than this are skipped when fitting (counted).
    fit_sample_max: cap on fit rows; whole sequences are drawn in seeded random order until the
        cap (the last one truncated). ``None`` = no cap.
    implementation: hmmlearn's E-step ("log" or "scaling"; "log" measured faster here).

    Attributes
    ----------
    startprob_ (K,), transmat_ (K, K), means_ (K, F), covars_ (K, F) (diagonal variances):
        repaired, in canonical order.
    state_order_ (K,): fitted index of canonical state i.
    loglik_: total train log-likelihood of the kept restart; n_fit_rows_, n_fit_sequences_.
    converged_, n_iter_, best_restart_: of the kept restart.
    restart_loglik_, restart_converged_, restart_n_iter_: ndarray (n_restarts,).
    restart_errors_: messages of restarts that raised in hmmlearn (they count as -inf).
    repair_report_: dict from :func:`repair_params`, state indices in canonical order.
    n_sequences_skipped_, n_rows_skipped_: short sequences left out of the fit.
    feature_names_in_: when fitted on a DataFrame. n_features_in_.
    """

    def __init__(
        self,
        n_states: int = 5,
        n_iter: int = 200,
        tol: float = 1e-3,
        min_covar: float = 1e-3,
        n_restarts: int = 3,
        random_state: int = 42,
        order_by: int | str = 0,
        min_sequence_length: int = 100,
        fit_sample_max: int | None = None,
        implementation: str = "log",
    ) -> None:
        self.n_states = n_states
        self.n_iter = n_iter
        self.tol = tol
        self.min_covar = min_covar
        self.n_restarts = n_restarts
        self.random_state = random_state
        self.order_by = order_by
        self.min_sequence_length = min_sequence_length
        self.fit_sample_max = fit_sample_max
        self.implementation = implementation

    def _as_array(self, X: Any) -> np.ndarray:
        arr = np.asarray(X, dtype=np.float64)
        if arr.ndim != 2 or not np.isfinite(arr).all():
            raise ValueError("X must be a finite 2-D array (apply the null policy first)")
        return arr

    def select_fit_rows(self, lengths: Sequence[int] | np.ndarray) -> FitSelection:
        """The rows :meth:`fit` would use of rows made of sequences of ``lengths``
        (``min_sequence_length``, then ``fit_sample_max`` with ``random_state``)."""
        lengths = np.asarray(lengths, dtype=np.int64)
        keep = lengths >= self.min_sequence_length
        mask, fit_lengths = _sample_sequences(lengths, keep, self.fit_sample_max, self.random_state)
        return FitSelection(mask, fit_lengths, int((~keep).sum()), int(lengths[~keep].sum()))

    def fit(
        self,
        X: Any,
        lengths: Sequence[int] | np.ndarray | None = None,
        selection: FitSelection | None = None,
    ) -> RegimeHMM:
        """Fit on ``X`` (n_rows, n_features) made of sequences of ``lengths`` (sum n_rows).

        ``selection``: the result of :meth:`select_fit_rows` on the full rows' lengths, when
        ``X`` holds only the selected rows (in row order; ``lengths`` is then ignored): the
        same fit without reading every row. (A caller that reads rows from a table uses it.)
        """
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        Xa = self._as_array(X)
        n = Xa.shape[0]
        if selection is None:
            lengths = np.asarray([n] if lengths is None else lengths, dtype=np.int64)
            if lengths.sum() != n:
                raise ValueError("lengths must sum to the number of rows")
            selection = self.select_fit_rows(lengths)
            X_fit = Xa[selection.mask]
        else:
            if n != int(selection.lengths.sum()):
                raise ValueError("X must hold exactly the selected rows")
            X_fit = Xa
        self.n_sequences_skipped_ = selection.n_sequences_skipped
        self.n_rows_skipped_ = selection.n_rows_skipped
        fit_lengths = selection.lengths
        if fit_lengths.size == 0:
            raise ValueError("no sequence is at least min_sequence_length rows long")
        self.n_fit_rows_ = int(X_fit.shape[0])
        self.n_fit_sequences_ = int(fit_lengths.size)
        self.n_features_in_ = Xa.shape[1]
        order_idx = self._order_index()

        lls, convs, iters, fits, errors = [], [], [], [], []
        for i in range(self.n_restarts):
            model = GaussianHMM(
                n_components=self.n_states,
                covariance_type="diag",
                n_iter=self.n_iter,
                tol=self.tol,
                min_covar=self.min_covar,
                random_state=self.random_state + i,
                implementation=self.implementation,
            )
            try:
                with np.errstate(all="ignore"):
                    model.fit(X_fit, fit_lengths)
            except (ValueError, np.linalg.LinAlgError) as exc:
                # A degenerate restart (hmmlearn's own parameter checks) loses; others go on.
                lls.append(-np.inf)
                convs.append(False)
                iters.append(int(model.monitor_.iter) if hasattr(model, "monitor_") else 0)
                fits.append(None)
                errors.append(f"restart {i}: {exc}")
                continue
            variances = (
                np.diagonal(model.covars_, axis1=1, axis2=2)
                if model.covars_.ndim == 3
                else model.covars_
            )
            params = repair_params(model.startprob_, model.transmat_, model.means_, variances)
            log_b = log_emission_diag(X_fit, params[2], params[3])
            _, ll = forward_filter(params[0], params[1], log_b, fit_lengths)
            total = float(ll.sum())
            lls.append(total if np.isfinite(total) else -np.inf)
            convs.append(_real_converged(model))
            iters.append(int(model.monitor_.iter))
            fits.append(params)
        self.restart_errors_ = errors
        if all(f is None for f in fits):
            raise ValueError(f"every HMM restart failed: {errors}")
        best = int(np.argmax(lls))
        if fits[best] is None:  # every successful restart scored -inf
            best = next(i for i, f in enumerate(fits) if f is not None)
        sp, tm, mu, var, report = fits[best]
        perm = np.argsort(mu[:, order_idx], kind="stable")
        self.state_order_ = perm
        self.startprob_ = sp[perm]
        self.transmat_ = tm[np.ix_(perm, perm)]
        self.means_ = mu[perm]
        self.covars_ = var[perm]
        canonical = inverse_permutation(perm)
        self.repair_report_ = {
            "transmat_rows_repaired": sorted(
                int(canonical[i]) for i in report["transmat_rows_repaired"]
            ),
            "startprob_repaired": report["startprob_repaired"],
            "emission_states_repaired": sorted(
                int(canonical[i]) for i in report["emission_states_repaired"]
            ),
        }
        self.restart_loglik_ = np.asarray(lls)
        self.restart_converged_ = np.asarray(convs, dtype=bool)
        self.restart_n_iter_ = np.asarray(iters, dtype=np.int64)
        self.best_restart_ = best
        self.loglik_ = lls[best]
        self.converged_ = bool(convs[best])
        self.n_iter_ = iters[best]
        return self

    def _order_index(self) -> int:
        if isinstance(self.order_by, str):
            names = list(getattr(self, "feature_names_in_", []))
            if self.order_by not in names:
                raise ValueError(f"order_by {self.order_by!r} is not a fitted feature name")
            return names.index(self.order_by)
        if not 0 <= int(self.order_by) < self.n_features_in_:
            raise ValueError("order_by index out of range")
        return int(self.order_by)

    def set_fitted_params(
        self,
        startprob: np.ndarray,
        transmat: np.ndarray,
        means: np.ndarray,
        variances: np.ndarray,
    ) -> RegimeHMM:
        """Install given parameters (repaired, kept in the given order) without fitting.

        For tests and for replaying a stored model. Returns self.
        """
        sp, tm, mu, var, report = repair_params(startprob, transmat, means, variances)
        self.startprob_, self.transmat_, self.means_, self.covars_ = sp, tm, mu, var
        self.state_order_ = np.arange(tm.shape[0])
        self.repair_report_ = report
        self.n_features_in_ = mu.shape[1]
        return self

    def _log_b(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "transmat_")
        Xa = self._as_array(X)
        if Xa.shape[1] != self.means_.shape[1]:
            raise ValueError("X has a different number of features than the fitted model")
        return log_emission_diag(Xa, self.means_, self.covars_)

    def filter_proba(self, X: Any, lengths: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Causal posteriors p(z_t | x_1..t), shape (n_rows, K); each sequence restarts from
        ``startprob_``."""
        check_is_fitted(self, "transmat_")
        proba, _ = forward_filter_proba(self.startprob_, self.transmat_, self._log_b(X), lengths)
        return proba

    def predict(self, X: Any, lengths: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Causal state per row (argmax of :meth:`filter_proba`), shape (n_rows,)."""
        return self.filter_proba(X, lengths).argmax(axis=1)

    def score(self, X: Any, lengths: Sequence[int] | np.ndarray | None = None) -> float:
        """Total log-likelihood of the sequences under the fitted model."""
        check_is_fitted(self, "transmat_")
        _, ll = forward_filter(self.startprob_, self.transmat_, self._log_b(X), lengths)
        return float(ll.sum())


# --------------------------------------------------------------------------------------------
# frames


def decode_columns(model: RegimeHMM, X: np.ndarray, sequences: Sequences) -> dict[str, Any]:
    """Causally decoded columns of the rows of ``X`` (n_rows, F; sorted by (ticker,
    trade_date)) whose sequences are ``sequences`` (:func:`build_sequences` on the same rows).

    Returns numpy columns (n_rows,) ``hmm_sequence_id, hmm_sequence_pos, hmm_state,
    hmm_state_prob, hmm_state_entropy``, ``hmm_state_prev`` (previous row's state in the same
    sequence; a masked array, masked at a sequence start) and ``hmm_state_run_length``
    (1-based, restarts at a sequence start).
    """
    proba = model.filter_proba(X, sequences.lengths)
    state = proba.argmax(axis=1)
    first = sequences.position == 0
    prev = np.r_[0, state[:-1]] if len(state) else state
    return {
        "hmm_sequence_id": sequences.sequence_id,
        "hmm_sequence_pos": sequences.position,
        "hmm_state": state,
        "hmm_state_prob": proba[np.arange(len(state)), state],
        "hmm_state_entropy": row_entropy(proba),
        "hmm_state_prev": np.ma.masked_array(np.where(first, 0, prev), mask=first),
        "hmm_state_run_length": _run_length(state, first),
    }


def decode_frame(
    model: RegimeHMM,
    frame: pd.DataFrame,
    X: np.ndarray,
    sequences: Sequences,
    carry: Iterable[str] = ("flow_state_code", *FORWARD_COLUMNS),
) -> pd.DataFrame:
    """Causally decoded rows.

    ``frame`` (n_rows, ...) sorted by (ticker, trade_date), ``X`` (n_rows, F) its scaled
    features, ``sequences`` from :func:`build_sequences` on the same frame.

    Returns columns ``ticker, trade_date``, the ``carry`` columns that exist, then those of
    :func:`decode_columns` (``hmm_state_prev`` as nullable Int64, NULL at a sequence start).
    """
    cols = ["ticker", "trade_date", *[c for c in carry if c in frame.columns]]
    out = frame[cols].reset_index(drop=True).copy()
    for name, values in decode_columns(model, X, sequences).items():
        if isinstance(values, np.ma.MaskedArray):
            mask = np.ma.getmaskarray(values)
            values = pd.array(values.filled(0), dtype="Int64")
            values[mask] = pd.NA
        out[name] = values
    return out


def _run_length(state: np.ndarray, seq_start: np.ndarray) -> np.ndarray:
    """1-based position within runs of equal ``state``; a run also starts at ``seq_start``."""
    n = len(state)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new_run = seq_start.copy()
    new_run[1:] |= state[1:] != state[:-1]
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
    return (np.arange(n) - run_start + 1).astype(np.int64)


def _runs(state: np.ndarray, seq_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(state of each run, length of each run) for runs cut at sequence starts."""
    n = len(state)
    new_run = seq_start.copy()
    new_run[1:] |= state[1:] != state[:-1]
    starts = np.flatnonzero(new_run)
    return state[starts], np.diff(np.r_[starts, n])


def _seq_start(df: pd.DataFrame, sequence_col: str) -> np.ndarray:
    seq = df[sequence_col].to_numpy()
    start = np.ones(len(seq), dtype=bool)
    start[1:] = seq[1:] != seq[:-1]
    return start


def transition_counts(
    decoded: pd.DataFrame,
    state_col: str = "hmm_state",
    sequence_col: str = "hmm_sequence_id",
    n_states: int | None = None,
) -> pd.DataFrame:
    """Observed transitions between consecutive rows of the same sequence.

    ``decoded`` must be in sequence order (as :func:`decode_frame` returns it). Returns one row
    per (prev_state, state) over 0..n_states-1 (default: max state + 1) with
    ``transition_count`` and ``transition_prob`` = count / all transitions out of prev_state
    (NaN when prev_state has none). Columns: ``prev_state, state, transition_count,
    transition_prob``.
    """
    state = decoded[state_col].to_numpy(dtype=np.int64)
    k = int(n_states if n_states is not None else (state.max() + 1 if state.size else 0))
    start = _seq_start(decoded, sequence_col)
    has_prev = ~start
    prev = np.r_[0, state[:-1]][has_prev] if state.size else state
    cur = state[has_prev]
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (prev, cur), 1)
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        prob = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)
    grid_prev, grid_cur = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    return pd.DataFrame(
        {
            "prev_state": grid_prev.ravel(),
            "state": grid_cur.ravel(),
            "transition_count": counts.ravel(),
            "transition_prob": prob.ravel(),
        }
    )


def initial_distribution(
    decoded: pd.DataFrame,
    state_col: str = "hmm_state",
    sequence_col: str = "hmm_sequence_id",
) -> pd.DataFrame:
    """State of the first row of each sequence: columns ``state, sequence_count, share``."""
    first = decoded.loc[_seq_start(decoded, sequence_col), state_col]
    counts = first.value_counts().sort_index()
    return pd.DataFrame(
        {
            "state": counts.index.to_numpy(),
            "sequence_count": counts.to_numpy(),
            "share": counts.to_numpy() / counts.sum(),
        }
    )


def dwell_stats(
    decoded: pd.DataFrame,
    state_col: str = "hmm_state",
    sequence_col: str = "hmm_sequence_id",
) -> pd.DataFrame:
    """Run lengths per state. Runs end at a state change or a sequence end (cut runs count).

    Columns ``state, run_count, dwell_mean, dwell_median, dwell_p10, dwell_p90, dwell_max``
    (quantiles linear).
    """
    state = decoded[state_col].to_numpy(dtype=np.int64)
    run_state, run_len = _runs(state, _seq_start(decoded, sequence_col))
    rows = []
    for s in np.unique(run_state):
        v = run_len[run_state == s].astype(np.float64)
        p10, med, p90 = np.quantile(v, [0.1, 0.5, 0.9])
        rows.append(
            {
                "state": int(s),
                "run_count": int(v.size),
                "dwell_mean": float(v.mean()),
                "dwell_median": float(med),
                "dwell_p10": float(p10),
                "dwell_p90": float(p90),
                "dwell_max": int(v.max()),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "state",
            "run_count",
            "dwell_mean",
            "dwell_median",
            "dwell_p10",
            "dwell_p90",
            "dwell_max",
        ],
    )


def state_frequency(decoded: pd.DataFrame, state_col: str = "hmm_state") -> pd.DataFrame:
    """Columns ``state, row_count, share``."""
    counts = decoded[state_col].value_counts().sort_index()
    return pd.DataFrame(
        {
            "state": counts.index.to_numpy(),
            "row_count": counts.to_numpy(),
            "share": counts.to_numpy() / counts.sum(),
        }
    )


def state_crosstab(
    decoded: pd.DataFrame,
    other_col: str = "flow_state_code",
    state_col: str = "hmm_state",
) -> pd.DataFrame:
    """Rows per (state, other) and share within the state: columns ``state, <other_col>,
    row_count, share_in_state``. Rows with a NULL ``other_col`` are left out."""
    sub = decoded.loc[decoded[other_col].notna(), [state_col, other_col]]
    counts = sub.groupby([state_col, other_col]).size().rename("row_count").reset_index()
    counts = counts.rename(columns={state_col: "state"})
    counts["share_in_state"] = counts["row_count"] / counts.groupby("state")["row_count"].transform(
        "sum"
    )
    return counts


def state_profiles(
    decoded: pd.DataFrame,
    features_frame: pd.DataFrame | None = None,
    features: Sequence[str] = HMM_PROFILE_FEATURES,
    outcomes: Sequence[str] = FORWARD_COLUMNS,
) -> pd.DataFrame:
    """Profiles per ``hmm_state`` as :func:`profiles.profile_frame`.

    ``features_frame`` (optional, same rows and order as ``decoded``) supplies raw feature
    columns that ``decoded`` does not carry.
    """
    df = decoded
    if features_frame is not None:
        extra = [c for c in features if c in features_frame.columns and c not in decoded.columns]
        df = pd.concat(
            [decoded.reset_index(drop=True), features_frame[extra].reset_index(drop=True)], axis=1
        )
    return profile_frame(df, "hmm_state", features, outcomes)


def model_frames(
    model: RegimeHMM, feature_names: Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Fitted parameters as frames (canonical order).

    ``transmat``: ``prev_state, state, transition_prob``; ``startprob``: ``state, start_prob``;
    ``emissions``: ``state, feature, mean, variance``.
    """
    check_is_fitted(model, "transmat_")
    k, f = model.means_.shape
    names = list(
        feature_names
        if feature_names is not None
        else getattr(model, "feature_names_in_", [f"x{i}" for i in range(f)])
    )
    prev, cur = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    return {
        "transmat": pd.DataFrame(
            {
                "prev_state": prev.ravel(),
                "state": cur.ravel(),
                "transition_prob": model.transmat_.ravel(),
            }
        ),
        "startprob": pd.DataFrame({"state": np.arange(k), "start_prob": model.startprob_}),
        "emissions": pd.DataFrame(
            {
                "state": np.repeat(np.arange(k), f),
                "feature": np.tile(names, k),
                "mean": model.means_.ravel(),
                "variance": model.covars_.ravel(),
            }
        ),
    }


@dataclass
class HMMStabilityResult:
    """Seed stability of the HMM.

    ``summary``: one row ``n_seeds, n_pairs, ari_mean, ari_median, ari_min, ari_max,
    agreement_mean`` (share of rows with the same aligned state, mean over pairs).
    ``pairs``: ``seed_a, seed_b, ari, agreement``. ``sizes``: ``seed, hmm_state, row_count,
    share`` (aligned states). ``labels``: seed -> aligned causal states.
    """

    summary: pd.DataFrame
    pairs: pd.DataFrame
    sizes: pd.DataFrame
    labels: dict[int, np.ndarray]


def hmm_stability(
    X_fit: np.ndarray | None,
    lengths_fit: np.ndarray,
    X_predict: np.ndarray,
    lengths_predict: np.ndarray,
    seeds: Iterable[int] = range(42, 47),
    fit_rows: Callable[[FitSelection], np.ndarray] | None = None,
    **params: Any,
) -> HMMStabilityResult:
    """Refit :class:`RegimeHMM` (``params``) per seed, decode ``X_predict`` causally, align every
    seed's states to the first seed's (Hungarian on state means) and compare pairwise.

    ``params`` default to ``n_restarts=1`` and ``fit_sample_max=DEFAULT_HMM_FIT_SAMPLE_MAX``
    unless given. ``fit_rows``: instead of ``X_fit`` (then ``None``), a function returning
    the selected fit rows of a seed's :class:`FitSelection` over the rows of ``lengths_fit``
    (the same fits, without holding every fit row)."""
    params = {"n_restarts": 1, "fit_sample_max": DEFAULT_HMM_FIT_SAMPLE_MAX, **params}
    labels: dict[int, np.ndarray] = {}
    ref_means = None
    for seed in seeds:
        model = RegimeHMM(random_state=int(seed), **params)
        if fit_rows is None:
            model.fit(X_fit, lengths_fit)
        else:
            selection = model.select_fit_rows(lengths_fit)
            model.fit(fit_rows(selection), selection=selection)
        states = model.predict(X_predict, lengths_predict)
        if ref_means is None:
            ref_means = model.means_
            labels[int(seed)] = states
        else:
            perm = align_by_means(ref_means, model.means_)
            labels[int(seed)] = inverse_permutation(perm)[states]
    pairs = pairwise_ari(labels)
    pairs["agreement"] = [
        float((labels[a] == labels[b]).mean())
        for a, b in zip(pairs["seed_a"], pairs["seed_b"], strict=True)
    ]
    summary = pd.DataFrame(
        [
            {
                "n_seeds": len(labels),
                **ari_summary(pairs),
                "agreement_mean": float(pairs["agreement"].mean()) if len(pairs) else np.nan,
            }
        ]
    )
    return HMMStabilityResult(summary, pairs, sizes_frame(labels, "hmm_state"), labels)


__all__ = [
    "HMM_PROFILE_FEATURES",
    "FitSelection",
    "HMMStabilityResult",
    "RegimeHMM",
    "Sequences",
    "build_sequences",
    "decode_columns",
    "decode_frame",
    "dwell_stats",
    "forward_filter",
    "forward_filter_proba",
    "hmm_stability",
    "initial_distribution",
    "log_emission_diag",
    "model_frames",
    "repair_params",
    "state_crosstab",
    "state_frequency",
    "state_profiles",
    "transition_counts",
]
