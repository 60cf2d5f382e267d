// comm=...: an mpi4py communicator handed to hemotwin (Simulation, run) becomes the Communicator
// the lattice is split over: hemotwin::parallel's MpiCommunicator on the same processes, reached
// through the Fortran handle mpi4py gives (Comm.py2f), so no mpi4py header is needed to build.
#include "bindings.hpp"
#include "hemotwin/core/error.hpp"

#if HEMOTWIN_HAVE_MPI
#include "hemotwin/parallel/mpi.hpp"
#endif

namespace hemotwin::python {

std::shared_ptr<Communicator> communicator(const py::object& comm) {
  if (comm.is_none()) return nullptr;
  if (!py::hasattr(comm, "py2f") || !py::hasattr(comm, "Get_size"))
    throw py::type_error(
        "comm: expected an mpi4py communicator (from mpi4py import MPI; comm=MPI.COMM_WORLD) or "
        "None, got " +
        py::repr(comm).cast<std::string>());
  if (comm.attr("Get_size")().cast<int>() <= 1) return nullptr;
#if HEMOTWIN_HAVE_MPI
  const MPI_Comm c = MPI_Comm_f2c(comm.attr("py2f")().cast<MPI_Fint>());
  return std::make_shared<parallel::MpiCommunicator>(c);
#else
  throw Error(
      "comm: this hemotwin was built without MPI, so it cannot split over processes; install "
      "OpenMPI (libopenmpi-dev) and rebuild with -DHEMOTWIN_MPI=ON, or pass comm=None");
#endif
}

}  // namespace hemotwin::python
