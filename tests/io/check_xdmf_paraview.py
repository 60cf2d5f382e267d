"""Opens a hemotwin results.xdmf with ParaView's own XDMF readers and checks what they read.

Run under pvpython (see run_pvpython.sh):  pvpython check_xdmf_paraview.py SAMPLE_DIR
SAMPLE_DIR holds results.h5, results.xdmf, geometry.xdmf and expected.json, written by
hemotwin_io_sample. Exits non-zero, saying what differs, when a check fails.
"""
import json
import math
import os
import sys

# pvpython puts the directory it derives from the location of the ParaView libraries ahead of
# PYTHONPATH; with python3-paraview unpacked privately that is the system dist-packages, whose
# vtkmodules (python3-vtk9) do not match ParaView's. Put PYTHONPATH first again.
_first = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
sys.path[:] = _first + [p for p in sys.path if p not in _first]

from paraview import servermanager, simple  # noqa: E402

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def close(a, b, rel=1e-6):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def leaf(data):
    """The dataset itself, or the first leaf of a composite dataset."""
    if data.IsA("vtkCompositeDataSet"):
        it = data.NewIterator()
        it.InitTraversal()
        return it.GetCurrentDataObject()
    return data


def check_geometry(tag, data, expected):
    nx, ny, nz = expected["cells"]
    check(data.IsA("vtkImageData"), f"{tag}: got {data.GetClassName()}, expected image data")
    check(tuple(data.GetDimensions()) == (nx, ny, nz),
          f"{tag}: dimensions {data.GetDimensions()} != {(nx, ny, nz)} (axis order?)")
    ox, oy, oz = expected["origin"]
    dx = expected["dx"]
    want = (ox, ox + (nx - 1) * dx, oy, oy + (ny - 1) * dx, oz, oz + (nz - 1) * dx)
    got = data.GetBounds()
    check(all(close(g, w) for g, w in zip(got, want)), f"{tag}: bounds {got} != {want}")
    mask = data.GetPointData().GetArray("fluid_mask")
    check(mask is not None, f"{tag}: no fluid_mask array")
    if mask is not None:
        total = sum(mask.GetValue(i) for i in range(mask.GetNumberOfTuples()))
        check(total == expected["fluid_cells"],
              f"{tag}: fluid_mask sums to {total}, expected {expected['fluid_cells']}")


def check_reader(name, reader, expected):
    times = list(reader.TimestepValues)
    want_times = [s["time"] for s in expected["snapshots"]]
    check(len(times) == len(want_times) and all(close(a, b) for a, b in zip(times, want_times)),
          f"{name}: time steps {times} != {want_times}")
    for snap in expected["snapshots"]:
        tag = f"{name} t={snap['time']}"
        reader.UpdatePipeline(snap["time"])
        data = leaf(servermanager.Fetch(reader))
        check_geometry(tag, data, expected)
        pd = data.GetPointData()
        u = pd.GetArray("velocity")
        p = pd.GetArray("pressure")
        check(u is not None, f"{tag}: no velocity array")
        check(p is not None, f"{tag}: no pressure array")
        if u is None or p is None:
            continue
        check(u.GetNumberOfComponents() == 3,
              f"{tag}: velocity has {u.GetNumberOfComponents()} components, expected 3")
        check(u.GetNumberOfTuples() == expected["points"],
              f"{tag}: velocity has {u.GetNumberOfTuples()} tuples, expected {expected['points']}")
        for k in range(3):
            lo, hi = u.GetRange(k)
            check(close(hi, snap["velocity_max"][k]),
                  f"{tag}: max velocity[{k}] {hi} != {snap['velocity_max'][k]}")
            check(lo == 0.0, f"{tag}: min velocity[{k}] {lo} != 0 (solid and empty cells hold 0)")
        lo, hi = p.GetRange()
        check(close(hi, snap["pressure_max"]),
              f"{tag}: max pressure {hi} != {snap['pressure_max']}")
        probe = snap["probe"]
        got = u.GetTuple3(probe["point_id"])
        check(all(close(g, w) for g, w in zip(got, probe["velocity"])),
              f"{tag}: velocity at cell {probe['ijk']} is {got}, expected {probe['velocity']}")
        check(close(p.GetValue(probe["point_id"]), probe["pressure"]),
              f"{tag}: pressure at cell {probe['ijk']} is {p.GetValue(probe['point_id'])}, "
              f"expected {probe['pressure']}")
    print(f"{name}: read {len(times)} time steps")


def main():
    sample = sys.argv[1]
    with open(os.path.join(sample, "expected.json")) as f:
        expected = json.load(f)
    xdmf = os.path.join(sample, "results.xdmf")

    # Xdmf3ReaderS: the reader ParaView offers first for .xdmf files; XDMFReader: the older one.
    check_reader("Xdmf3ReaderS", simple.Xdmf3ReaderS(FileName=[xdmf]), expected)
    check_reader("XDMFReader", simple.XDMFReader(FileNames=[xdmf]), expected)

    # A run with no field output still opens, as geometry.
    geometry = os.path.join(sample, "geometry.xdmf")
    reader = simple.Xdmf3ReaderS(FileName=[geometry])
    reader.UpdatePipeline()
    check_geometry("geometry.xdmf", leaf(servermanager.Fetch(reader)), expected)

    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("ParaView reads results.xdmf as written")


main()
