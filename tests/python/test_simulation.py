"""hemotwin.Simulation: stepping from Python, fields as NumPy arrays, zero-copy populations."""

import math

import numpy as np
import pytest

import hemotwin
from conftest import pipe_case


def poiseuille_case(cells_across=16):
    # A periodic pipe along z driven by a pressure gradient G: u(r) = G (R^2 - r^2) / (4 mu).
    return hemotwin.Case.from_dict({
        "case": {"name": "poiseuille", "backend": "cpu"},
        "geometry": {"shape": "pipe", "diameter_mm": 4, "length_mm": 4, "cells_across_diameter": cells_across,
                     "axis": [0, 0, 1], "origin_mm": [0, 0, 0]},
        "flow": {"driver": "body_force"},
        "body_force": {"gradient_pa_m": 17.5, "direction": [0, 0, 1]},
        "blood": {"viscosity_pa_s": 0.0035, "density_kg_m3": 1060},
        "time": {"duration_s": 2.0, "time_step_s": 2e-3},
        "output": {"check_every": 100},
    })


def test_poiseuille_driven_from_python_matches_the_analytic_profile():
    case = poiseuille_case()
    sim = hemotwin.Simulation(case)
    assert sim.backend == "cpu"
    previous = []

    def steady(s):
        # Stop once the peak speed changes by less than 1e-6 (relative) between samples.
        previous.append(s.diagnostics().max_speed)
        return not (len(previous) > 2 and abs(previous[-1] - previous[-2]) < 1e-6 * previous[-1])

    sim.run(every=100, callback=steady)
    fields = sim.fields()
    centres = sim.grid.cell_centres()
    fluid = sim.grid.cell_type == 1
    r = np.hypot(centres[fluid, 0], centres[fluid, 1])
    G, mu, R = 17.5, 0.0035, 2e-3
    exact = G * (R * R - r * r) / (4 * mu)
    uz = fields.velocity[fluid, 2].astype(float)
    err = np.sqrt(np.sum((uz - exact) ** 2) / np.sum(exact ** 2))
    print(f"Poiseuille from Python: relative L2 {err:.3e} after {sim.step} steps")
    assert err < 0.01  # the C++ oblique pipe test holds 1 % at this resolution
    assert np.abs(fields.velocity[fluid, :2]).max() < 1e-3 * exact.max()
    # The dense [z][y][x] box agrees with the brick-ordered values.
    dense = fields.velocity_dense()
    assert dense.shape == sim.grid.shape + (3,)
    assert np.nanmax(dense[..., 2]) == pytest.approx(float(uz.max()), rel=1e-6)
    assert np.isnan(dense[0, 0, 0, 2])  # a corner of the box is outside the pipe


def test_fields_are_views_of_the_snapshot_not_copies():
    sim = hemotwin.Simulation(hemotwin.Case.from_dict(pipe_case()))
    sim.advance(20)
    f = sim.fields()
    v = f.velocity
    assert not v.flags.owndata and not v.flags.writeable
    assert v.shape == (sim.grid.stored_cells, 3) and v.dtype == np.float32
    assert f.velocity.__array_interface__["data"][0] == v.__array_interface__["data"][0]


