"""Reading a results directory (docs/file-format.md) back: hemotwin.load(path)."""

from __future__ import annotations

import csv
import json
import os
from typing import Dict, List, Optional

import numpy as np

from ._hemotwin import PASCAL_PER_MMHG, Error


class Results:
    """A results directory written by hemotwin.run or `hemotwin run`.

    summary       dict: summary.json (steps, performance, mass balance, cycles, ...)
    case_text     the case as run (TOML)
    dx, origin, cells, dt, fluid_mask   the lattice ([z][y][x] arrays, m)
    steps, times  the field outputs (fields(i) reads one)
    iolets        per inlet/outlet: a dict of arrays time (s), flow (m^3/s), pressure (Pa),
                  boundary_pressure (Pa), and attributes (kind, centre, normal, area)
    wall          dict of arrays: points, normals, wss (m, Pa), tawss, osi (when averaged)

    Arrays are read when asked for; the file is opened for each read and closed again, so the
    results can be replaced by a new run meanwhile.
    """

    def __init__(self, path: str | os.PathLike):
        path = os.fspath(path)
        if os.path.isfile(path):
            path = os.path.dirname(path) or "."
        self.path = path
        summary = os.path.join(path, "summary.json")
        if not os.path.isfile(summary):
            raise Error(
                f"{path}: not a complete hemotwin results directory (no summary.json; a run "
                "writes it last, so a directory without it holds no finished run)"
            )
        with open(summary, encoding="utf-8") as f:
            self.summary: dict = json.load(f)
        self.hdf5 = os.path.join(path, "results.h5")
        self._geometry: Optional[dict] = None

    # -- the HDF5 file ---------------------------------------------------------------------------
    def _open(self):
        try:
            import h5py
        except ImportError as e:  # pragma: no cover - h5py is a dependency (python3-h5py)
            raise Error("reading results.h5 needs h5py (Debian: python3-h5py)") from e
        if not os.path.isfile(self.hdf5):
            raise Error(f"{self.hdf5}: no results.h5 in this run (output.hdf5 was off)")
        return h5py.File(self.hdf5, "r")

    def _geom(self) -> dict:
        if self._geometry is None:
            with self._open() as f:
                g = f["geometry"]
                self._geometry = {
                    "dx": float(g.attrs["dx"]),
                    "origin": np.array(g.attrs["origin"], dtype=float),
                    "cells": tuple(int(c) for c in g.attrs["cells"]),
                    "dt": float(f["fields"].attrs["dt"]),
                }
        return self._geometry

    @property
    def dx(self) -> float:
        """Cell edge, m."""
        return self._geom()["dx"]

    @property
    def origin(self) -> np.ndarray:
        """Centre of cell (0, 0, 0), m, (x, y, z)."""
        return self._geom()["origin"]

    @property
    def cells(self) -> tuple:
        """(nx, ny, nz)."""
        return self._geom()["cells"]

    @property
    def dt(self) -> float:
        """Time step, s."""
        return self._geom()["dt"]

    def axes(self):
        """Cell-centre coordinates along x, y, z (m): three 1-D arrays."""
        return tuple(self.origin[a] + self.dx * np.arange(self.cells[a]) for a in range(3))

    @property
    def fluid_mask(self) -> np.ndarray:
        """[z][y][x] bool: the fluid cells."""
        with self._open() as f:
            return f["geometry/fluid_mask"][()].astype(bool)

    @property
    def case_text(self) -> str:
        with self._open() as f:
            return f["case/source_text"].asstr()[()]

    @property
    def provenance(self) -> dict:
        with self._open() as f:
            return {k: str(v) for k, v in f["provenance"].attrs.items()}

    def _field_groups(self):
        with self._open() as f:
            groups = [(int(g.attrs["step"]), float(g.attrs["time"]), name) for name, g in f["fields"].items()]
        return sorted(groups)

    @property
    def steps(self) -> np.ndarray:
        """Steps of the field outputs, in order."""
        return np.array([s for s, _, _ in self._field_groups()], dtype=np.int64)

    @property
    def times(self) -> np.ndarray:
        """Times of the field outputs, s."""
        return np.array([t for _, t, _ in self._field_groups()])

    def fields(self, index: int = -1, masked: bool = True) -> Dict[str, np.ndarray]:
        """Field output `index` (default: the last): {'velocity': [z][y][x][3] m/s,
        'pressure': [z][y][x] Pa, 'step', 'time'}, and 'q_criterion' and 'lambda2' ([z][y][x],
        1/s^2) when the run wrote them (output.vortex_fields); NaN outside the fluid when
        `masked`."""
        groups = self._field_groups()
        if not groups:
            raise Error(f"{self.hdf5}: no field outputs")
        step, time, name = groups[index]
        with self._open() as f:
            g = f["fields"][name]
            out = {k: g[k][()].astype(np.float64)
                   for k in ("velocity", "pressure", "q_criterion", "lambda2") if k in g}
            if masked:
                outside = ~f["geometry/fluid_mask"][()].astype(bool)
                for a in out.values():
                    a[outside] = np.nan
        return {**out, "step": step, "time": time}

    @property
    def iolets(self) -> Dict[str, dict]:
        """Per inlet/outlet: time, step, flow (m^3/s), pressure (Pa), boundary_pressure (Pa),
        pressure_mmhg, flow_ml_s, and kind, centre, normal, area."""
        out = {}
        with self._open() as f:
            for name, g in f["iolets"].items():
                d = {k: g[k][()] for k in ("step", "time", "flow", "pressure", "boundary_pressure") if k in g}
                d["flow_ml_s"] = d["flow"] * 1e6
                d["pressure_mmhg"] = d["pressure"] / PASCAL_PER_MMHG
                for a in ("kind", "centre", "normal", "area", "index"):
                    if a in g.attrs:
                        v = g.attrs[a]
                        d[a] = v if not isinstance(v, bytes) else v.decode()
                out[name] = d
        return dict(sorted(out.items(), key=lambda kv: int(kv[1].get("index", 0))))

    @property
    def sections(self) -> Dict[str, dict]:
        """Per measurement section: time, step, flow (m^3/s along its normal), pressure (Pa),
        pressure_mmhg, flow_ml_s, and centre, normal, area."""
        out = {}
        with self._open() as f:
            if "sections" not in f:
                return {}
            for name, g in f["sections"].items():
                d = {k: g[k][()] for k in ("step", "time", "flow", "pressure")}
                d["flow_ml_s"] = d["flow"] * 1e6
                d["pressure_mmhg"] = d["pressure"] / PASCAL_PER_MMHG
                for a in ("centre", "normal", "area", "index"):
                    if a in g.attrs:
                        d[a] = g.attrs[a]
                out[name] = d
        return dict(sorted(out.items(), key=lambda kv: int(kv[1].get("index", 0))))

    @property
    def diagnostics(self) -> Dict[str, np.ndarray]:
        """step, time (s), mass (lattice units), max_speed (m/s), fluid_volume (m^3) and
        kinetic_energy (J) of every sample; a chamber's also wall_volume (m^3) and
        viscous_dissipation (W)."""
        with self._open() as f:
            return {k: v[()] for k, v in f["diagnostics"].items()}

    @property
    def wall(self) -> Dict[str, np.ndarray]:
        """The wall points: points (m), normals, wss (Pa) of the final state, and tawss (Pa) and
        osi over the averaging window when there was one."""
        with self._open() as f:
            g = f["wall"]
            out = {k: v[()] for k, v in g.items()}
            out.update({k: float(v) for k, v in g.attrs.items()})
        return out

    def iolets_csv(self) -> List[dict]:
        """iolets.csv as a list of rows (dicts of floats)."""
        with open(os.path.join(self.path, "iolets.csv"), newline="", encoding="utf-8") as f:
            return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]

    def __repr__(self) -> str:
        s = self.summary
        return f"<hemotwin.Results '{s.get('name')}' in {self.path}: {s.get('steps')} steps>"


def load(path: str | os.PathLike) -> Results:
    """Opens a results directory (or its results.h5) written by hemotwin.run or `hemotwin run`."""
    return Results(path)
