// What a checkpoint costs: the time to take a simulation's state, write it (flushed to the disk,
// renamed), read it back and restore it, per GB; and that against the time of the cardiac cycle
// it would be written once in. A plain program (one scenario per process).
//
//   bench_checkpoint [--cells N] [--precision float|double] [--dir DIR] [--repeat R]
//                    [--period S]
//
// --cells: cells across the pipe (default 48: ~0.5 M fluid cells in a pipe 6 diameters long);
// --dir: where to write (default: the system's temporary directory); --period: the cardiac cycle
// the run's time step is counted against (default 0.8 s).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "hemotwin/core/simulation.hpp"
#include "hemotwin/io/checkpoint.hpp"
#include "hemotwin/io/run.hpp"

namespace fs = std::filesystem;
using hemotwin::Case;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Case pipe(int cells, hemotwin::Precision precision) {
  Case c;
  c.name = "bench-checkpoint";
  c.backend = hemotwin::BackendKind::Cpu;
  c.precision = precision;
  c.geometry.shape = hemotwin::ShapeKind::Pipe;
  c.geometry.diameter = 4e-3;
  c.geometry.length = 24e-3;
  c.geometry.cells_across = cells;
  c.inlet.mean_velocity = 0.2;
  c.time.duration = 1.0;
  c.time.max_mach = 0.05;
  return c;
}

// A short run with 10 field snapshots written straight into results.h5, and the same run kept
// checkpointable (each snapshot in a file of its own, copied in at the end): the difference is
// what a run pays to be resumable with its snapshots.
void snapshot_cost(const Case& base, const fs::path& dir) {
  for (const bool kept : {false, true}) {
    Case c = base;
    c.time.duration = 400 * 6e-6;  // ~400 steps
    c.time.max_mach = 0;
    c.time.time_step = 6e-6;
    c.output.interval = c.time.duration / 10;
    c.output.check_every = 40;
    if (kept) c.output.checkpoint_interval = 10 * c.time.duration;  // none written: only kept
    const fs::path out = dir / ("bench_checkpoint_run_" + std::to_string(::getpid()));
    const auto t = Clock::now();
    const hemotwin::io::RunResult r = hemotwin::io::run_case(c, out);
    const double s = seconds_since(t);
    std::printf("run with 10 snapshots, %s: %.2f s in all (%.2f s stepping)\n",
                kept ? "kept beside and copied in" : "written into results.h5", s, r.wall_time_s);
    fs::remove_all(out);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int cells = 48, repeat = 3;
  double period = 0.8;
  std::string precision = "float";
  fs::path dir = fs::temp_directory_path();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--cells")
      cells = std::atoi(value.c_str());
    else if (key == "--precision")
      precision = value;
    else if (key == "--dir")
      dir = value;
    else if (key == "--repeat")
      repeat = std::atoi(value.c_str());
    else if (key == "--period")
      period = std::atof(value.c_str());
    else {
      std::fprintf(stderr, "bench_checkpoint: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  if (precision != "float" && precision != "double") {
    std::fprintf(stderr, "bench_checkpoint: --precision is float or double, not %s\n",
                 precision.c_str());
    return 2;
  }
  try {
    const auto sim = hemotwin::Simulation::create(pipe(
        cells, precision == "double" ? hemotwin::Precision::Double : hemotwin::Precision::Float));
    const auto t0 = Clock::now();
    const int steps = 50;
    sim->advance(steps);
    const double step_s = seconds_since(t0) / steps;
    const fs::path file = dir / ("bench_checkpoint_" + std::to_string(::getpid()) + ".h5");
    std::printf("pipe of %d cells across: %lld fluid cells, %s, %zu bytes of populations\n", cells,
                static_cast<long long>(sim->grid().fluid_cells), precision.c_str(),
                sim->state().populations.size());
    double best_write = 1e30, best_read = 1e30, best_state = 1e30, best_restore = 1e30;
    std::uintmax_t bytes = 0;
    for (int r = 0; r < repeat; ++r) {
      auto t = Clock::now();
      hemotwin::io::Checkpoint c = hemotwin::io::make_checkpoint(*sim, "# bench\n");
      best_state = std::min(best_state, seconds_since(t));
      t = Clock::now();
      hemotwin::io::write_checkpoint(file, c);
      best_write = std::min(best_write, seconds_since(t));
      bytes = fs::file_size(file);
      t = Clock::now();
      const hemotwin::io::Checkpoint back = hemotwin::io::read_checkpoint(file);
      best_read = std::min(best_read, seconds_since(t));
      t = Clock::now();
      sim->restore(back.simulation);
      best_restore = std::min(best_restore, seconds_since(t));
    }
    fs::remove(file);
    const double gb = double(bytes) / 1e9;
    const double cycle_steps = period / sim->units().dt();
    const double cycle_s = cycle_steps * step_s;
    const double checkpoint_s = best_state + best_write;
    std::printf("file %.3f GB; best of %d:\n", gb, repeat);
    std::printf("  state()            %.3f s\n", best_state);
    std::printf("  write (fsync)      %.3f s  (%.2f s/GB, %.2f GB/s)\n", best_write,
                best_write / gb, gb / best_write);
    std::printf("  read               %.3f s  (%.2f s/GB, %.2f GB/s)\n", best_read, best_read / gb,
                gb / best_read);
    std::printf("  restore()          %.3f s\n", best_restore);
    std::printf("a step %.4f s (%.1f MLUPS); a %.2f s cycle at dt = %.3g s: %.0f steps, %.1f s\n",
                step_s, double(sim->grid().fluid_cells) / step_s / 1e6, period, sim->units().dt(),
                cycle_steps, cycle_s);
    std::printf("a checkpoint per cycle costs %.3f %% of the run\n", 100 * checkpoint_s / cycle_s);
    snapshot_cost(pipe(cells, precision == "double" ? hemotwin::Precision::Double
                                                    : hemotwin::Precision::Float),
                  dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_checkpoint: %s\n", e.what());
    return 1;
  }
  return 0;
}
