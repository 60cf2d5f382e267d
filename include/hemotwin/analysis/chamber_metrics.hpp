#pragma once
// A heart chamber's metrics over one cycle, from a results file whose wall moved (a chamber:
// geometry.shape = "surface_series"): its volume curve, end-diastolic and end-systolic volumes,
// stroke volume and ejection fraction from the moving wall; the volume through each valve each
// way; the kinetic energy and the viscous dissipation over the cycle; and the mass balance
// between the wall's volume change and the valves' net flow. Definitions in docs/analysis.md.
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "hemotwin/io/results_reader.hpp"

namespace hemotwin::analysis {

/// One valve (an opening of the chamber, an outlet of the run: its flow is positive out of the
/// chamber). For a left ventricle the aortic valve's outflow is the forward stroke volume and its
/// inflow the aortic regurgitation; the mitral valve's inflow is the filling and its outflow the
/// mitral regurgitation.
struct ValveVolumes {
  std::string name;
  double outflow = 0;       // m^3 over the window, out of the chamber
  double inflow = 0;        // m^3 over the window, into it
  double peak_outflow = 0;  // m^3/s, the largest mean over one sampling interval
  double peak_inflow = 0;   // m^3/s
};

/// One whole beat of the run, [k T, (k+1) T] for the cycle period T: what must repeat beat after
/// beat — the wall's volumes, the fluid cells' ejection fraction, each valve's volumes, the
/// balance of the wall's volume change against the valves' net inflow, and the lattice's mass
/// drift over the beat.
struct BeatMetrics {
  int beat = 0;                          // k, from 0
  double start = 0, end = 0;             // s
  double end_diastolic_volume = 0;       // m^3: the wall's largest volume over the beat
  double end_systolic_volume = 0;        // m^3: its smallest
  double stroke_volume = 0;              // m^3
  double ejection_fraction = 0;          // the wall's: SV / EDV
  double lattice_ejection_fraction = 0;  // the fluid cells': (largest - smallest) / largest
  std::vector<ValveVolumes> valves;
  double balance_error = 0;  // (volume change - valves' net inflow) / SV, as ChamberMetrics'
  /// The lattice's mass (the sum of the cells' densities) at the beat's end less at its start,
  /// over it at the start; NaN where the file holds no mass series.
  double mass_change = std::numeric_limits<double>::quiet_NaN();
};

struct ChamberMetrics {
  double window_start = 0, window_end = 0;  // s
  bool whole_cycle = false;                 // the window spans one cycle (else the whole run)
  double end_diastolic_volume = 0;          // m^3: the wall's largest volume over the window
  double end_systolic_volume = 0;           // m^3: its smallest
  double end_diastole_time = 0, end_systole_time = 0;     // s
  double stroke_volume = 0;                               // m^3: EDV - ESV
  double ejection_fraction = 0;                           // SV / EDV
  double lattice_volume_min = 0, lattice_volume_max = 0;  // m^3: the fluid cells' over the window
  std::vector<ValveVolumes> valves;
  /// m^3: the wall's volume at the window's end less at its start, and the valves' net inflow
  /// over it; their difference over the stroke volume is the run's mass balance.
  double volume_change = 0, net_valve_inflow = 0;
  double balance_error = 0;  // (volume_change - net_valve_inflow) / stroke_volume
  double mean_kinetic_energy = 0, peak_kinetic_energy = 0, peak_kinetic_energy_time = 0;  // J, s
  double dissipated_energy = 0;  // J: the viscous dissipation integrated over the window
  double mean_dissipation = 0, peak_dissipation = 0;  // W
  /// s: the sample nearest mid-diastole, halfway between end-systole and the next end-diastole
  /// (the report's slice); NaN where the window holds no filling.
  double mid_diastole_time = std::numeric_limits<double>::quiet_NaN();
  /// Every whole beat the run holds (all of them, whatever the window), in order.
  std::vector<BeatMetrics> beats;
};

/// The chamber's metrics over [t0, t1] (NaN for either: the run's last cycle, or the whole run
/// when it is shorter than one); std::nullopt when the results are not a chamber's (no wall
/// volume stored). The valves' flows are each the mean over the interval ending at their sample
/// (the solver's link flows), so they integrate as steps; the energies are instantaneous and
/// integrate as trapezoids. Throws hemotwin::Error naming the file when the window holds fewer
/// than two samples.
std::optional<ChamberMetrics> chamber_metrics(const io::ResultsData& results,
                                              double t0 = std::numeric_limits<double>::quiet_NaN(),
                                              double t1 = std::numeric_limits<double>::quiet_NaN());

}  // namespace hemotwin::analysis
