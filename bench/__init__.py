"""Benchmarks: each module's ``run(quick)`` returns rows of (what, figure, bound or peer, ratio)."""
