"""Scans, phantoms, segmentation and surfaces from Python; voxels as NumPy views."""

import numpy as np
import pytest

import hemotwin


@pytest.fixture(scope="module")
def phantom():
    model = hemotwin.VesselModel.stenosis((0, 0, 0), (0, 0, 24), 2.0, 0.5, 12, 6)
    # The scan's field of view cuts the vessel 2 mm from each end: open ends, as in a real scan.
    return hemotwin.render(model, spacing=0.5, field_of_view=((-4, -4, 2), (4, 4, 22)),
                           noise_sigma=10, seed=3)


def test_vessel_models_have_an_exact_inside_test():
    m = hemotwin.VesselModel.straight((0, 0, 0), (0, 0, 10), 2.0)
    assert m.distance((0, 0, 5)) == pytest.approx(-2.0)
    assert m.inside((1.9, 0, 5)) and not m.inside((2.1, 0, 5))
    lo, hi = m.bounds()
    assert lo[0] == pytest.approx(-2.0) and hi[2] == pytest.approx(10.0 + 2.0, abs=2.0)
    m.add_sphere((3, 0, 5), 1.5)
    assert m.inside((4, 0, 5))
    carotid = hemotwin.VesselModel.carotid_bifurcation(ica_stenosis=0.5)
    assert carotid.inside((0, 5, 0))


def test_an_image_array_is_a_writeable_view_of_the_voxels(phantom, tmp_path):
    img = phantom.image
    a = img.array
    assert a.shape == tuple(reversed(img.size)) and a.dtype == np.float32
    assert not a.flags.owndata and a.flags.writeable
    a[0, 0, 0] = 1234.5
    assert img.array[0, 0, 0] == np.float32(1234.5)
    # ... and what is written is what the library sees: it goes to the file.
    hemotwin.write_image(img, tmp_path / "scan.nii.gz")
    back = hemotwin.read_image(tmp_path / "scan.nii.gz")
    assert back.array[0, 0, 0] == pytest.approx(1234.5)
    assert back.spacing == pytest.approx(img.spacing) and back.origin == pytest.approx(img.origin)
    np.testing.assert_allclose(back.array, img.array, atol=1e-3)


def test_images_from_numpy_carry_their_geometry():
    a = np.zeros((4, 5, 6), dtype=np.float32)  # [k][j][i]
    img = hemotwin.Image(a, spacing=(0.5, 0.6, 0.7), origin=(1, 2, 3))
    assert img.size == (6, 5, 4)
    np.testing.assert_allclose(img.point((2, 0, 1)), (2.0, 2.0, 3.7))
    np.testing.assert_allclose(img.index((2.0, 2.0, 3.7)), (2, 0, 1), atol=1e-12)
    with pytest.raises(ValueError, match="spacing"):
        hemotwin.Image(a, spacing=(0, 1, 1))


def test_segmenting_a_phantom_recovers_its_lumen(phantom):
    seg = hemotwin.segment(phantom.image, seeds=[(0, 0, 5)])
    d = hemotwin.dice(seg.labels, phantom.labels)
    print(f"phantom stenosis segmentation: Dice {d:.3f}, {seg.voxels} voxels, range "
          f"[{seg.lower:.0f}, {seg.upper:.0f}]")
    assert d > 0.9
    assert hemotwin.mean_surface_distance(seg.labels, phantom.labels) < 0.5
    with pytest.raises(hemotwin.Error, match="seed"):
        hemotwin.segment(phantom.image, seeds=[(100, 100, 100)])


def test_a_lumen_surface_has_an_opening_at_each_end_and_runs_as_a_case(phantom, tmp_path):
    wall = hemotwin.lumen_surface(phantom.labels)
    assert wall.points.shape[1] == 3 and wall.triangles.dtype == np.int32
    openings = hemotwin.find_openings(wall)
    assert len(openings) == 2
    assert openings[0].radius == pytest.approx(2.0, rel=0.15)
    hemotwin.write_surface(wall, tmp_path / "wall.stl")
    again = hemotwin.read_surface(tmp_path / "wall.stl")
    assert again.area == pytest.approx(wall.area, rel=1e-3)
    case = hemotwin.Case.from_dict({
        "case": {"name": "surface", "backend": "cpu"},
        "geometry": {"shape": "surface", "file": str(tmp_path / "wall.stl"), "spacing_mm": 0.4},
        "inlet": {"mean_velocity_m_s": 0.05},
        # Ten times blood's viscosity: the time step is set for the stenosis' throat, and at 0.4 mm
        # blood's own would need a relaxation time below what TRT accepts.
        "blood": {"viscosity_pa_s": 0.035},
        "time": {"duration_s": 0.002},
    })
    prepared = hemotwin.prepare_geometry(case)
    assert [o.name for o in prepared.openings] == ["opening1", "opening2"]
    assert prepared.grid.fluid_cells > 1000 and prepared.spacing_mm == pytest.approx(0.4)
    sim = hemotwin.Simulation(case)
    assert [i.kind for i in sim.iolets] == ["velocity_inlet", "pressure_outlet"]
    sim.advance(10)
    assert sim.diagnostics().max_speed > 0


