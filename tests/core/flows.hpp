#pragma once
// Analytic flows and small geometry helpers shared by the validation tests.
#include <cmath>
#include <complex>
#include <memory>
#include <vector>

#include "hemotwin/core/engine.hpp"

namespace hemotwin::test {

/// A pipe along `axis` periodic in a box of n^3 (x, y) by nz cells: the image lines repeat the
/// pipe.
inline DomainSpec periodic_oblique_pipe(double diameter, const Vec3& axis, int n, int nz) {
  const Vec3 centre(0.5 * n, 0.5 * n, 0.5 * (nz - 1));
  auto pipe = std::make_shared<PipeShape>(centre, axis, 0.5 * diameter, 1.0);
  pipe->unbounded_length(true);
  std::vector<Vec3> images;
  for (int i = -1; i <= 1; ++i)
    for (int j = -1; j <= 1; ++j) images.emplace_back(i * n, j * n, 0);
  pipe->with_images(images);
  DomainSpec spec;
  spec.shape = pipe;
  spec.dx = 1;
  spec.origin = Vec3::Zero();
  spec.cells = {n, n, nz};
  spec.periodic = {true, true, false};
  return spec;
}

/// Distance of p from the nearest image of the line through c along unit a (images every n in x,
/// y).
inline double distance_to_axis(const Vec3& p, const Vec3& c, const Vec3& a, int n) {
  double best = 1e300;
  for (int i = -1; i <= 1; ++i)
    for (int j = -1; j <= 1; ++j) {
      const Vec3 r = p - c - Vec3(i * n, j * n, 0);
      best = std::min(best, (r - r.dot(a) * a).norm());
    }
  return best;
}

/// Relative L2 error of the velocity against u_exact(position) over fluid cells.
template <class E, class F>
double relative_l2(const E& engine, const std::vector<double>& u, F&& exact) {
  double num = 0, den = 0;
  const auto& lat = engine.lattice();
  for (std::size_t c = 0; c < u.size() / 3; ++c) {
    if (!lat.is_fluid(std::int64_t(c))) continue;
    const Vec3 ue = exact(lat.position(std::int64_t(c)));
    const Vec3 un(u[3 * c], u[3 * c + 1], u[3 * c + 2]);
    num += (un - ue).squaredNorm();
    den += ue.squaredNorm();
  }
  return std::sqrt(num / den);
}

/// J0 of a complex argument by its power series (converges fast for |z| < 15).
inline std::complex<double> bessel_j0(std::complex<double> z) {
  std::complex<double> term = 1, sum = 1;
  const std::complex<double> z2 = -0.25 * z * z;
  for (int k = 1; k < 80; ++k) {
    term *= z2 / double(k * k);
    sum += term;
    if (std::abs(term) < 1e-18 * std::abs(sum)) break;
  }
  return sum;
}

/// Womersley velocity (axial) at radius r for a force density F0 cos(omega t), kinematic viscosity
/// nu.
inline double womersley(double r, double R, double t, double F0, double omega, double nu) {
  const double alpha = R * std::sqrt(omega / nu);
  const std::complex<double> i(0, 1);
  const std::complex<double> i32 = std::pow(i, 1.5);
  const std::complex<double> shape = 1.0 - bessel_j0(i32 * alpha * r / R) / bessel_j0(i32 * alpha);
  return std::real(F0 / (i * omega) * shape * std::exp(i * omega * t));
}

}  // namespace hemotwin::test
