#pragma once
// What a case's outlets and inflow set up before a run (physical units), and the peak velocity
// the time step is derived from, with where it is expected. Internal to hemotwin::core
// (simulation.cpp).
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "hemotwin/core/case.hpp"
#include "hemotwin/core/outlets.hpp"
#include "hemotwin/core/sparse_lattice.hpp"
#include "hemotwin/core/waveform.hpp"

namespace hemotwin::detail {

// What one outlet does during the run (physical units).
struct OutletState {
  int iolet = -1;  // index among the engine's iolets
  OutletModel model = OutletModel::Pressure;
  double pressure = 0;                   // Pa, imposed now (pressure outlets)
  std::optional<Waveform> pressure_of;   // Pressure model with a waveform
  std::optional<Windkessel> windkessel;  // Resistance and Windkessel models
  double fraction = 0;                   // FlowSplit
  double area = 0;                       // m^2 (FlowSplit: the mean velocity is flow / area)
  double share = -1;  // the expected share of the mean inflow; < 0 where the domain decides it
};

/// An iolet's area (m^2), from its effective radius.
inline double iolet_area(const IoletPlane& io) { return std::numbers::pi * io.radius * io.radius; }

/// The velocity inlets' total area (m^2).
double inlet_area(const DomainSpec& spec);

/// The outlets of `spec` with their models; flow-split outlets become velocity outlets (and get
/// their sponge layers). Also returns, in `reference`, the pressure expected at the outlets at the
/// mean inflow `q_mean` with a resistance-free domain: the fixed pressures' mean, or where the
/// resistive outlets' flows add up to the inflow not split off (their initial P_c follow from
/// it). Windkessels set by the whole outflow's resistance and compliance are split by Murray's
/// law, with a note of the split in `notes`.
std::vector<OutletState> make_outlets(const Case& c, DomainSpec& spec, double q_mean,
                                      double& reference, std::vector<std::string>& notes);

/// The inlet's flow waveform, if the case has one.
std::optional<Waveform> inflow_waveform(const Case& c);

/// The expected peak velocity (m/s), which sets the time step, and a sentence saying where and
/// why (`where`).
double peak_velocity_estimate(const Case& c, const DomainSpec& spec,
                              const std::optional<Waveform>& inflow,
                              const std::vector<OutletState>& outlets, std::string& where);

}  // namespace hemotwin::detail