def test_mesh_views_and_validation():
    pts = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], dtype=float)
    m = hemotwin.TriangleMesh(pts, [[0, 1, 2]])
    assert m.area == pytest.approx(0.5)
    m.points[2, 1] = 2.0  # a view: the mesh changes
    assert m.area == pytest.approx(1.0)
    with pytest.raises(ValueError, match="point that does not exist"):
        hemotwin.TriangleMesh(pts, [[0, 1, 3]])


def test_reading_a_missing_scan_names_the_path(tmp_path):
    with pytest.raises(hemotwin.Error, match="nothing.nii"):
        hemotwin.read_image(tmp_path / "nothing.nii")


def test_label_maps_round_trip_and_scans_resample_and_crop(phantom, tmp_path):
    labels = hemotwin.LabelMap(phantom.labels.array.copy(), spacing=phantom.labels.spacing,
                               origin=phantom.labels.origin)
    assert labels.array.dtype == np.uint8 and labels.array.sum() == phantom.labels.array.sum()
    hemotwin.write_labels(labels, tmp_path / "lumen.nrrd")
    back = hemotwin.read_labels(tmp_path / "lumen.nrrd")
    np.testing.assert_array_equal(back.array, labels.array)
    coarse = hemotwin.resample(phantom.image, 1.0)
    assert coarse.spacing == pytest.approx((1.0, 1.0, 1.0))
    assert coarse.size[2] == pytest.approx(phantom.image.size[2] / 2, abs=1)
    part = hemotwin.crop(phantom.image, (-4, -4, 10), (4, 4, 14))
    assert part.size[2] == 9 and part.origin[2] == pytest.approx(10.0)
    largest = hemotwin.largest_component(labels)
    assert largest.array.sum() == labels.array.sum()  # one lumen


