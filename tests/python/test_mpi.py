"""hemotwin under mpirun with mpi4py (label mpi): tests/python/mpi_split.py on 2 and 3 processes,
each comparing a split run and a split Simulation with one process's."""

import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py", reason="python3-mpi4py is not installed (scripts/install-deps)")
MPIRUN = shutil.which("mpirun")
HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.skipif(MPIRUN is None, reason="mpirun (openmpi-bin) is not installed")
@pytest.mark.parametrize("processes", [2, 3])
def test_a_split_run_and_simulation_match_one_process(tmp_path, processes):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join([HERE, os.environ["PYTHONPATH"]]))
    # -m mpi4py: an exception on one process aborts them all instead of leaving them waiting.
    cmd = [MPIRUN, "-n", str(processes), "--oversubscribe", sys.executable, "-m", "mpi4py",
           os.path.join(HERE, "mpi_split.py"), str(tmp_path)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=500)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok"), done.stdout
