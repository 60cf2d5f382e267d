#include "hemotwin/core/outlets.hpp"

#include <cmath>

#include "hemotwin/core/error.hpp"

namespace hemotwin {

Windkessel::Windkessel(double r1, double r2, double compliance, double distal_pressure,
                       double initial_pc)
    : r1_(r1), r2_(r2), c_(compliance), pd_(distal_pressure), pc_(initial_pc) {
  if (!(r1 >= 0) || !(r2 >= 0) || !(compliance >= 0))
    throw Error("Windkessel: resistances and compliance must be >= 0");
  if (!std::isfinite(distal_pressure) || !std::isfinite(initial_pc))
    throw Error("Windkessel: pressures must be finite");
  if (!(c_ > 0) || !(r2_ > 0)) pc_ = pd_;  // no capacitor: P = P_d + (R1 + R2) Q
}

void Windkessel::set_capacitor_pressure(double pc) {
  if (!std::isfinite(pc)) throw Error("Windkessel: pressures must be finite");
  if (c_ > 0 && r2_ > 0) pc_ = pc;
}

double Windkessel::pressure(double q) const {
  if (c_ > 0 && r2_ > 0) return pc_ + r1_ * q;
  return pd_ + (r1_ + r2_) * q;
}

void Windkessel::set_impedance(double z) {
  if (!(z >= 0) || !std::isfinite(z))
    throw Error("Windkessel: the outlet impedance must be finite and >= 0");
  z_ = z;
}

double Windkessel::advance(double q, double dt, double p) {
  const double explicit_pressure = advance(q, dt);
  if (!(z_ > 0) || !std::isfinite(p)) return explicit_pressure;
  const bool rc = c_ > 0 && r2_ > 0;
  const double p0 = rc ? pc_ : pd_, r = rc ? r1_ : r1_ + r2_;
  return p0 + r * (p - p0 + z_ * q) / (r + z_);
}

double Windkessel::advance(double q, double dt) {
  if (c_ > 0 && r2_ > 0) {
    // P_c relaxes towards P_d + R2 q with time constant R2 C.
    const double target = pd_ + r2_ * q;
    pc_ = target + (pc_ - target) * std::exp(-dt / (r2_ * c_));
  }
  return pressure(q);
}

}  // namespace hemotwin
