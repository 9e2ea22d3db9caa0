"""The benchmark harness's summary of repeated runs (the timings themselves are not tested)."""

from market_warehouse.bench import summarize


def test_summarize_takes_median_wall_and_largest_peak() -> None:
    runs = [
        {"wall_s": 47.0, "peak_rss_mib": 3300.0, "model_s": 44.0, "rows": 10},
        {"wall_s": 43.0, "peak_rss_mib": 3500.0, "model_s": 40.0, "rows": 10},
        {"wall_s": 45.0, "peak_rss_mib": 3400.0, "model_s": 41.0, "rows": 10},
    ]
    summary = summarize(runs)
    assert summary["wall_s"] == 45.0
    assert summary["model_s"] == 41.0
    assert summary["peak_rss_mib"] == 3500.0
    assert summary["runs_wall_s"] == [47.0, 43.0, 45.0]
    assert summary["rows"] == 10


def test_summarize_even_count_and_missing_model_time() -> None:
    runs = [{"wall_s": 10.0, "peak_rss_mib": 1.0}, {"wall_s": 12.0, "peak_rss_mib": 2.0}]
    summary = summarize(runs)
    assert summary["wall_s"] == 11.0
    assert "model_s" not in summary
    assert "rows" not in summary
