#pragma once
// Runs a Case end to end: builds the Simulation, advances it, samples the iolets every
// `output.check_every` steps, writes fields at the output interval, and commits the results
// directory atomically (docs/file-format.md). Used by the CLI and by Python.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "hemotwin/core/case.hpp"
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
};

/// Throws hemotwin::Error (or DivergenceError) on failure; then nothing in `output_dir` is changed.
RunResult run_case(const Case& c, const std::filesystem::path& output_dir,
                   const RunCallbacks& callbacks = {});

}  // namespace hemotwin::io
