// Wall shear stress: Poiseuille flow in a pipe along (1, 1, 0)/sqrt 2 (not a grid axis), 20
// cells across, Bouzidi walls: every wall point's WSS against 4 mu Q / (pi R^3) = G R / 2 (the
// force balance of any fully developed pipe flow); TAWSS and OSI of known signals exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>

#include "flows.hpp"
#include "hemotwin/core/wall_shear.hpp"

using namespace hemotwin;
using namespace hemotwin::test;

TEST(WallShear, PoiseuillePipeWithinThreePercentOfForceBalance) {
  const double D = 20, R = 0.5 * D;
  const Vec3 axis = Vec3(1, 1, 0).normalized();
  const int n = 8 * int(std::ceil((D / std::sqrt(0.5) + 6) / 8));
  const int nz = 8 * int(std::ceil((D + 6) / 8));
  const DomainSpec spec = periodic_oblique_pipe(D, axis, n, nz);
  const double tau = 0.8, nu = (tau - 0.5) / 3, umax = 0.02;
  const double force = 4 * nu * umax / (R * R);
  Engine<double, D3Q19> e(
      spec, {BackendKind::Cpu, CollisionModel::Trt, tau, 3.0 / 16, WallMethod::Bouzidi});
  e.set_force(force * axis);
  // Start from the analytic profile; the lattice then only relaxes its own error.
  const Vec3 c(0.5 * n, 0.5 * n, 0.5 * (nz - 1));
  const auto& lat = e.lattice();
  const std::int64_t stored = std::int64_t(lat.brick_count()) * brick_cells;
  std::vector<double> rho0(stored, 1.0), u0(3 * stored, 0.0);
  for (std::int64_t cell = 0; cell < stored; ++cell) {
    if (!lat.is_fluid(cell)) continue;
    const double r = distance_to_axis(lat.position(cell), c, axis, n);
    for (int a = 0; a < 3; ++a) u0[3 * cell + a] = force / (4 * nu) * (R * R - r * r) * axis[a];
  }
  e.initialise(rho0, u0);
  e.run(3000);
  std::vector<double> rho, u;
  e.moments(rho, u);
  const WallPoints wall = find_wall_points<D3Q19>(lat, e.links());
  ASSERT_GT(wall.size(), 100u);
  const auto rate = wall_shear_rate(lat, wall, u, 1.0);
  const double expected = force * R / 2;  // = 4 mu Q / (pi R^3), mu = nu (rho0 = 1)
  double worst = 0, sum = 0, sum2 = 0, along = 1;
  for (std::size_t k = 0; k < wall.size(); ++k) {
    const Vec3 wss = nu * rate[k];
    const double rel = wss.norm() / expected - 1;
    worst = std::max(worst, std::abs(rel));
    sum += rel;
    sum2 += rel * rel;
    along = std::min(along, wss.normalized().dot(axis));
  }
  const double mean = sum / double(wall.size()), rms = std::sqrt(sum2 / double(wall.size()));
  std::printf(
      "WSS, pipe along (1,1,0), D = 20, %zu wall points: mean %+.2f %%, rms %.2f %%, worst %.2f "
      "%% of G R / 2; direction within %.2f degrees of the axis\n",
      wall.size(), 100 * mean, 100 * rms, 100 * worst, std::acos(along) * 180 / std::numbers::pi);
  EXPECT_LT(std::abs(mean), 0.03);
  EXPECT_LT(rms, 0.03);
  EXPECT_GT(along, std::cos(3 * std::numbers::pi / 180));
}

TEST(WallShear, TawssAndOsiOfKnownSignals) {
  // Point 0: steady 2 Pa along x; point 1: a pure oscillation along y; point 2: forward 3 s at
  // 1 Pa, backward 1 s at 1 Pa.
  WallShearAverage avg(3);
  const int n = 400;
  const double T = 4.0, dt = T / n;
  for (int i = 0; i < n; ++i) {
    const double t = (i + 0.5) * dt;
    const double s = std::sin(2 * std::numbers::pi * t / T);
    avg.add({Vec3(2, 0, 0), Vec3(0, s, 0), Vec3(t < 3 ? 1.0 : -1.0, 0, 0)}, dt);
  }
  const auto tawss = avg.tawss();
  const auto osi = avg.osi();
  EXPECT_NEAR(avg.duration(), T, 1e-12);
  EXPECT_NEAR(tawss[0], 2.0, 1e-12);
  EXPECT_NEAR(osi[0], 0.0, 1e-12);
  EXPECT_NEAR(tawss[1], 2 / std::numbers::pi, 1e-4);  // mean |sin|
  EXPECT_NEAR(osi[1], 0.5, 1e-12);                    // no net direction
  EXPECT_NEAR(tawss[2], 1.0, 1e-12);
  EXPECT_NEAR(osi[2], 0.5 * (1 - 2.0 / 4.0), 1e-12);  // |3 - 1| / 4
  avg.reset();
  EXPECT_EQ(avg.duration(), 0.0);
}
