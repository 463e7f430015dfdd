"""Benchmarks that print figures (not timed tests). See bench/README.md; run `python -m bench.kpis`."""
