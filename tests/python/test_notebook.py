"""examples/notebooks/*.ipynb execute without error (nbconvert's ExecutePreprocessor), so they
never rot. The figures they draw must be there."""

import os
import pathlib

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs python3-nbformat (scripts/install-deps)")
from nbconvert.preprocessors import ExecutePreprocessor  # noqa: E402

NOTEBOOKS = sorted((pathlib.Path(os.environ.get("HEMOTWIN_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
                    / "examples" / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws the figures
    nb = nbformat.read(path, as_version=4)
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert len(images) >= 4, "every figure cell should draw a figure"


def test_there_is_a_notebook():
    assert NOTEBOOKS
