"""Centerlines and a virtual angioplasty on the carotid phantom's exact label map.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/bench_centerline.py [spacing_mm ...]

For each voxel spacing (default 0.4 0.2): the grid, the time of hemotwin.centerlines from the
common carotid to both branch ends (best of 3), and of hemotwin.open_stenosis over the internal
carotid's stenosis. Numbers go to docs/performance.md.
"""
import sys

import numpy as np

import hemotwin
from bench_util import best_of


def main(spacings):
    model = hemotwin.VesselModel.carotid_bifurcation((0, 0, 0), 0.5)
    a = np.radians(25)
    fork = np.array([0, 30, 0.0])
    ica = fork + 40 * np.array([np.sin(a), np.cos(a), 0])
    eca = fork + 40 * np.array([-np.sin(a), np.cos(a), 0])
    for h in spacings:
        labels = hemotwin.render(model, spacing=h, noise_sigma=0, margin=3).labels
        t, lines = best_of(3, lambda: hemotwin.centerlines(labels, (0, 3, 0), [tuple(ica), tuple(eca)]))
        c = lines[0]
        k = c.narrowest(c.project(tuple(fork)) + 3, c.length - 3)
        s = c.arc_length[k]
        tp, plan = best_of(3, lambda: hemotwin.open_stenosis(labels, c, s - 6, s + 6))
        print(f"spacing {h} mm: {labels.array.size / 1e6:.2f} M voxels; centerlines {t:.2f} s "
              f"({len(c)} + {len(lines[1])} points); open_stenosis {tp * 1e3:.0f} ms "
              f"(throat {c.radius[k]:.2f} mm -> target {plan.radius:.2f} mm)")


if __name__ == "__main__":
    main([float(x) for x in sys.argv[1:]] or [0.4, 0.2])