def test_changing_the_populations_through_their_numpy_view_changes_the_simulation():
    case = hemotwin.Case.from_dict(pipe_case(case={"streaming": "two-lattice"}))
    sim = hemotwin.Simulation(case)
    f = sim.populations
    assert not f.flags.owndata and f.flags.writeable
    bricks, q, cells = f.shape
    assert q == 19 and cells == sim.grid.brick_size ** 3 and bricks == sim.grid.bricks
    # A fluid cell: add 0.01 to its rest population (index 0, c = (0, 0, 0)): its density rises.
    cell = int(np.flatnonzero(sim.grid.cell_type == 1)[0])
    rho_before, _ = sim.lattice_moments()
    f[cell // cells, 0, cell % cells] += 0.01
    rho_after, _ = sim.lattice_moments()
    assert rho_after[cell] - rho_before[cell] == pytest.approx(0.01, rel=1e-4)
    # Momentum: move 0.002 from direction -x to +x in that cell.
    d = np.array(sim.directions)
    plus, minus = int(np.flatnonzero((d == [1, 0, 0]).all(1))[0]), int(np.flatnonzero((d == [-1, 0, 0]).all(1))[0])
    _, u0 = sim.lattice_moments()
    f[cell // cells, plus, cell % cells] += 0.002
    f[cell // cells, minus, cell % cells] -= 0.002
    _, u1 = sim.lattice_moments()
    assert (u1[cell, 0] - u0[cell, 0]) * rho_after[cell] == pytest.approx(0.004, rel=1e-3)


def test_populations_are_refused_with_the_aa_pattern_saying_what_to_do():
    sim = hemotwin.Simulation(hemotwin.Case.from_dict(pipe_case(case={"streaming": "aa"})))
    with pytest.raises(hemotwin.Error, match="two-lattice"):
        sim.populations


def test_run_samples_history_and_a_callback_can_stop_it():
    sim = hemotwin.Simulation(hemotwin.Case.from_dict(pipe_case()))
    calls = []
    done = sim.run(every=10, callback=lambda s: calls.append(s.step) or len(calls) < 3)
    assert done == 30 and calls == [10, 20, 30]
    h = sim.history()
    assert list(h["step"]) == [0, 10, 20, 30]
    assert set(h["flow"]) == {i.name for i in sim.iolets} == {"inlet0", "outlet0"}
    assert h["flow"]["inlet0"][-1] > 0
    sim.run()  # to the end of the case's duration
    assert sim.step == sim.total_steps
    inflow = sim.history()["flow"]["inlet0"][-1]
    area = math.pi * 0.002 ** 2
    # 10 cells across, 0.02 s after a cold start: within 10 % of the set inflow.
    assert inflow == pytest.approx(0.1 * area, rel=0.1)


def test_wall_shear_and_its_average():
    sim = hemotwin.Simulation(hemotwin.Case.from_dict(pipe_case()))
    sim.run()
    w = sim.wall_shear()
    assert len(w) > 0 and w.points.shape == w.wss.shape == w.normals.shape == (len(w), 3)
    radius = np.hypot(w.points[:, 1], w.points[:, 2])
    assert np.median(radius) == pytest.approx(2e-3, rel=0.05)
    avg = hemotwin.WallShearAverage(len(w))
    avg.add(w.wss, 0.5)
    avg.add(-np.asarray(w.wss), 0.5)  # reversing flow: OSI 0.5
    assert np.allclose(avg.tawss(), w.magnitude())
    assert np.allclose(avg.osi(), 0.5)


def test_a_diverging_run_raises_divergence_error():
    d = pipe_case(inlet={"mean_velocity_m_s": 0.1}, time={"time_step_s": 1e-4})
    sim = hemotwin.Simulation(hemotwin.Case.from_dict(d))
    rho, u = sim.lattice_moments()
    u[sim.grid.cell_type == 1] = [0.9, 0, 0]  # far beyond what the lattice can carry
    sim.initialise(rho=np.where(rho > 0, rho, 1.0), u=u)
    with pytest.raises(hemotwin.DivergenceError):
        sim.advance(200)


def test_repr_and_help_are_useful():
    sim = hemotwin.Simulation(hemotwin.Case.from_dict(pipe_case()))
    assert "pytest_pipe" in repr(sim) and "fluid cells" in repr(sim)
    assert "Ctrl-C" in hemotwin.Simulation.__doc__
    assert "history" in hemotwin.Simulation.run.__doc__


def test_checkpoint_and_restore_continue_bit_for_bit(tmp_path):
    case = hemotwin.Case.from_dict(pipe_case(outlet={"model": "windkessel", "r1_pa_s_m3": 3.5e5,
                                                     "r2_pa_s_m3": 3.15e6,
                                                     "compliance_m3_pa": 1e-9}))
    whole = hemotwin.Simulation(case)
    whole.advance(30)
    first = hemotwin.Simulation(case)
    first.advance(12)
    path = tmp_path / "state.h5"
    first.checkpoint(str(path))
    first.advance(5)  # moves on; the file keeps step 12
    second = hemotwin.Simulation(case)
    second.restore(str(path))
    assert second.step == 12
    second.advance(18)
    a, b = whole.diagnostics(), second.diagnostics()
    assert list(a.iolet_pressure) == list(b.iolet_pressure)
    assert np.array_equal(whole.lattice_moments()[1], second.lattice_moments()[1])
    # Another lattice: refused, naming the file, the simulation unchanged.
    other = hemotwin.Simulation(hemotwin.Case.from_dict(
        pipe_case(geometry={"cells_across_diameter": 12})))
    with pytest.raises(hemotwin.Error, match="state.h5.*another lattice"):
        other.restore(str(path))
    assert other.step == 0
