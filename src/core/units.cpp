#include "hemotwin/core/units.hpp"

#include <cmath>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/lattice.hpp"

namespace hemotwin {

Units::Units(double dx, double dt, double density, double nu)
    : dx_(dx), dt_(dt), rho_(density), nu_(nu) {
  if (!(dx > 0)) throw Error("lattice spacing must be positive");
  if (!(dt > 0)) throw Error("time step must be positive");
  if (!(density > 0)) throw Error("density must be positive");
  if (!(nu > 0)) throw Error("viscosity must be positive");
}

double Units::time_step_for_mach(double dx, double peak_velocity, double mach) {
  if (!(peak_velocity > 0))
    throw Error("cannot derive a time step from a zero peak velocity; set time_step_s");
  return mach * std::sqrt(cs2) * dx / peak_velocity;
}

double Units::pressure_to_density(double p) const {
  return 1.0 + (p - p_ref_) / (cs2 * rho_ * dx_ * dx_ / (dt_ * dt_));
}
double Units::density_to_pressure(double rho_lat) const {
  return p_ref_ + (rho_lat - 1.0) * cs2 * rho_ * dx_ * dx_ / (dt_ * dt_);
}

void Units::check(double peak_velocity, const UnitsLimits& limits) const {
  const double t = tau();
  if (t < limits.min_tau) {
    // tau - 1/2 = 3 nu dt / dx^2: a larger dt (with the Mach number in mind) or a finer grid raises
    // it.
    const double dt_needed = (limits.min_tau - 0.5) * dx_ * dx_ / (3.0 * nu_);
    std::ostringstream s;
    s << "relaxation time tau = " << t << " is too close to 1/2 (needs >= " << limits.min_tau;
    if (!limits.min_tau_basis.empty()) s << ", " << limits.min_tau_basis;
    s << "): increase time_step_s to at least " << dt_needed
      << " s if the Mach number allows it; otherwise refine the lattice (more cells across) or "
         "lower the velocity: with the time step set by the Mach number, tau - 1/2 grows as "
         "1 / (velocity x cell size)";
    throw Error(s.str(), "", "time.time_step_s");
  }
  const double mach = velocity_to_lattice(peak_velocity) / std::sqrt(cs2);
  if (mach > limits.max_mach * (1 + 1e-9)) {  // a derived dt sits exactly at the limit
    const double dt_max = limits.max_mach * std::sqrt(cs2) * dx_ / peak_velocity;
    std::ostringstream s;
    s << "Mach number " << mach << " at the expected peak velocity " << peak_velocity
      << " m/s exceeds " << limits.max_mach << ": reduce time_step_s to at most " << dt_max
      << " s (or leave it out to derive it)";
    if (dt_max * 3.0 * nu_ / (dx_ * dx_) + 0.5 < limits.min_tau)
      s << "; at that step tau would be too close to 1/2, so refine the lattice as well";
    throw Error(s.str(), "", "time.time_step_s");
  }
}

std::string Units::describe() const {
  std::ostringstream s;
  s << "dx = " << dx_ * 1e3 << " mm, dt = " << dt_ << " s, tau = " << tau();
  return s.str();
}

}  // namespace hemotwin
