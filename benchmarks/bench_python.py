#!/usr/bin/env python3
"""What the Python layer costs: MLUPS of Simulation.advance (the C++ loop, GIL released) against
Simulation.run with a Python callback and a diagnostics sample every N steps, and the time to
take the fields (a copy from the backend) and scatter them onto the dense box.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/bench_python.py [--cells 24] [--steps 2000]
"""

import argparse
import os
import platform
import time

import hemotwin


def case(cells):
    return hemotwin.Case.from_dict({
        "case": {"name": "bench_python", "backend": "auto", "streaming": "two-lattice"},
        "geometry": {"shape": "pipe", "diameter_mm": 4, "length_mm": 40, "cells_across_diameter": cells},
        "inlet": {"mean_velocity_m_s": 0.05, "ramp_s": 0.02},
        "blood": {"viscosity_pa_s": 0.0035},
        "time": {"duration_s": 10.0},
        "output": {"check_every": 100},
    })


def mlups(sim, seconds, steps):
    return sim.grid.fluid_cells * steps / seconds / 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=24)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    hemotwin.set_log_level("warning")
    sim = hemotwin.Simulation(case(a.cells))
    sim.advance(200)  # warm up
    print(f"hemotwin {hemotwin.__version__} ({hemotwin.git_commit}), {sim.backend}: {sim.device}; "
          f"{platform.processor() or platform.machine()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '-')}")
    print(f"pipe 4 mm x 40 mm at {a.cells} cells across: {sim.grid.fluid_cells} fluid cells; "
          f"{a.steps} steps per measurement, best of {a.rounds}")
    runs = [
        ("advance(n)", lambda: sim.advance(a.steps)),
        ("run(every=100, callback)", lambda: sim.run(steps=a.steps, every=100, callback=lambda s: None)),
        ("run(every=10, callback)", lambda: sim.run(steps=a.steps, every=10, callback=lambda s: None)),
        ("run(every=1, callback)", lambda: sim.run(steps=a.steps // 4, every=1, callback=lambda s: None)),
    ]
    best = {label: 0.0 for label, _ in runs}
    for _ in range(a.rounds):  # interleaved: a shared VM's speed drifts
        for label, go in runs:
            n0 = sim.step
            t0 = time.perf_counter()
            go()
            best[label] = max(best[label], mlups(sim, time.perf_counter() - t0, sim.step - n0))
    rows = list(best.items())
    for label, best in rows:
        print(f"  {label:28s} {best:8.1f} MLUPS  ({best / rows[0][1] * 100:5.1f} % of advance)")
    t0 = time.perf_counter()
    f = sim.fields()
    t1 = time.perf_counter()
    u = f.velocity_dense()
    t2 = time.perf_counter()
    print(f"  fields() {1e3 * (t1 - t0):.1f} ms ({f.velocity.nbytes / 1e6:.1f} MB of velocity); "
          f"velocity_dense() {1e3 * (t2 - t1):.1f} ms ({u.nbytes / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
