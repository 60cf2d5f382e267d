// Velocity gradients, vortex criteria, kinetic energy and dissipation on the lattice
// (flow_fields.hpp), against flows whose values are known: solid-body rotation (Q = omega^2,
// lambda2 = -omega^2), simple shear (Q = lambda2 = 0), a Lamb-Oseen vortex (Q = u_theta u_theta'
// / r, converging at second order) and plane Poiseuille flow (energy and dissipation in closed
// form).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/flow_fields.hpp"
#include "hemotwin/core/shapes.hpp"
#include "hemotwin/core/sparse_lattice.hpp"

using namespace hemotwin;

namespace {

// n^3 fluid cells of side h centred on the origin (in a lattice a cell wider on every side).
SparseLattice box_lattice(int n, double h) {
  DomainSpec spec;
  spec.dx = h;
  spec.origin = Vec3::Constant(-(n + 1) * h / 2);
  spec.cells = {n + 2, n + 2, n + 2};
  const double half = n * h / 2;
  spec.shape = std::make_shared<BoxShape>(Vec3::Constant(-half), Vec3::Constant(half));
  return SparseLattice(spec);
}

std::vector<float> sample(const SparseLattice& lat, const std::function<Vec3(const Vec3&)>& u) {
  const std::size_t n = std::size_t(lat.brick_count()) * brick_cells;
  std::vector<float> v(3 * n, 0.0f);
  for (std::size_t c = 0; c < n; ++c) {
    if (!lat.is_fluid(std::int64_t(c))) continue;
    const Vec3 w = u(lat.position(std::int64_t(c)));
    for (int a = 0; a < 3; ++a) v[3 * c + std::size_t(a)] = float(w[a]);
  }
  return v;
}

}  // namespace

// Linear flows are differentiated exactly, at the box's faces (one-sided) as inside.
TEST(FlowFields, RotationAndShearGiveTheirCriteriaEverywhere) {
  const auto lat = box_lattice(12, 0.5);
  const double omega = 3.0, gamma = 2.0;
  const auto rotation =
      sample(lat, [&](const Vec3& p) { return Vec3(-omega * p.y(), omega * p.x(), 0); });
  const auto shear = sample(lat, [&](const Vec3& p) { return Vec3(gamma * p.y(), 0, 0); });
  const auto r = vortex_fields(lat.grid_info(), rotation),
             s = vortex_fields(lat.grid_info(), shear);
  std::int64_t fluid = 0;
  for (std::size_t c = 0; c < r.q.size(); ++c) {
    if (!lat.is_fluid(std::int64_t(c))) continue;
    ++fluid;
    EXPECT_NEAR(r.q[c], omega * omega, 1e-5 * omega * omega);
    EXPECT_NEAR(r.lambda2[c], -omega * omega, 1e-5 * omega * omega);
    EXPECT_NEAR(s.q[c], 0, 1e-5 * gamma * gamma);
    EXPECT_NEAR(s.lambda2[c], 0, 1e-5 * gamma * gamma);
  }
  EXPECT_EQ(fluid, 12 * 12 * 12);
  // Rotation dissipates nothing; shear 2 mu S:S = mu gamma^2 per volume.
  const double volume = std::pow(12 * 0.5, 3);
  EXPECT_NEAR(viscous_dissipation(lat.grid_info(), rotation, 0.004), 0, 1e-9);
  EXPECT_NEAR(viscous_dissipation(lat.grid_info(), shear, 0.004), 0.004 * gamma * gamma * volume,
              1e-6 * 0.004 * gamma * gamma * volume);
  // A viscosity that follows the shear rate (a power law, mu = k gamma) sees gamma itself.
  const auto power_law = [](double shear_rate) { return 0.004 * shear_rate; };
  EXPECT_NEAR(viscous_dissipation(lat.grid_info(), shear, power_law),
              0.004 * gamma * gamma * gamma * volume,
              1e-6 * 0.004 * gamma * gamma * gamma * volume);
  EXPECT_THROW(vortex_fields(lat.grid_info(), std::vector<float>(7)), Error);
}

