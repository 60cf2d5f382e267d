"""examples/slurm/ against a real Slurm (label slurm): a one-node cluster of Debian's slurm-wlm
with munge, started for these tests by scripts/slurm-cluster and stopped after them. Submits the
examples as they are (only the GPU and time requests overridden through sbatch's environment):
an MPI run over two processes, a chain of one-minute jobs that resume each other across the time
limit, and a job array of cases that a second submission finds done."""

import json
import os
import pathlib
import subprocess
import tempfile
import textwrap
import time

import h5py
import numpy as np
import pytest

SOURCE = pathlib.Path(os.environ["HEMOTWIN_SOURCE_DIR"])
HEMOTWIN = pathlib.Path(os.environ["HEMOTWIN_CLI"])
EXAMPLES = SOURCE / "examples" / "slurm"


@pytest.fixture(scope="module")
def slurm():
    """The cluster's environment for sbatch, with the examples' GPU requests cleared."""
    if os.geteuid() != 0:
        pytest.skip("a private Slurm needs root (slurmd starts jobs as their user)")
    home = pathlib.Path(tempfile.mkdtemp(prefix="hemotwin-slurm-"))
    started = subprocess.run([SOURCE / "scripts" / "slurm-cluster", "start", home / "cluster"],
                             capture_output=True, text=True)
    if started.returncode == 77:
        pytest.skip(started.stderr.strip())
    assert started.returncode == 0, started.stderr
    env = dict(os.environ, SLURM_CONF=str(home / "cluster" / "slurm.conf"),
               HEMOTWIN=str(HEMOTWIN), SBATCH_GPUS_PER_NODE="0", SBATCH_GPUS_PER_TASK="0",
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    yield home, env
    subprocess.run([SOURCE / "scripts" / "slurm-cluster", "stop", home / "cluster"])
    subprocess.run(["rm", "-rf", str(home)])


def pipe_case(path, name, length_mm=16, duration_s=0.02, cells=10, interval_s=0.01):
    path.write_text(textwrap.dedent(f"""\
        [case]
        name = "{name}"
        backend = "cpu"
        threads = 1
        [geometry]
        shape = "pipe"
        diameter_mm = 4
        length_mm = {length_mm}
        cells_across_diameter = {cells}
        [inlet]
        mean_velocity_m_s = 0.1
        [blood]
        viscosity_pa_s = 0.035
        [time]
        duration_s = {duration_s}
        [output]
        check_every = 20
        interval_s = {interval_s}
        """))
    return path


def sbatch(env, *args):
    done = subprocess.run(["sbatch", "--parsable", *map(str, args)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split(";")[0]


def fields(h5):
    with h5py.File(h5, "r") as f:
        return {f"{s}/{n}": f["fields"][s][n][()] for s in f["fields"] for n in f["fields"][s]}


def test_an_mpi_run_over_two_processes_writes_the_results_of_one(slurm, tmp_path):
    home, env = slurm
    case = pipe_case(tmp_path / "pipe.toml", "pipe")
    sbatch(env, "--wait", "--nodes=1", "--ntasks-per-node=2", "--cpus-per-task=1",
           f"--output={tmp_path}/mpi-%j.out", EXAMPLES / "run-mpi.sbatch", case, tmp_path / "split")
    log = "".join(p.read_text() for p in tmp_path.glob("mpi-*.out"))
    summary = json.loads((tmp_path / "split" / "summary.json").read_text())
    assert summary["ranks"] == 2 and len(summary["devices"]) == 2, log
    one = subprocess.run([HEMOTWIN, "run", case, "--output", tmp_path / "one", "--quiet"],
                         capture_output=True, text=True)
    assert one.returncode == 0, one.stderr
    a, b = fields(tmp_path / "split" / "results.h5"), fields(tmp_path / "one" / "results.h5")
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def test_a_chain_of_jobs_resumes_across_the_time_limit(slurm, tmp_path):
    home, env = slurm
    # About 80 s of work on one core (30 million cell updates a second): more than one job of a
    # minute does once Slurm has sent SIGUSR1 (15-25 s into it).
    case = pipe_case(tmp_path / "long.toml", "long", length_mm=40, duration_s=10, cells=14,
                     interval_s=1)
    chain_env = dict(env, SBATCH_TIMELIMIT="1", SBATCH_SIGNAL="USR1@45",
                     SBATCH_OUTPUT=f"{tmp_path}/chain-%j.out", HEMOTWIN_CHAIN_MAX="8")
    first = sbatch(chain_env, "--cpus-per-task=1", EXAMPLES / "chain.sbatch", case,
                   tmp_path / "out")
    deadline = time.time() + 900
    while time.time() < deadline:
        queue = subprocess.run(["squeue", "-h", "-n", "hemotwin-chain", "-o", "%i"], env=env,
                               capture_output=True, text=True).stdout.split()
        if not queue:
            break
        time.sleep(2)
    logs = sorted(tmp_path.glob("chain-*.out"), key=lambda p: int(p.stem.split("-")[1]))
    text = "\n".join(p.read_text() for p in logs)
    assert (tmp_path / "out" / "summary.json").is_file(), text
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert not summary["stopped_early"], text
    assert len(logs) >= 2 and "resuming from" in text, text
    assert "checkpoint in" in text and "SIGUSR1" in text, text
    assert not (tmp_path / "out.checkpoint").exists(), "the checkpoint outlived the results"
    assert logs[0].name == f"chain-{first}.out"


def test_a_job_array_runs_every_case_and_a_resubmission_skips_the_done(slurm, tmp_path):
    home, env = slurm
    cases = [pipe_case(tmp_path / f"case{k}.toml", f"case{k}", duration_s=0.01) for k in range(2)]
    listing = tmp_path / "cases.txt"
    listing.write_text("".join(f"{c}\n" for c in cases))
    for attempt in range(2):
        sbatch(env, "--wait", "--array=0-1", "--cpus-per-task=1",
               f"--output={tmp_path}/array{attempt}-%A_%a.out", EXAMPLES / "array.sbatch",
               listing, tmp_path / "results")
    for k in range(2):
        assert (tmp_path / "results" / f"case{k}" / "summary.json").is_file()
        assert "is done" in (tmp_path / f"array1-{_array_id(tmp_path)}_{k}.out").read_text()


def _array_id(tmp_path):
    return next(tmp_path.glob("array1-*_0.out")).stem.split("-")[1].split("_")[0]
