#pragma once
// The processes `hemotwin run` is split over when a launcher (mpirun, srun) started several:
// MPI started here, in main, and the world communicator handed to run_case. Other commands run
// in one process and refuse a launch of several (each would write the same files).
#include <memory>
#include <string>

#include "hemotwin/core/decomposition.hpp"

namespace hemotwin::cli {

/// How many processes the launcher says it started (1 when none did): OpenMPI's mpirun
/// (OMPI_COMM_WORLD_SIZE), Slurm's srun with PMI-2 (PMI_SIZE) or PMIx (SLURM_STEP_NUM_TASKS
/// beside PMIX_RANK).
int launched_processes();

class Processes {
 public:
  /// Starts MPI when launched_processes() > 1. Throws Failure(exit_usage) when this build has no
  /// MPI (HEMOTWIN_MPI=OFF or no MPI found) yet several processes were launched.
  Processes(int& argc, char**& argv);
  ~Processes();
  Processes(const Processes&) = delete;
  Processes& operator=(const Processes&) = delete;

  int size() const { return comm_ ? comm_->size() : 1; }
  int rank() const { return comm_ ? comm_->rank() : 0; }
  /// The world, for RunCallbacks::communicator; null when alone.
  std::shared_ptr<Communicator> communicator() const { return comm_; }
  /// Refuses a command other than `run` when split: `command` names it.
  void require_alone(const std::string& command) const;
  /// Ends every process with `code` (MPI_Abort) so that none waits on one that failed; returns
  /// `code` when alone.
  int end_all(int code) const;

 private:
  struct Mpi;
  std::unique_ptr<Mpi> mpi_;
  std::shared_ptr<Communicator> comm_;
};

}  // namespace hemotwin::cli
