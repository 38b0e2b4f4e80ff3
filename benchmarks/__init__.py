"""Benchmarks that print tables: optimizer quality on public instances, and a realistic field day."""
