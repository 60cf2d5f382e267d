"""hemotwin under mpirun with mpi4py (label mpi): tests/python/mpi_split.py on 2 and 3 processes,
each comparing a split run and a split Simulation with one process's; and an MPI started without
thread support, refused with what to do."""

import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py", reason="python3-mpi4py is not installed (scripts/install-deps)")
MPIRUN = shutil.which("mpirun")
HERE = os.path.dirname(os.path.abspath(__file__))


def mpirun(*args, timeout):
    """Runs `mpirun ARGS` as root if need be, one OpenMP thread each, this folder on the path."""
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join([HERE, os.environ["PYTHONPATH"]]))
    return subprocess.run([MPIRUN, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.skipif(MPIRUN is None, reason="mpirun (openmpi-bin) is not installed")
@pytest.mark.parametrize("processes", [2, 3])
def test_a_split_run_and_simulation_match_one_process(tmp_path, processes):
    # -m mpi4py: an exception on one process aborts them all instead of leaving them waiting.
    done = mpirun("-n", str(processes), "--oversubscribe", sys.executable, "-m", "mpi4py",
                  os.path.join(HERE, "mpi_split.py"), str(tmp_path), timeout=500)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok"), done.stdout


SINGLE_THREADED = """
import sys
import mpi4py
mpi4py.rc.thread_level = "single"
from mpi4py import MPI
import hemotwin
from conftest import pipe_case
try:
    hemotwin.Simulation(hemotwin.Case.from_dict(pipe_case()), comm=MPI.COMM_WORLD)
except hemotwin.Error as e:
    print("refused:", e)
    sys.exit(0)
print("accepted an MPI without thread support")
sys.exit(1)
"""


@pytest.mark.skipif(MPIRUN is None, reason="mpirun (openmpi-bin) is not installed")
def test_an_mpi_without_thread_support_is_refused_with_what_to_do():
    done = mpirun("-n", "2", "--oversubscribe", sys.executable, "-c", SINGLE_THREADED, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MPI_THREAD_FUNNELED" in done.stdout and "thread_level" in done.stdout, done.stdout
