"""Benchmarks of the Safeguarding Hub, each measured against a baseline in the same run.

Not part of the test suite: run them with `make bench` or `python -m bench import|chronology`.
Results go to `bench/results/*.json` (not committed); `bench/README.md` records measured figures.
"""
