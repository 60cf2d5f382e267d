"""Run under mpirun (tests/python/test_mpi.py starts it): hemotwin.run and hemotwin.Simulation
with comm=MPI.COMM_WORLD against the same case in one process (rank 0 alone), and a checkpoint
written by the split Simulation restored by one process and back. Prints "ok" on rank 0."""

import pathlib
import sys

import numpy as np
from mpi4py import MPI

import hemotwin
from conftest import pipe_case

comm = MPI.COMM_WORLD
rank = comm.Get_rank()
root = pathlib.Path(sys.argv[1])
case = hemotwin.Case.from_dict(
    pipe_case(output={"check_every": 20, "interval_s": 0.01}, outlet={"model": "pressure"}))

# hemotwin.run: the results of the split run are those of one process, bit for bit.
seen = []
split = hemotwin.run(case, root / "split", progress=seen.append, comm=comm)
assert split.directory == root / "split", split.directory
assert (len(seen) > 0) == (rank == 0), "progress is reported by rank 0 alone"
if rank == 0:
    alone = hemotwin.run(case, root / "alone")
    a, b = hemotwin.load(root / "split"), hemotwin.load(root / "alone")
    assert a.summary["ranks"] == comm.Get_size() and b.summary["ranks"] == 1
    assert len(a.summary["devices"]) == comm.Get_size()
    for step in range(len(b.steps)):
        fa, fb = a.fields(step), b.fields(step)
        for name in ("velocity", "pressure"):
            assert np.array_equal(fa[name], fb[name], equal_nan=True), (name, step)
    for name, series in b.iolets.items():
        for key in ("flow", "pressure"):
            # Summed over the processes in another order: round-off.
            assert np.allclose(a.iolets[name][key], series[key], rtol=1e-12, atol=0), (name, key)
comm.Barrier()

# hemotwin.Simulation: split, checkpointed by rank 0, restored by one process, and back.
sim = hemotwin.Simulation(case, comm=comm)
assert sim.ranks == comm.Get_size() and sim.rank == rank
sim.advance(40)
sim.checkpoint(str(root / "split.h5"))
sim.advance(40)
rho, u = sim.lattice_moments()
if rank == 0:
    one = hemotwin.Simulation(case)
    one.restore(str(root / "split.h5"))
    assert one.step == 40
    one.advance(40)
    rho1, u1 = one.lattice_moments()
    assert np.array_equal(rho, rho1) and np.array_equal(u, u1), "restored by one process"
    one.checkpoint(str(root / "one.h5"))
else:
    assert len(rho) == 0, "moments come whole to rank 0"
comm.Barrier()
back = hemotwin.Simulation(case, comm=comm)
back.restore(str(root / "one.h5"))
assert back.step == 80
back.advance(20)
sim.advance(20)
r2, u2 = back.lattice_moments()
r1, u1 = sim.lattice_moments()
assert np.array_equal(r1, r2) and np.array_equal(u1, u2), "restored on every process"
if rank == 0:
    print("ok")
