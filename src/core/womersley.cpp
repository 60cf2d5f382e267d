#include "hemotwin/core/womersley.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "hemotwin/core/error.hpp"

namespace hemotwin {
namespace {

using cld = std::complex<long double>;

// J0 and J1 of a complex argument by their power series; enough terms for |z| <= 40 (the terms
// peak near k = |z| / 2 at about 1e15 times the sum's size there, within long double's reach).
void bessel01(cld z, cld& j0, cld& j1) {
  const cld q = -z * z / 4.0L;
  cld t0 = 1, t1 = z / 2.0L;
  j0 = t0;
  j1 = t1;
  for (int k = 1; k < 200; ++k) {
    t0 *= q / (long double)(k * k);
    t1 *= q / (long double)(k * (k + 1));
    j0 += t0;
    j1 += t1;
    if (std::abs(t0) < 1e-21L * std::abs(j0) && std::abs(t1) < 1e-21L * std::abs(j1)) break;
  }
}

}  // namespace

std::complex<double> womersley_shape(double alpha, double s) {
  if (!(alpha >= 0) || !std::isfinite(alpha))
    throw Error("womersley_shape: alpha must be finite and >= 0");
  s = std::clamp(s, 0.0, 1.0);
  if (alpha < 1e-6) return 2.0 * (1.0 - s * s);
  const cld z = (long double)alpha * std::polar(1.0L, 0.75L * std::numbers::pi_v<long double>);
  cld ratio, j1_over_j0;  // J0(z s) / J0(z), J1(z) / J0(z)
  if (alpha <= 40) {
    cld j0, j1, j0s, j1s;
    bessel01(z, j0, j1);
    bessel01(z * (long double)s, j0s, j1s);
    ratio = j0s / j0;
    j1_over_j0 = j1 / j0;
  } else {
    // Im z > 0 and large: J_n(z) ~ sqrt(2 / (pi z)) exp(-i (z - n pi/2 - pi/4)) / 2, so the ratio
    // decays from the wall inward over sqrt(2) / alpha, and J1 / J0 -> i.
    const long double depth = alpha * (1.0L - s) / std::sqrt(2.0L);
    ratio = depth > 45
                ? cld(0)
                : std::exp(cld(-depth, -depth)) / std::sqrt((long double)std::max(s, 1e-300));
    j1_over_j0 = cld(0, 1);
  }
  const cld shape = (1.0L - ratio) / (1.0L - 2.0L * j1_over_j0 / z);
  return {double(shape.real()), double(shape.imag())};
}

}  // namespace hemotwin
