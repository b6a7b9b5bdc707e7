"""Benchmark scripts (run each as a file: `python bench/<name>.py`); a package so that their
module names (bench.portfolio) do not clash with the apps' (portfolio)."""
