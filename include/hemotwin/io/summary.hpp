#pragma once
// summary.json: what a run did and how well it conserved mass, in one small file that scripts and
// reports read (the keys are documented in docs/file-format.md). It is the last file a run commits,
// so a results directory that holds summary.json holds a complete run.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hemotwin/core/fields.hpp"
#include "hemotwin/io/cycles.hpp"

namespace hemotwin::io {

/// How well a run conserved mass, from its diagnostics samples.
struct MassBalance {
  /// (mass_last - mass_first) / mass_first over all samples; empty with no samples.
  std::optional<double> relative_mass_change;
  /// (Q_in - Q_out) / Q_in of the time-averaged total inlet and outlet flow over the averaging
  /// window; empty when the run has no inlet or no outlet, or no flow at all.
  std::optional<double> flow_imbalance;
  double inlet_flow = 0;    // m^3/s, time average over the window, summed over inlets
  double outlet_flow = 0;   // m^3/s, the same over outlets
  double window_start = 0;  // s
  double window_end = 0;    // s
  int window_samples = 0;
};

/// The averaging window: the last cycle when `period` > 0 and the run spans one, else the last
/// half of the sampled time, [(t_first + t_last) / 2, t_last].
std::pair<double, double> averaging_window(const std::vector<Diagnostics>& series,
                                           double period = 0);

/// The same from the sample times alone (ascending).
std::pair<double, double> averaging_window(const std::vector<double>& time, double period = 0);

/// Time average of `values` (one per sample of `series`) over the samples whose time lies in
/// [t0, t1], by the trapezoidal rule; a window with one sample gives that sample's value, an empty
/// one 0.
double time_average(const std::vector<Diagnostics>& series, const std::vector<double>& values,
                    double t0, double t1);
/// The same with the sample times given (ascending, one per value).
double time_average(const std::vector<double>& time, const std::vector<double>& values, double t0,
                    double t1);

/// Mass change and inlet/outlet flow imbalance of a run (see MassBalance).
MassBalance mass_balance(const std::vector<Diagnostics>& series,
                         const std::vector<IoletInfo>& iolets, double period = 0);

/// Everything summary.json reports. Strings describe the run as the core named it.
struct RunSummary {
  std::string name;
  std::string hemotwin_version;
  std::string git_commit;
  std::int64_t steps = 0;        // steps this run advanced
  std::int64_t total_steps = 0;  // steps the case asked for
  bool stopped_early = false;
  double simulated_time = 0;  // s
  double wall_time_s = 0;
  std::int64_t fluid_cells = 0;
  double mlups = 0;
  std::string backend, device, streaming, precision, lattice, collision;
  int ranks = 1;                     // processes the run was split over
  std::vector<std::string> devices;  // each process's device, in rank order
  double dx = 0;                     // m
  double dt = 0;                     // s
  double tau = 0;                    // relaxation time, lattice units
  std::vector<IoletInfo> iolets;
  std::vector<SectionInfo> sections;
  std::vector<Diagnostics> series;  // the diagnostics samples of the run
  double cycle_period = 0;          // s; 0: not run by cycles
  int cycles_done = 0;
  std::vector<CycleChange> cycle_changes;                  // from the 2nd cycle on
  bool converged = false;                                  // stopped once periodic
  std::vector<std::pair<std::string, std::string>> files;  // role, file name ("hdf5", "results.h5")
};

/// summary.json's text (pretty-printed, two-space indent, ending in a newline).
std::string summary_json(const RunSummary& summary);

/// Writes summary_json(summary) to `path`; throws hemotwin::Error naming the file on failure.
void write_summary(const std::filesystem::path& path, const RunSummary& summary);

}  // namespace hemotwin::io
