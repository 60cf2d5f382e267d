"""`cmake --install` puts the package where the interpreter finds it."""

import os
import pathlib
import subprocess
import sys

import pytest


def test_installed_package_imports_from_the_install_prefix(tmp_path):
    build = pathlib.Path(os.environ["HEMOTWIN_BINARY_DIR"])
    cache = (build / "CMakeCache.txt").read_text()
    rel = next(line.split("=", 1)[1] for line in cache.splitlines()
               if line.startswith("HEMOTWIN_PYTHON_INSTALL_DIR:"))
    # The default prefix's site directory is on this interpreter's path, so a plain install works.
    prefix = next(line.split("=", 1)[1] for line in cache.splitlines()
                  if line.startswith("CMAKE_INSTALL_PREFIX:"))
    assert os.path.normpath(os.path.join(prefix, rel)) in [os.path.normpath(p) for p in sys.path], (
        f"{prefix}/{rel} is not on {sys.executable}'s path")
    # Install into a scratch prefix (the component holding the package only) and import from it.
    subprocess.run(["cmake", "--install", str(build), "--prefix", str(tmp_path)],
                   check=True, capture_output=True)
    site = tmp_path / rel
    assert (site / "hemotwin" / "__init__.py").is_file()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run([sys.executable, "-c",
                          "import hemotwin, sys; print(hemotwin.__file__); print(hemotwin.__version__)"],
                         env=env, check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert out.splitlines()[0].startswith(str(site))
