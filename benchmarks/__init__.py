"""Benchmarks: scripts that print figures, not tests (see docs/benchmarks.md)."""
