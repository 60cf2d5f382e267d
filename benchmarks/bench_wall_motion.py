"""A chamber's wall through a cine scan: the ventricle phantom's frames registered and its wall
carried (hemotwin.track_wall), at a few voxel sizes.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/bench_wall_motion.py \
        --hemotwin build/src/cli/hemotwin [spacing_mm ...]

For each voxel spacing (default 1.0 0.75): `hemotwin phantom ventricle --edv 40 --phases 8
--cine --spacing S` (its exact phase surfaces lv_NN.vtp and its CT frames frame_NN.nii.gz), the
exact end-diastolic surface carried onto the 7 other frames; the time per frame (one run: the
registration is deterministic), the iterations, and the end-systolic volume and ejection
fraction against the exact surfaces'. Numbers go to docs/performance.md.
"""
import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import hemotwin


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hemotwin", required=True)
    ap.add_argument("spacings", nargs="*", type=float, default=[1.0, 0.75])
    a = ap.parse_args()
    for h in a.spacings:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([a.hemotwin, "phantom", "ventricle", "--output", tmp, "--edv", "40",
                            "--phases", "8", "--cine", "--spacing", str(h)], check=True,
                           capture_output=True)
            frames = [hemotwin.read_image(p) for p in sorted(Path(tmp).glob("frame_*.nii.gz"))]
            exact = [hemotwin.read_surface(p) for p in sorted(Path(tmp).glob("lv_*.vtp"))]
            t0 = time.perf_counter()
            w = hemotwin.track_wall(exact[0], frames)
            t = time.perf_counter() - t0
            tri = np.array(exact[0].triangles)
            vol = [hemotwin.TriangleMesh(p, tri).signed_volume / 1e3 for p in w.phases]
            true = [m.signed_volume / 1e3 for m in exact]
            ef, ef_true = 1 - min(vol) / max(vol), 1 - min(true) / max(true)
            print(f"spacing {h} mm ({frames[0].array.size / 1e6:.2f} M voxels a frame): "
                  f"{t / (len(frames) - 1):.2f} s a frame, iterations {w.iterations[1:]}; "
                  f"ESV {min(vol):.2f} mL (exact {min(true):.2f}), EF {100 * ef:.2f} % "
                  f"(exact {100 * ef_true:.2f} %)")


if __name__ == "__main__":
    main()