def test_a_folder_without_dicom_is_refused_naming_it(tmp_path):
    (tmp_path / "notes.txt").write_text("not a scan")
    with pytest.raises(hemotwin.Error) as info:
        hemotwin.list_dicom_series(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_centerline_of_a_stenosis():
    model = hemotwin.VesselModel.stenosis((0, 0, 0), (30, 0, 0), 2.0, 0.5, 15, 10)
    ph = hemotwin.render(model, spacing=0.25, noise_sigma=0, margin=2)
    (c,) = hemotwin.centerlines(ph.labels, (2, 0, 0), [(28, 0, 0)])
    assert c.points.shape == (len(c), 3) and c.length == pytest.approx(26, abs=0.25)
    k = c.narrowest()
    assert c.radius[k] == pytest.approx(1.0, abs=0.25) and c.points[k][0] == pytest.approx(15, abs=1)
    assert c.project(c.point_at(7.5)) == pytest.approx(7.5, abs=1e-6)
    with pytest.raises(hemotwin.Error, match="target 0 .* lies outside the lumen"):
        hemotwin.centerlines(ph.labels, (2, 0, 0), [(15, 5, 0)])


def test_angioplasty_of_a_stenosis():
    model = hemotwin.VesselModel.stenosis((0, 0, 0), (30, 0, 0), 2.0, 0.6, 15, 8)
    labels = hemotwin.render(model, spacing=0.25, noise_sigma=0, margin=2).labels
    (c,) = hemotwin.centerlines(labels, (2, 0, 0), [(28, 0, 0)])
    s0, s1 = c.project((10, 0, 0)), c.project((20, 0, 0))
    plan = hemotwin.open_stenosis(labels, c, s0, s1)
    (after,) = hemotwin.centerlines(plan.labels, (2, 0, 0), [(28, 0, 0)])
    assert after.radius[after.narrowest(s0, s1)] == pytest.approx(plan.radius, abs=0.25)
    assert plan.voxels_added > 0 and labels.array.sum() < plan.labels.array.sum()


def rigid(deg, axis, shift):
    """A 4 x 4 rotation about `axis` through the origin, then a shift (mm)."""
    a = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    t = np.radians(deg)
    m = np.eye(4)
    m[:3, :3] = np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * k @ k
    m[:3, 3] = shift
    return m


def test_a_moved_scan_registers_and_its_grown_sac_is_measured_in_both():
    def patient(sac):
        m = hemotwin.VesselModel.aneurysm((0, 0, 0), (30, 0, 0), 1.5, 15, (0, 1, 0), sac, 3.5)
        return m.add_tube([(6, 0, 0), (14, -6, 5), (24, -9, 8)], [1.1, 1.0, 1.0])
    pose = rigid(5.0, (0.2, 0.9, -0.4), (1.5, -2.0, 1.0))
    first = hemotwin.render(patient(2.5), spacing=0.4, margin=5, seed=1)
    later = hemotwin.render(patient(3.0), spacing=0.4, margin=5, seed=2, pose=pose)
    reg = hemotwin.register_scans(first.image, later.image)
    assert reg.rotation_degrees == pytest.approx(5.0, abs=0.5)
    corners = np.array([[x, y, z, 1] for x in (-5, 35) for y in (-14, 11) for z in (-5, 13)])
    err = np.linalg.norm((corners @ reg.fixed_to_moving.T - corners @ pose.T)[:, :3], axis=1)
    assert err.max() < 0.5, err.max()

    sizes = []
    for ph, t in ((first, np.eye(4)), (later, reg.fixed_to_moving)):
        at = lambda p: (t @ np.append(p, 1))[:3]
        (c,) = hemotwin.centerlines(ph.labels, at((1, 0, 0)), [at((29, 0, 0))])
        a = hemotwin.measure_aneurysm(ph.labels, c, at((15, 3.5, 0)), 4.0, scan=ph.image)
        assert a.scan_volume == pytest.approx(a.volume, rel=0.05)
        sizes.append(a)
    assert sizes[1].max_diameter == pytest.approx(6.0, rel=0.05)
    assert sizes[1].scan_volume > 1.4 * sizes[0].scan_volume

    # The later lumen brought back into the first frame, and bad transforms refused.
    back = hemotwin.resample_into(later.labels, first.labels, reg.fixed_to_moving)
    assert back.size == first.labels.size and back.array.sum() > 0.9 * first.labels.array.sum()
    with pytest.raises(ValueError, match="4 x 4"):
        hemotwin.resample_into(later.labels, first.labels, np.eye(3))
    with pytest.raises(ValueError, match="rotation"):
        hemotwin.render(patient(2.5), pose=np.diag([2.0, 1, 1, 1]))


def test_a_chambers_wall_is_tracked_through_a_cine_scan(tmp_path):
    """Three frames of a cavity that shrinks (radially 15 % and 25 %, axially 5 % and 10 %),
    rendered as CT on one grid; the first frame's wall carried onto the others by
    hemotwin.track_wall has each frame's volume within 3 % (left where it is, 30 % and 50 % off),
    and writes as a surface series."""
    ed = hemotwin.prolate_cavity_mesh(36.0, 18.0, 0.5, 16, 32)
    meshes = []
    for radial, axial in [(1.0, 1.0), (0.85, 0.95), (0.75, 0.9)]:
        p = np.array(ed.points) * np.array([radial, radial, axial])
        meshes.append(hemotwin.TriangleMesh(p, np.array(ed.triangles)))
    first = hemotwin.render_surface(meshes[0], spacing=1.5, noise_sigma=15, seed=1)
    frames = [first.image] + [
        hemotwin.render_surface(m, like=first.image, noise_sigma=15, seed=k + 2).image
        for k, m in enumerate(meshes[1:])]
    assert frames[2].array.shape == frames[0].array.shape and frames[0].array.shape[0] > 30
    w = hemotwin.track_wall(ed, frames)
    assert len(w.phases) == 3 and w.iterations[0] == 0 and min(w.iterations[1:]) > 0
    assert all(a < 0.1 * b for a, b in zip(w.mismatch_after[1:], w.mismatch_before[1:]))
    for k in (1, 2):
        carried = hemotwin.TriangleMesh(w.phases[k], np.array(ed.triangles))
        assert carried.signed_volume == pytest.approx(meshes[k].signed_volume, rel=0.03)
        assert abs(ed.signed_volume / meshes[k].signed_volume - 1) > 0.25
    path = tmp_path / "wall.vtp"
    hemotwin.write_surface_series(ed, w.phases, 0.8, str(path))
    assert path.stat().st_size > 0
    with pytest.raises(hemotwin.Error, match="at least 3"):
        hemotwin.track_wall(ed, frames[:2])
