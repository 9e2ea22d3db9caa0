"""Benchmark harnesses that print figures (wall time, rows/s, peak RSS); not timed tests."""
