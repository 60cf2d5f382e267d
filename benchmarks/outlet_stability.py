#!/usr/bin/env python3
"""Resistance outlets against the outlet's characteristic impedance Z = rho c_s / A: runs a
4 mm pipe (16 cells, dt = 50 us, Z = 2.4e8 Pa s/m^3) with a resistance of k Z for each k given,
3000 steps, and prints whether it stayed stable and how P compares with R Q (docs/case-file.md,
"Large resistances"). Large resistances settle slowly (R times the lattice's own compliance):
at 10 Z and more, 3000 steps show a run still settling, stable.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/outlet_stability.py 0.7 3 10 30
"""

import math
import sys

import hemotwin


def main(ks):
    hemotwin.set_log_level("warning")
    dt, dx, area, rho = 5e-5, 0.25e-3, math.pi * 4e-6, 1060.0
    z = rho * dx / (dt * math.sqrt(3)) / area
    print(f"Z = {z:.3g} Pa s/m^3")
    for k in ks:
        case = hemotwin.Case.from_dict({
            "case": {"backend": "cpu"},
            "geometry": {"shape": "pipe", "diameter_mm": 4, "length_mm": 8, "cells_across_diameter": 16},
            "inlet": {"mean_velocity_m_s": 0.04, "ramp_s": 0.05},
            "outlet": {"model": "resistance", "resistance_pa_s_m3": k * z, "pressure_pa": 0},
            "time": {"duration_s": 0.3, "time_step_s": dt},
            "output": {"check_every": 10},
        })
        sim = hemotwin.Simulation(case)
        try:
            sim.advance(3000)
            d = sim.diagnostics()
            q = d.iolet_flow[1]
            print(f"R = {k:g} Z: stable; P = {d.iolet_boundary_pressure[1]:.1f} Pa, R Q = {k * z * q:.1f} Pa, "
                  f"outflow / inflow {q / d.iolet_flow[0]:.4f}")
        except hemotwin.DivergenceError as e:
            print(f"R = {k:g} Z: diverged ({str(e)[:60]}...)")


if __name__ == "__main__":
    main([float(k) for k in sys.argv[1:]] or [0.7, 3, 10, 30])
