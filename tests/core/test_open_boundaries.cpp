// Velocity inlet and pressure outlet on planes that are not grid planes: Poiseuille flow in a pipe
// along (1, 1, 1)/sqrt 3 fed by a parabolic inlet, against the analytic profile and
// Hagen-Poiseuille pressure drop, with mass balance between inlet and outlet.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "flows.hpp"

using namespace hemotwin;
using namespace hemotwin::test;

TEST(OpenBoundaries, ObliqueInletOutletPoiseuille) {
  // Lattice parameters keep the density change along the pipe near 1 % (weakly compressible).
  const double D = 14, R = 0.5 * D, L = 6 * D, tau = 0.6, nu = (tau - 0.5) / 3, U = 0.01;
  const Vec3 axis = Vec3(1, 1, 1).normalized();
  const Vec3 origin(8.3, 8.1, 7.9);
  auto pipe = std::make_shared<PipeShape>(origin, axis, R, L);
  pipe->unbounded_length(true);
  DomainSpec spec = DomainSpec::around(std::make_shared<PipeShape>(origin, axis, R, L), 1.0, 3);
  spec.shape = pipe;
  spec.iolets = {{"inlet0", IoletKind::VelocityInlet, origin, -axis, true, R},
                 {"outlet0", IoletKind::PressureOutlet, origin + L * axis, axis, false, R}};
  Engine<double, D3Q19> e(
      spec, {BackendKind::Cpu, CollisionModel::Trt, tau, 3.0 / 16, WallMethod::Bouzidi});
  e.set_iolet_values({U, 1.0});
  e.run(5000);
  const auto d = e.diagnostics();
  ASSERT_EQ(d.bad_cell, -1);
  const double q_exact = U * std::numbers::pi * R * R;
  std::printf("inlet flow %.5e, outlet flow %.5e, pi R^2 U = %.5e\n", d.iolet_flow[0],
              d.iolet_flow[1], q_exact);
  EXPECT_NEAR(d.iolet_flow[1] / d.iolet_flow[0], 1.0, 0.005);  // mass balance
  EXPECT_NEAR(d.iolet_flow[0] / q_exact, 1.0, 0.03);           // the inlet delivers its flow

  // Velocity profile in the middle third of the pipe against Poiseuille for the measured flow.
  std::vector<double> rho, u;
  e.moments(rho, u);
  const double umax = 2 * d.iolet_flow[1] / (std::numbers::pi * R * R);
  double num = 0, den = 0;
  for (std::size_t c = 0; c < rho.size(); ++c) {
    if (!e.lattice().is_fluid(std::int64_t(c))) continue;
    const Vec3 r = e.lattice().position(std::int64_t(c)) - origin;
    const double s = r.dot(axis);
    if (s < L / 3 || s > 2 * L / 3) continue;
    const double rr = (r - s * axis).squaredNorm();
    const Vec3 ua = umax * (1 - rr / (R * R)) * axis;
    num += (Vec3(u[3 * c], u[3 * c + 1], u[3 * c + 2]) - ua).squaredNorm();
    den += ua.squaredNorm();
  }
  const double err = std::sqrt(num / den);
  std::printf("mid-pipe profile error %.3e\n", err);
  EXPECT_LT(err, 0.02);

  // Pressure drop between the iolet slabs (2 cells in from each plane) against Hagen-Poiseuille.
  const double dp = (d.iolet_density[0] - d.iolet_density[1]) / 3.0;
  // The slabs' weighted centres lie 3 cells inside each plane.
  const double dp_exact =
      8 * nu * d.iolet_flow[1] * (L - 2 * 3.0) / (std::numbers::pi * std::pow(R, 4));
  std::printf("pressure drop %.5e, Hagen-Poiseuille %.5e\n", dp, dp_exact);
  EXPECT_NEAR(dp / dp_exact, 1.0, 0.05);
}
