"""Real scans and surfaces from ../shared/data (label realdata; skipped where it is absent)."""

import numpy as np
import pytest

import hemotwin


def test_a_real_mra_reads_as_lps_millimetres(shared_data):
    img = hemotwin.read_image(shared_data / "niivue-images" / "chris_MRA.nii.gz")
    a = img.array
    assert a.ndim == 3 and a.shape == tuple(reversed(img.size))
    assert all(s > 0 for s in img.spacing)
    assert np.isfinite(a).all() and a.max() > a.mean()
    d = img.direction
    np.testing.assert_allclose(d.T @ d, np.eye(3), atol=1e-5)  # orthonormal index axes


def test_a_real_carotid_surface_has_its_openings(shared_data):
    mesh = hemotwin.read_surface(shared_data / "vampy" / "tests_test_data_artery_artery.stl")
    assert mesh.triangles.shape[0] > 1000
    openings = hemotwin.find_openings(mesh)
    assert len(openings) >= 2
    assert openings[0].kind == "velocity_inlet"
    assert all(o.radius > 0 for o in openings)
