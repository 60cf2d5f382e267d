"""Helpers the Python benchmarks share."""
import time


def best_of(n, f):
    """The shortest of n timings of f() (s) and f's last result."""
    best, out = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out
