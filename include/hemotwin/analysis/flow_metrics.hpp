#pragma once
// Clinical flow metrics from a results file (hemotwin::analysis): per inlet, outlet and
// measurement section the window-mean flow and pressure; the flow split over the outlets; the
// pressure drop between two planes and the translesional pressure ratio / virtual FFR; and the
// reduced-order stenosis model of Young & Tsai to set them against. Definitions and sources in
// docs/analysis.md.
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "hemotwin/analysis/chamber_metrics.hpp"
#include "hemotwin/analysis/wall_indices.hpp"
#include "hemotwin/io/results_reader.hpp"

namespace hemotwin::analysis {

/// Window-mean values of one inlet, outlet or section.
struct PlaneMetrics {
  std::string name;
  std::string kind;          // as io::PlaneSeries::kind
  double mean_flow = 0;      // m^3/s
  double mean_pressure = 0;  // Pa
  double min_pressure = 0;   // Pa, over the window's samples
  double max_pressure = 0;   // Pa
  double peak_flow = 0;      // m^3/s, the largest over the window's samples
  double flow_fraction = 0;  // outlets: share of the summed outlet flow; 0 elsewhere, NaN at a
                             // chamber's valves (their flows cancel over a cycle)

  bool is_outlet() const { return io::is_outlet_kind(kind); }
};

/// Between a proximal and a distal plane.
struct PressureDrop {
  std::string proximal, distal;
  double mean_drop = 0;  // Pa: mean(p_proximal - p_distal) over the window
  double peak_drop = 0;  // Pa: the largest instantaneous drop over the window's samples
  /// mean(p_distal) / mean(p_proximal), the pressures as simulated (gauge, around the outlets'
  /// levels): meaningful when the outlets carry physiological pressure (e.g. Windkessels).
  double pressure_ratio = 0;
  /// Virtual FFR: cycle-mean distal over proximal pressure. With an aortic pressure given,
  /// (P_a - mean_drop) / P_a (the simulated drop below the patient's mean aortic pressure, as
  /// CT-derived FFR does); without one, pressure_ratio.
  double ffr = 0;
  double aortic_pressure = 0;  // Pa, the P_a used (the proximal mean when none was given)
};

struct FlowMetricsOptions {
  std::string proximal, distal;  // plane names for the pressure drop; empty: none
  /// Pa: the patient's mean aortic pressure; NaN: FFR from the simulated pressures.
  double aortic_pressure = std::numeric_limits<double>::quiet_NaN();
  /// s: the window to average over; NaN: the last cardiac cycle of a pulsatile run, the last
  /// half of the samples of a steady one.
  double window_start = std::numeric_limits<double>::quiet_NaN();
  double window_end = std::numeric_limits<double>::quiet_NaN();
};

struct FlowMetrics {
  double window_start = 0, window_end = 0;  // s
  int window_samples = 0;
  std::vector<PlaneMetrics> iolets, sections;
  std::optional<PressureDrop> drop;
  /// A chamber's (the results of a moving wall): over the options' window where one is given,
  /// else over its last cycle (or the whole run, shorter than one).
  std::optional<ChamberMetrics> chamber;

  const PlaneMetrics& plane(const std::string& name) const;
};

/// Throws hemotwin::Error naming the results file when a plane named in `options` does not exist
/// (listing those that do) or the window holds no sample.
FlowMetrics flow_metrics(const io::ResultsData& results, const FlowMetricsOptions& options = {});

/// The wall as the results file holds it, summarised: TAWSS, OSI, RRT, ECAP and peak-systolic
/// WSS statistics over the wall points and the shares of the wall with low TAWSS and high OSI,
/// weighted by the area each point stands for (/wall/area) where the run had a wall surface, else
/// each point alike (one lattice cell's patch of wall each). The indices are
/// recomputed from the stored WSS series (wall_indices) when the results hold one, else derived
/// from the solver's running TAWSS and OSI.
struct WallSummary {
  bool averaged = false;       // false: the run averaged nothing (no TAWSS/OSI stored)
  bool from_series = false;    // the indices come from /wall/wss_series
  bool area_weighted = false;  // by /wall/area (else each wall point alike)
  double averaged_over = 0;    // s
  std::size_t points = 0;
  RegionStats tawss, osi, rrt, ecap;  // Pa, -, 1/Pa, 1/Pa (rrt and ecap over finite values)
  RegionStats peak_wss;               // Pa, |WSS| at peak systole (from_series only)
  double peak_time = 0;               // s, the sample of peak inflow within the window
  RegionStats final_wss;              // Pa, |WSS| of the final state
  AreaFractions fractions;
  Thresholds thresholds;
};
WallSummary wall_summary(const io::ResultsData& results, const Thresholds& thresholds = {});

/// The indices of every wall point: from the WSS series when the results hold one (with
/// peak_wss at the sample of the largest total inflow), else from the stored TAWSS and OSI.
/// Empty when the run averaged nothing.
WallIndices wall_indices(const io::ResultsData& results, double* peak_time = nullptr);

/// metrics.json: the window, every plane's means, the flow split, the pressure drop and FFR,
/// and the wall summary, in SI units with mmHg and mL/s alongside (docs/analysis.md). Pretty
/// printed, ending in a newline.
std::string metrics_json(const io::ResultsData& results, const FlowMetrics& flow,
                         const WallSummary& wall);

/// A stenosis for the reduced-order model: an unobstructed diameter, the throat's, the length,
/// and optionally the radius profile along it (s from the start of the narrowing, m).
struct StenosisGeometry {
  double diameter = 0;         // m, D0
  double throat_diameter = 0;  // m, D1
  double length = 0;           // m, L_s
  std::vector<double> s, radius;
};

/// Young & Tsai (1973, J Biomech 6:395) for steady flow at mean velocity U in the unobstructed
/// vessel: dp = K_v mu U / D0 + (K_t / 2) rho (A0/A1 - 1)^2 |U| U, K_t = 1.52. K_v = 32 (0.83 L_s
/// + 1.64 D1) / D0 (A0/A1)^2 (their fit for a blunt plug) or, with a radius profile given,
/// Poiseuille's loss integrated along it, 8 mu Q / pi int r^-4 ds (the integrated form of Seeley &
/// Young 1976 for smooth stenoses). Pa.
struct StenosisPressureDrop {
  double viscous = 0, expansion = 0;
  double total() const { return viscous + expansion; }
};
StenosisPressureDrop young_tsai(const StenosisGeometry& g, double mean_velocity, double viscosity,
                                double density);

}  // namespace hemotwin::analysis
