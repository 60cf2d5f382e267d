"""hemotwin.wall_indices and friends on synthetic WSS with known answers, and on a run's wall."""

import numpy as np
import pytest

import hemotwin
from conftest import pipe_case


def test_indices_of_a_three_to_one_forward_backward_shear():
    a = 3.0
    s = np.array([0, a, 0, -a, 0])[:, None, None] * np.array([0, 0, 1.0])  # (5, 1, 3)
    w = hemotwin.wall_indices([0, 0.375, 0.75, 0.875, 1.0], s, peak_sample=1)
    assert w["tawss"][0] == pytest.approx(0.5 * a, abs=1e-14)
    assert w["osi"][0] == pytest.approx(0.25, abs=1e-14)
    assert w["rrt"][0] == pytest.approx(4 / a, abs=1e-14)
    assert w["ecap"][0] == pytest.approx(0.25 / (0.5 * a), abs=1e-14)
    assert w["peak_wss"][0] == pytest.approx(a) and w["window"] == 1.0
    with pytest.raises(hemotwin.Error, match="must increase"):
        hemotwin.wall_indices([0, 1, 1, 2, 3], s)


def test_fractions_and_statistics_of_a_run_wall(tmp_path):
    res = hemotwin.load(hemotwin.run(hemotwin.Case.from_dict(pipe_case()), tmp_path / "out").directory)
    wall = res.wall
    d = hemotwin.derived_indices(wall["tawss"], wall["osi"])
    assert np.isfinite(d["rrt"]).all()  # steady forward flow: the mean WSS never vanishes
    f = hemotwin.area_fractions(wall["tawss"], wall["osi"], low_tawss=0.0)
    assert f["low_tawss"] == 0.0 and f["points"] == len(wall["tawss"])
    s = hemotwin.region_stats(wall["tawss"])
    assert s["min"] <= s["p5"] <= s["p50"] <= s["p95"] <= s["max"]
    assert s["mean"] == pytest.approx(np.mean(wall["tawss"]))
    with pytest.raises(ValueError, match="mask"):
        hemotwin.area_fractions(wall["tawss"], wall["osi"], mask=[True])
