#pragma once
// Cardiac cycles of a run: per-cycle means of the inlets' and outlets' flow and pressure, the
// change from one cycle to the next (to stop once periodic), and the iolet time series as CSV.
#include <string>
#include <vector>

#include "hemotwin/core/fields.hpp"

namespace hemotwin::io {

/// Per iolet, over one cycle: time-averaged flow (m^3/s) and pressure (Pa), and the pressure's
/// range over the samples.
struct CycleStats {
  double start = 0, end = 0;  // s
  std::vector<double> flow, pressure, pressure_min, pressure_max;
};

/// The stats of the samples in [t0, t1] (trapezoidal time averages).
CycleStats cycle_stats(const std::vector<Diagnostics>& series, double t0, double t1);

/// How much cycle `now` differs from `before`, the largest over the iolets: the change of the
/// mean pressure and of the pulse pressure (max - min), relative to the larger of the cycle's
/// mean pressure and its pulse (at least 1 Pa); and the change of the mean flow, relative to the
/// largest mean flow of the cycle.
struct CycleChange {
  int cycle = 0;  // 1-based, the later of the two
  double pressure = 0;
  double flow = 0;
  double largest() const { return pressure > flow ? pressure : flow; }
};
CycleChange cycle_change(const CycleStats& before, const CycleStats& now, int cycle);

/// The iolet time series as CSV: time_s, then per iolet NAME_flow_ml_s and NAME_pressure_mmhg
/// (the slab's mean pressure), then the same per measurement section; one row per sample.
std::string iolet_csv(const std::vector<Diagnostics>& series, const std::vector<IoletInfo>& iolets,
                      const std::vector<SectionInfo>& sections = {});

}  // namespace hemotwin::io
