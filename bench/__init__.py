"""Benchmarks: scripts that measure and print figures. Never part of the test run."""
