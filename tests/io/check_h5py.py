"""Reads a hemotwin results.h5 with h5py the way docs/file-format.md shows, and checks the values
against expected.json (written by hemotwin_io_sample).  python3 check_h5py.py SAMPLE_DIR"""
import json
import os
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # a missing dependency is a failure, not a skip
    print(f"FAILED: {e}; install python3-h5py and python3-numpy", file=sys.stderr)
    sys.exit(1)

sample = sys.argv[1]
with open(os.path.join(sample, "expected.json")) as f:
    expected = json.load(f)

with h5py.File(os.path.join(sample, "results.h5"), "r") as f:
    assert f.attrs["format"] == "hemotwin-results", f.attrs["format"]
    geo = f["geometry"]
    nx, ny, nz = (int(v) for v in geo.attrs["cells"])
    assert [nx, ny, nz] == expected["cells"], (nx, ny, nz)
    dx = float(geo.attrs["dx"])
    origin = geo.attrs["origin"]  # x, y, z of the centre of cell (0, 0, 0), m
    assert dx == expected["dx"] and list(origin) == expected["origin"]
    mask = geo["fluid_mask"][...]  # uint8 [nz][ny][nx]
    assert mask.shape == (nz, ny, nx) and int(mask.sum()) == expected["fluid_cells"]

    steps = sorted(f["fields"])  # ["step_00000010", "step_00000020"]
    assert len(steps) == len(expected["snapshots"]), steps
    for name, snap in zip(steps, expected["snapshots"]):
        g = f["fields"][name]
        assert g.attrs["step"] == snap["step"] and g.attrs["time"] == snap["time"]
        u = g["velocity"][...]  # float32 [nz][ny][nx][3], m/s
        p = g["pressure"][...]  # float32 [nz][ny][nx], Pa
        assert u.shape == (nz, ny, nx, 3) and u.dtype == np.float32
        assert np.allclose(u.reshape(-1, 3).max(axis=0), snap["velocity_max"], rtol=1e-6)
        i, j, k = snap["probe"]["ijk"]
        assert np.allclose(u[k, j, i], snap["probe"]["velocity"], rtol=1e-6), u[k, j, i]
        assert np.isclose(p[k, j, i], snap["probe"]["pressure"], rtol=1e-6)
        assert not u[mask == 0].any() and not p[mask == 0].any()
        # Physical coordinates of the cells: x = origin[0] + dx * i, etc.
        x = origin[0] + dx * np.arange(nx)
        assert np.isclose(x[-1], origin[0] + dx * (nx - 1))

    inlet = f["iolets/inlet0"]
    assert inlet.attrs["kind"] == "velocity_inlet"
    t, q = inlet["time"][...], inlet["flow"][...]  # s, m^3/s
    assert len(t) == len(q) == len(expected["snapshots"])
    text = f["case/source_text"][()]
    text = text.decode() if isinstance(text, bytes) else text
    assert "xdmf-sample" in text
    print("h5py reads results.h5 as documented; provenance:",
          dict(f["provenance"].attrs))
