import os
import pathlib

import pytest


@pytest.fixture
def source_dir():
    return pathlib.Path(os.environ.get("HEMOTWIN_SOURCE_DIR", pathlib.Path(__file__).parents[2]))


@pytest.fixture
def shared_data():
    d = pathlib.Path(os.environ.get("HEMOTWIN_SHARED_DATA_DIR", "../shared/data"))
    if not d.is_dir():
        pytest.skip(f"shared data folder {d} is absent (real scans and surfaces live there)")
    return d


def pipe_case(**over):
    """A short pipe with an inlet and an outlet, small enough for a test."""
    case = {
        "case": {"name": "pytest_pipe", "backend": "cpu"},
        "geometry": {"shape": "pipe", "diameter_mm": 4, "length_mm": 16, "cells_across_diameter": 10},
        "inlet": {"mean_velocity_m_s": 0.1},
        # Ten times blood's viscosity: a stable relaxation time (0.57) on this coarse lattice.
        "blood": {"viscosity_pa_s": 0.035},
        "time": {"duration_s": 0.02},
        "output": {"check_every": 20},
    }
    for k, v in over.items():
        case.setdefault(k, {}).update(v)
    return case
