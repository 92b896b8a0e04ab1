"""Benchmarks (`make bench`): measured here, not asserted in tests."""
