#pragma once
// Zero-dimensional outlet models: what a pressure outlet imposes, given the flow leaving through
// it. Physical SI units. Simulation advances one per outlet every lattice step.
#include <optional>

#include "hemotwin/core/waveform.hpp"

namespace hemotwin {

/// Three-element Windkessel (RCR): a proximal resistance R1 in series with a compliance C in
/// parallel with a distal resistance R2 that drains to the distal pressure P_d:
///     C dP_c/dt = Q - (P_c - P_d) / R2,    P = P_c + R1 Q.
/// C = 0 (or R2 = 0) makes it a pure resistance: P = P_d + (R1 + R2) Q.
class Windkessel {
 public:
  /// Pa s/m^3, Pa s/m^3, m^3/Pa, Pa; `initial_pc` is P_c at t = 0 (Pa).
  Windkessel(double r1, double r2, double compliance, double distal_pressure, double initial_pc);

  /// Advances P_c over `dt` seconds with the flow `q` (m^3/s) held constant over the step, by the
  /// exact solution of the linear ODE (so any dt is stable), and returns the outlet pressure
  /// P = P_c + R1 q.
  double advance(double q, double dt);
  /// The outlet pressure for flow q at the present P_c.
  double pressure(double q) const;
  double capacitor_pressure() const { return pc_; }
  /// Sets P_c (ignored without a capacitor, where P_c is P_d).
  void set_capacitor_pressure(double pc);
  /// P_c when the flow has been q for a long time: P_d + R2 q.
  double steady_capacitor_pressure(double q) const { return pd_ + r2_ * q; }
  double total_resistance() const { return r1_ + r2_; }
  double distal_pressure() const { return pd_; }

 private:
  double r1_, r2_, c_, pd_, pc_;
};

}  // namespace hemotwin
