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
///
/// Coupled to a compressible solver one step behind (the flow of the step just taken sets the
/// pressure of the next), the direct resistance R (R1, or R1 + R2 without a capacitor) reflects
/// each pressure wave back with gain R / Z, Z = rho c_s / A the characteristic impedance of the
/// outlet's cross-section, and the loop diverges once R exceeds about Z (a 4 mm outlet on a
/// 0.25 mm lattice at dt = 50 us: Z = 2.4e8 Pa s/m^3, below many peripheral resistances). Given
/// Z (set_impedance) and the pressure p measured next to the outlet, advance() instead imposes
/// what the outlet would hold once the wave arriving now, p+ = (p + Z q) / 2, has met the
/// resistance: P - P_0 = 2 R / (R + Z) (p+ - P_0), P_0 = P_c or P_d. Its reflection coefficient
/// (R - Z) / (R + Z) is below 1 for any R. p is measured on the outlet's slab, a few cells
/// upstream of the plane, above it by a viscous drop R_s q: in steady flow P = P_0 + R q
/// (1 + R_s / Z), an outlet resistance 0.8 % high in test_outlets' 16-cell pipe. (Taking a slowly
/// filtered offset off p removed that and made the loop unstable again at R = 10 Z.)
class Windkessel {
 public:
  /// Pa s/m^3, Pa s/m^3, m^3/Pa, Pa; `initial_pc` is P_c at t = 0 (Pa).
  Windkessel(double r1, double r2, double compliance, double distal_pressure, double initial_pc);

  /// Advances P_c over `dt` seconds with the flow `q` (m^3/s) held constant over the step, by the
  /// exact solution of the linear ODE (so any dt is stable), and returns the outlet pressure
  /// P = P_c + R1 q.
  double advance(double q, double dt);
  /// As advance(q, dt), with the mean pressure p (Pa) measured next to the outlet: the
  /// characteristic coupling above when an impedance is set.
  double advance(double q, double dt, double p);
  /// The characteristic impedance rho c_s / A of the outlet's cross-section (Pa s/m^3); 0: the
  /// explicit coupling P = P_0 + R q.
  void set_impedance(double z);
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
  double z_ = 0;
};

}  // namespace hemotwin
