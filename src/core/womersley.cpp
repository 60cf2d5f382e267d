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

namespace {
// J0(z s) / J0(z) and J1(z) / J0(z) for z = i^(3/2) alpha, alpha > 0.
void ratios(double alpha, double s, cld& z, cld& ratio, cld& j1_over_j0) {
  z = (long double)alpha * std::polar(1.0L, 0.75L * std::numbers::pi_v<long double>);
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
}

void check_alpha(double alpha, const char* what) {
  if (!(alpha >= 0) || !std::isfinite(alpha))
    throw Error(std::string(what) + ": alpha must be finite and >= 0");
}
}  // namespace

std::complex<double> womersley_shape(double alpha, double s) {
  check_alpha(alpha, "womersley_shape");
  s = std::clamp(s, 0.0, 1.0);
  if (alpha < 1e-6) return 2.0 * (1.0 - s * s);
  cld z, ratio, j1_over_j0;
  ratios(alpha, s, z, ratio, j1_over_j0);
  const cld shape = (1.0L - ratio) / (1.0L - 2.0L * j1_over_j0 / z);
  return {double(shape.real()), double(shape.imag())};
}

std::complex<double> womersley_oscillation(double alpha, double s) {
  check_alpha(alpha, "womersley_oscillation");
  s = std::clamp(s, 0.0, 1.0);
  if (alpha < 1e-3) return 0.25 * (1.0 - s * s);
  cld z, ratio, j1_over_j0;
  ratios(alpha, s, z, ratio, j1_over_j0);
  const cld u = (1.0L - ratio) / (cld(0, 1) * (long double)alpha * (long double)alpha);
  return {double(u.real()), double(u.imag())};
}

double womersley_peak(double alpha) {
  check_alpha(alpha, "womersley_peak");
  // Above alpha ~ 3 the largest amplitude moves off the axis into the annulus near the wall
  // (Richardson's annular effect): sample the radius.
  double peak = 0;
  for (int i = 0; i <= 200; ++i)
    peak = std::max(peak, std::abs(womersley_oscillation(alpha, i / 200.0)));
  return peak;
}

double oscillating_channel_peak(double alpha) {
  check_alpha(alpha, "oscillating_channel_peak");
  if (alpha < 1e-3) return 0.5;
  // u(eta) / (G h^2 / mu) = (1 - cosh(k eta) / cosh(k)) / (i alpha^2), k = sqrt(i) alpha, eta =
  // y / h; the ratio of cosh written with decaying exponentials (Re k > 0) so that it cannot
  // overflow.
  using cd = std::complex<double>;
  const cd k = std::sqrt(cd(0, 1)) * alpha;
  double peak = 0;
  for (int i = 0; i <= 200; ++i) {
    const double eta = i / 200.0;
    const cd ratio =
        std::exp(k * (eta - 1.0)) * (1.0 + std::exp(-2.0 * k * eta)) / (1.0 + std::exp(-2.0 * k));
    peak = std::max(peak, std::abs((1.0 - ratio) / (cd(0, 1) * alpha * alpha)));
  }
  return peak;
}

}  // namespace hemotwin
