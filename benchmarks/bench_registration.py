"""Registration of serial scans and the aneurysm's measurement on a CT phantom pair.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/bench_registration.py [spacing_mm ...]

For each voxel spacing (default 0.4 0.25): the aneurysm phantom of `hemotwin phantom aneurysm`
(a 2 mm vessel, a branch, a 3.0 mm sac) and its later scan (a 3.6 mm sac, the patient turned by
7 degrees and moved by 4.5 mm); the time of hemotwin.register_scans, rigid and affine (best of 3),
the rotation and largest displacement error against the true move, and the time of
hemotwin.measure_aneurysm with the scan's partial-volume volume. Numbers go to
docs/performance.md.
"""
import sys

import numpy as np

import hemotwin
from bench_util import best_of


def rigid(deg, axis, shift):
    a = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    t = np.radians(deg)
    m = np.eye(4)
    m[:3, :3] = np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * k @ k
    m[:3, 3] = shift
    return m


def patient(sac):
    m = hemotwin.VesselModel.aneurysm((0, 0, 0), (40, 0, 0), 2.0, 20, (0, 1, 0), sac, 4.5)
    return m.add_tube([(8, 0, 0), (18, -8, 6), (30, -12, 10)], [1.4, 1.3, 1.2])


def main(spacings):
    pose = rigid(7.0, (0.3, -0.5, 0.8), (2.4, -1.7, 3.1))
    corners = np.array([[x, y, z, 1] for x in (-4, 44) for y in (-16, 12) for z in (-8, 14)])
    for h in spacings:
        first = hemotwin.render(patient(3.0), spacing=h, seed=1)
        later = hemotwin.render(patient(3.6), spacing=h, seed=2, pose=pose)
        for kind in ("rigid", "affine"):
            t, reg = best_of(3, lambda: hemotwin.register_scans(first.image, later.image,
                                                                transform=kind))
            err = np.linalg.norm((corners @ (reg.fixed_to_moving - pose).T)[:, :3], axis=1).max()
            print(f"spacing {h} mm ({first.image.array.size / 1e6:.2f} + "
                  f"{later.image.array.size / 1e6:.2f} M voxels): {kind} {t:.2f} s, "
                  f"{reg.iterations} iterations, rotation {reg.rotation_degrees:.3f} deg (7), "
                  f"largest displacement error {err:.3f} mm")
        (c,) = hemotwin.centerlines(first.labels, (1, 0, 0), [(39, 0, 0)])
        tm, a = best_of(3, lambda: hemotwin.measure_aneurysm(first.labels, c, (20, 4.5, 0), 5.0,
                                                             scan=first.image))
        print(f"  measure_aneurysm {tm:.2f} s: sac {a.volume:.1f} mm^3 (voxels), "
              f"{a.scan_volume:.1f} mm^3 (scan), max diameter {a.max_diameter:.2f} mm")


if __name__ == "__main__":
    main([float(x) for x in sys.argv[1:]] or [0.4, 0.25])
