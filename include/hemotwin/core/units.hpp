#pragma once
// Physical <-> lattice conversion. Lattice units: dx = dt = rho0 = 1.
#include <string>

namespace hemotwin {

struct UnitsLimits {
  double min_tau = 0.505;     // the collision's floor (hemotwin::stability_floor)
  double max_mach = 0.1;      // compressibility error grows as Ma^2
  std::string min_tau_basis;  // where min_tau comes from, for the message
};

class Units {
 public:
  /// dx (m), dt (s), density (kg/m^3), kinematic viscosity (m^2/s).
  Units(double dx, double dt, double density, double kinematic_viscosity);

  /// Chooses dt so that `peak_velocity` runs at `mach` (Ma = u dt/dx / c_s).
  static double time_step_for_mach(double dx, double peak_velocity, double mach);

  double dx() const { return dx_; }
  double dt() const { return dt_; }
  double density() const { return rho_; }
  double viscosity() const { return nu_; }
  /// Lattice viscosity nu dt/dx^2 and relaxation time 3 nu_lat + 1/2.
  double viscosity_lattice() const { return nu_ * dt_ / (dx_ * dx_); }
  double tau() const { return 3.0 * viscosity_lattice() + 0.5; }

  double velocity_to_lattice(double u) const { return u * dt_ / dx_; }
  double velocity_to_physical(double u) const { return u * dx_ / dt_; }
  /// Gauge pressure (Pa) <-> lattice density: p = p_ref + (rho - 1) c_s^2 rho0 dx^2/dt^2.
  double pressure_to_density(double p) const;
  double density_to_pressure(double rho_lat) const;
  /// Acceleration (m/s^2) to a lattice force density (rho0 = 1).
  double acceleration_to_lattice(double a) const { return a * dt_ * dt_ / dx_; }
  double time_to_steps(double t) const { return t / dt_; }
  double flow_to_physical(double q_lat) const { return q_lat * dx_ * dx_ * dx_ / dt_; }
  /// The pressure (Pa, gauge) that lattice density 1 stands for (0 unless set): lattice pressure
  /// is accurate as a small density deviation, so a run at 100 mmHg works around such a reference.
  void set_reference_pressure(double p) { p_ref_ = p; }
  double reference_pressure() const { return p_ref_; }

  /// Throws hemotwin::Error naming what to change when tau is too close to 1/2 or the Mach number
  /// of `peak_velocity` (m/s) is above the limit.
  void check(double peak_velocity, const UnitsLimits& limits = {}) const;

  std::string describe() const;

 private:
  double dx_, dt_, rho_, nu_;
  double p_ref_ = 0;
};

}  // namespace hemotwin