// A Lamb-Oseen vortex, u_theta = G / (2 pi r) (1 - exp(-r^2 / rc^2)), along z, sampled on 24^3
// and 48^3 lattices over the same box (core radius 4 and 8 cells): the rms error of Q over the
// box falls by close to 4 when the spacing halves (3.91: central differences, second order; a
// first-order gradient would only halve it), and is within 0.4 % of Q's largest value on the
// finer (0.19 %; 0.73 % on the coarser).
TEST(FlowFields, QOfALambOseenVortexConvergesAtSecondOrder) {
  const double g = 2.0, rc = 1.0, side = 6.0;
  const auto u_theta = [&](double r) {
    return r < 1e-12 ? 0.0 : g / (2 * M_PI * r) * (1 - std::exp(-r * r / (rc * rc)));
  };
  const auto du_theta = [&](double r) {
    const double e = std::exp(-r * r / (rc * rc));
    return g / (2 * M_PI) * (-(1 - e) / (r * r) + 2 * e / (rc * rc));
  };
  const auto exact_q = [&](const Vec3& p) {
    const double r = std::hypot(p.x(), p.y());
    // At the axis: solid-body rotation at g / (2 pi rc^2).
    return r < 1e-9 ? std::pow(g / (2 * M_PI * rc * rc), 2) : u_theta(r) * du_theta(r) / r;
  };
  const double peak = exact_q(Vec3::Zero());
  double errors[2];
  for (int level = 0; level < 2; ++level) {
    const int n = 24 << level;
    const auto lat = box_lattice(n, side / n);
    const auto u = sample(lat, [&](const Vec3& p) {
      const double r = std::hypot(p.x(), p.y());
      if (r < 1e-12) return Vec3(0, 0, 0);
      return Vec3(-u_theta(r) * p.y() / r, u_theta(r) * p.x() / r, 0);
    });
    const auto f = vortex_fields(lat.grid_info(), u);
    double sum = 0;
    std::int64_t count = 0;
    for (std::size_t c = 0; c < f.q.size(); ++c) {
      if (!lat.is_fluid(std::int64_t(c))) continue;
      sum += std::pow(f.q[c] - exact_q(lat.position(std::int64_t(c))), 2);
      ++count;
    }
    errors[level] = std::sqrt(sum / double(count));
  }
  std::printf("rms error of Q, of its peak %.4f: %.3f %% (24^3), %.3f %% (48^3), ratio %.2f\n",
              peak, 100 * errors[0] / peak, 100 * errors[1] / peak, errors[0] / errors[1]);
  EXPECT_GT(errors[0] / errors[1], 3.5);
  EXPECT_LT(errors[1], 0.004 * peak);
}

// Plane Poiseuille flow u = U (1 - (y/h)^2) between walls at y = +-h, 20 cells across, the cells'
// centres within: the kinetic energy and dissipation of the cells against the closed forms per
// unit area, rho U^2 (16/15) h / 2 and 8 mu U^2 / (3 h). The gradient of a parabola is exact (the
// walls' one-sided differences included), so what remains is the midpoint rule's: O(dx^4) for
// the energy, whose integrand's slope vanishes at the walls, and exactly -dx^2 / (4 h^2) (0.25 %)
// for the dissipation.
TEST(FlowFields, PoiseuilleEnergyAndDissipation) {
  const double h = 1.0, dx = 0.1, big = 0.8, mu = 0.0035, rho = 1060, U = 0.3;
  DomainSpec spec;
  spec.dx = dx;
  spec.cells = {8, 22, 8};  // a solid row beyond each wall
  spec.origin = Vec3(0, -h - dx / 2, 0);
  spec.periodic = {true, false, true};
  spec.shape = std::make_shared<ChannelShape>(
      Vec3(0, -h, 0), Vec3::UnitY(), 2 * h,
      Eigen::AlignedBox3d(Vec3(-1, -2, -1), Vec3(big + 1, 2, big + 1)));
  const SparseLattice lat(spec);
  ASSERT_EQ(lat.fluid_cells(), 8 * 20 * 8);
  const auto u =
      sample(lat, [&](const Vec3& p) { return Vec3(U * (1 - p.y() * p.y() / (h * h)), 0, 0); });
  const double area = big * big;
  const double energy = kinetic_energy(lat.grid_info(), u, rho),
               dissipation = viscous_dissipation(lat.grid_info(), u, mu);
  const double want_energy = rho * U * U * 8.0 / 15.0 * h * area;
  const double want_dissipation = 8 * mu * U * U / (3 * h) * area;
  std::printf("kinetic energy %.6g (exact %.6g), dissipation %.6g (exact %.6g)\n", energy,
              want_energy, dissipation, want_dissipation);
  EXPECT_NEAR(energy, want_energy, 1e-4 * want_energy);
  EXPECT_NEAR(dissipation, want_dissipation * (1 - dx * dx / (4 * h * h)), 1e-4 * want_dissipation);
}
