#pragma once
// Runs a Case end to end: builds the Simulation, advances it, samples the iolets every
// `output.check_every` steps, writes fields at the output interval, and commits the results
// directory atomically (docs/file-format.md). Used by the CLI and by Python.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "hemotwin/core/case.hpp"
#include "hemotwin/core/decomposition.hpp"
#include "hemotwin/core/sparse_lattice.hpp"
#include "hemotwin/io/vti_writer.hpp"

namespace hemotwin::io {

struct Progress {
  std::int64_t step = 0;
  std::int64_t total_steps = 0;
  double elapsed_s = 0;  // wall time since the first step
  double mlups = 0;      // fluid-cell updates per second / 1e6, over the whole run so far
};

/// A geometry built outside the core: its domain (m), and the wall surface it came from (m;
/// may be empty), onto which run_case maps the wall quantities (wall_surface.vtp).
struct FileGeometry {
  DomainSpec domain;
  WallSurface wall;
};

struct RunCallbacks {
  /// Builds the domain of a case whose geometry core cannot build (geometry read from a file:
  /// hemotwin::imaging::prepare_geometry). Unset: Simulation::create(case) builds it.
  std::function<FileGeometry(const Case&)> geometry;
  /// Called after every sample (every output.check_every steps) and at the end.
  std::function<void(const Progress&)> on_progress;
  /// Called once the simulation is built, with a line describing backend and device
  /// ("backend cpu (auto: no CUDA device: ...)").
  std::function<void(const std::string&)> on_info;
  /// Polled between chunks; returning true stops the run cleanly, committing what was written.
  std::function<bool()> should_stop;
  /// Polled with should_stop; returning true writes a checkpoint of the state reached and stops
  /// without committing any results (SIGTERM or SIGUSR1 before a batch system's time limit). Set,
  /// it also makes the run checkpointable: its field snapshots are kept in the checkpoint
  /// directory until the end.
  std::function<bool()> should_checkpoint_and_stop;
  /// The processes to split the run over (hemotwin::parallel::MpiCommunicator); null or of size
  /// 1: this process alone. Every process calls run_case with the same case and arguments; rank 0
  /// writes every file (the results are those of one process) and alone calls on_progress
  /// (on_info is called on every process); the others log warnings and errors only. should_stop and
  /// should_checkpoint_and_stop hold for all once they hold on any process.
  std::shared_ptr<Communicator> communicator;
};

struct RunResult {
  std::filesystem::path directory;  // where the results are
  std::filesystem::path hdf5;       // results.h5
  std::filesystem::path xdmf;       // results.xdmf
  std::filesystem::path summary;    // summary.json
  std::int64_t steps = 0;
  double dt = 0;  // s, the time step it ran at
  double wall_time_s = 0;
  double mlups = 0;
  bool stopped_early = false;
  /// Stopped by should_checkpoint_and_stop: nothing was committed; `checkpoint` resumes it.
  bool checkpointed = false;
  std::filesystem::path checkpoint;  // the last checkpoint written, if any
  std::int64_t resumed_at = -1;      // the step the run went on from; -1: it started afresh
};

/// Where the checkpoints of a run into `output_dir` go: `<output_dir>.checkpoint/`.
std::filesystem::path checkpoint_dir(const std::filesystem::path& output_dir);

/// Runs `c` into `output_dir`; with `resume_from` (a checkpoint directory or its checkpoint.h5)
/// it goes on from that checkpoint: bit for bit as the uninterrupted run on the same backend and
/// precision. A checkpointed run (output.checkpoint_interval_s or _wall_interval_s set,
/// should_checkpoint_and_stop set, or resumed) keeps its checkpoint and field snapshots in the
/// checkpoint directory and removes them once its results are committed.
/// Throws hemotwin::Error (or DivergenceError) on failure; then nothing in `output_dir` is changed
/// and the last checkpoint stays usable. A checkpoint of another lattice, time step or relaxation
/// time is refused before the run starts (before on_info).
RunResult run_case(const Case& c, const std::filesystem::path& output_dir,
                   const RunCallbacks& callbacks = {},
                   const std::filesystem::path& resume_from = {});

}  // namespace hemotwin::io
