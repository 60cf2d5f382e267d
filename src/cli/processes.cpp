#include "processes.hpp"

#include <cstdlib>
#include <string>

#include "failure.hpp"

#if HEMOTWIN_HAVE_MPI
#include "hemotwin/parallel/mpi.hpp"
#endif

namespace hemotwin::cli {

namespace {
int env_int(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : 0;
}
}  // namespace

int launched_processes() {
  if (const int n = env_int("OMPI_COMM_WORLD_SIZE"); n > 0) return n;
  if (const int n = env_int("PMI_SIZE"); n > 0) return n;
  if (std::getenv("PMIX_RANK"))
    if (const int n = env_int("SLURM_STEP_NUM_TASKS"); n > 0) return n;
  return 1;
}

#if HEMOTWIN_HAVE_MPI
struct Processes::Mpi {
  parallel::Environment environment;
  Mpi(int& argc, char**& argv) : environment(argc, argv) {}
};

Processes::Processes(int& argc, char**& argv) {
  if (launched_processes() <= 1) return;
  mpi_ = std::make_unique<Mpi>(argc, argv);
  comm_ = std::make_shared<parallel::MpiCommunicator>();
}

int Processes::end_all(int code) const {
  if (size() > 1) MPI_Abort(MPI_COMM_WORLD, code);
  return code;
}
#else
struct Processes::Mpi {};

Processes::Processes(int&, char**&) {
  if (const int n = launched_processes(); n > 1)
    throw Failure(exit_usage,
                  "started as " + std::to_string(n) +
                      " processes (mpirun or srun), but this hemotwin was built without MPI: "
                      "install OpenMPI (libopenmpi-dev) and rebuild with -DHEMOTWIN_MPI=ON, or "
                      "start one process");
}

int Processes::end_all(int code) const { return code; }
#endif

Processes::~Processes() {
  comm_.reset();  // before MPI_Finalize
  mpi_.reset();
}

void Processes::require_alone(const std::string& command) const {
  if (size() <= 1) return;
  throw Failure(exit_usage, "hemotwin " + command + " was started as " + std::to_string(size()) +
                                " processes; only 'hemotwin run' splits over processes (each "
                                "would write the same files): start it without mpirun or srun");
}

}  // namespace hemotwin::cli
