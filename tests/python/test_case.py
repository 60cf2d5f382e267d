"""hemotwin.Case: from dicts, TOML text and files, with the library's validation."""

import pytest

import hemotwin
from conftest import pipe_case


def test_from_dict_gives_a_validated_case():
    case = hemotwin.Case.from_dict(pipe_case())
    assert case.name == "pytest_pipe"
    assert case.shape == "pipe"
    assert case.duration == pytest.approx(0.02)
    assert not case.has_file_geometry
    assert "diameter_mm = 4" in case.to_toml()
    assert "reference_pressure" in case.complete_toml() or "[flow]" in case.complete_toml()


def test_dotted_keys_and_numpy_values_are_accepted():
    import numpy as np

    d = pipe_case()
    d["geometry"]["diameter_mm"] = np.float64(4.0)
    d["output"]["check_every"] = np.int64(10)
    case = hemotwin.Case.from_dict(d, overrides={"inlet.mean_velocity_m_s": 0.2})
    assert "mean_velocity_m_s = 0.2" in case.to_toml()


def test_a_misspelt_key_raises_a_value_error_naming_it_and_the_nearest_valid_one():
    d = pipe_case()
    d["inlet"]["mean_velocity"] = 0.1  # the unit left out
    with pytest.raises(ValueError) as info:
        hemotwin.Case.from_dict(d)
    e = info.value
    assert isinstance(e, hemotwin.CaseError) and isinstance(e, hemotwin.Error)
    assert e.key == "inlet.mean_velocity"
    assert "mean_velocity_m_s" in str(e)
    assert "case dict" in str(e)


def test_an_out_of_range_value_names_the_key_and_what_is_valid():
    d = pipe_case()
    d["geometry"]["diameter_mm"] = -4
    with pytest.raises(hemotwin.CaseError) as info:
        hemotwin.Case.from_dict(d)
    assert info.value.key == "geometry.diameter_mm"
    assert "must lie in (0, 200] mm, got -4" in str(info.value)


def test_a_value_of_the_wrong_python_type_names_the_key():
    d = pipe_case()
    d["inlet"]["mean_velocity_m_s"] = object()
    with pytest.raises(hemotwin.CaseError) as info:
        hemotwin.Case.from_dict(d)
    assert info.value.key == "inlet.mean_velocity_m_s"
    d = pipe_case()
    d["inlet"]["mean_velocity_m_s"] = "fast"
    with pytest.raises(hemotwin.CaseError) as info:
        hemotwin.Case.from_dict(d)
    assert info.value.key == "inlet.mean_velocity_m_s"


def test_overrides_are_validated_as_the_command_line_does():
    case = hemotwin.Case.from_dict(pipe_case())
    faster = case.with_overrides({"inlet.mean_velocity_m_s": 0.3})
    assert "mean_velocity_m_s = 0.3" in faster.to_toml()
    with pytest.raises(hemotwin.Error) as info:
        case.with_overrides({"inlet.mean_velocty_m_s": 0.3})
    assert "mean_velocity_m_s" in str(info.value)


def test_case_files_and_their_errors_name_file_and_line(tmp_path, source_dir):
    case = hemotwin.Case.from_file(source_dir / "examples" / "cases" / "stenosis.toml")
    assert case.shape == "stenosed_pipe"
    bad = tmp_path / "bad.toml"
    bad.write_text('[geometry]\nshape = "pipe"\ndiameter_mm = 4\nlength_mm = 20\n\n'
                   "[inlet]\nmean_velocity_m_s = -1\n\n[time]\nduration_s = 0.1\n")
    with pytest.raises(hemotwin.CaseError) as info:
        hemotwin.Case.from_file(bad)
    e = info.value
    assert e.file.endswith("bad.toml") and e.line == 7 and e.key == "inlet.mean_velocity_m_s"
    assert str(e).startswith(str(bad) + ":7:")
    with pytest.raises(hemotwin.Error, match="not found"):
        hemotwin.Case.from_file(tmp_path / "missing.toml")


def test_toml_text_round_trips():
    case = hemotwin.Case.from_dict(pipe_case())
    again = hemotwin.Case.from_toml(case.complete_toml(), name="again.toml")
    assert again.complete_toml() == case.complete_toml()
    assert "inlet.mean_velocity_m_s" in hemotwin.Case.keys()


def test_key_table_gives_unit_range_and_meaning():
    table = {row["path"]: row for row in hemotwin.Case.key_table()}
    assert sorted(table) == sorted(hemotwin.Case.keys())
    velocity = table["inlet.mean_velocity_m_s"]
    assert velocity["unit"] == "m/s" and velocity["type"] == "number"
    assert velocity["range"] == (0.0, 20.0, True, False)
    assert velocity["valid"].startswith("(0, 20]")
    assert "cross-section mean velocity" in velocity["meaning"]
    assert "range" not in table["case.backend"]
    with pytest.raises(hemotwin.Error, match=r"must lie in \(0, 20\] m/s, got 1e308"):
        hemotwin.Case.from_dict(pipe_case(), {"inlet.mean_velocity_m_s": 1e308})
