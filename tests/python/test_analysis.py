"""hemotwin.wall_indices and friends on synthetic WSS with known answers, and on a run's wall."""

import json

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
    # A mask selects a region: the statistics are those of the points it holds.
    upstream = wall["points"][:, 0] < np.median(wall["points"][:, 0])
    r = hemotwin.region_stats(wall["tawss"], mask=upstream)
    assert r["points"] == upstream.sum()
    assert r["mean"] == pytest.approx(np.mean(wall["tawss"][upstream]))
    assert r["max"] == pytest.approx(np.max(wall["tawss"][upstream]))
    fr = hemotwin.area_fractions(wall["tawss"], wall["osi"], mask=upstream,
                                 low_tawss=np.median(wall["tawss"][upstream]))
    assert fr["points"] == upstream.sum()


def test_analyze_a_run_with_sections(tmp_path):
    # Two sections 8 mm apart in a pipe of viscous fluid: the drop between them is Poiseuille's,
    # 32 mu U L / D^2, once the flow has settled.
    case = pipe_case(sections={"up": {"point_mm": [4, 0, 0], "normal": [1, 0, 0]},
                               "down": {"point_mm": [12, 0, 0], "normal": [1, 0, 0]}},
                     time={"duration_s": 0.1})
    res = hemotwin.run(hemotwin.Case.from_dict(case), tmp_path / "out")
    m = hemotwin.analyze(res.directory, proximal="up", distal="down", aortic_pressure_mmhg=90)
    assert [s["name"] for s in m["sections"]] == ["down", "up"]  # a case file's tables: name order
    # At 10 cells across the lattice's drop is 5.2 % above Poiseuille's for the flow the inlet
    # injects (1.0 % at 20 cells: the discretisation, which falls as the grid is refined).
    poiseuille = 32 * 0.035 * 0.1 * 0.008 / 0.004 ** 2
    assert m["pressure_drop"]["mean_pa"] == pytest.approx(poiseuille, rel=0.07)
    assert m["pressure_drop"]["ffr"] == pytest.approx(1 - m["pressure_drop"]["mean_mmhg"] / 90, abs=1e-12)
    assert m["flow_split"] == {"outlet0": 1.0}
    assert m["wall"]["indices_from"] == "wss_series"
    loaded = hemotwin.load(res.directory)
    assert set(loaded.sections) == {"up", "down"}
    assert loaded.sections["up"]["flow"][-1] == pytest.approx(loaded.iolets["inlet0"]["flow"][-1], rel=0.02)
    with pytest.raises(hemotwin.Error, match="no inlet, outlet or section named 'mid'"):
        hemotwin.analyze(res.directory, proximal="up", distal="mid")

    # The report's tables (figures need an X display: the CLI test renders them).
    r = hemotwin.report(res.directory, tmp_path / "report", figures=False, title="pipe")
    assert r["kind"] == "run" and r["figures"] == [] and r["html"].name == "report.html"
    page = r["html"].read_text()
    assert "<title>pipe</title>" in page and "inlet0" in page and "TAWSS (Pa)" in page
    assert json.loads(r["json"].read_text())["runs"]["Run"]["iolets"][0]["name"] == "inlet0"
    with pytest.raises(hemotwin.Error, match="neither a results directory"):
        hemotwin.report(tmp_path, tmp_path / "nothing")


def test_young_tsai_by_hand():
    dp = hemotwin.young_tsai(0.004, 0.002, 0.008, 0.1)  # blood by default
    assert dp["viscous"] == pytest.approx(111.104, abs=1e-9)
    assert dp["expansion"] == pytest.approx(72.504, abs=1e-9)
    s = np.linspace(0, 0.01, 11)
    straight = hemotwin.young_tsai(0.004, 0.004, 0.01, 0.2, s=s, radius=np.full(11, 0.002))
    assert straight["total"] == pytest.approx(32 * 0.0035 * 0.2 * 0.01 / 0.004 ** 2, rel=1e-12)
