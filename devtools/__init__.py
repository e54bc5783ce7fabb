"""Helpers for the tools beside the app (the benchmark, the browser tests): never imported by `covenant`."""
