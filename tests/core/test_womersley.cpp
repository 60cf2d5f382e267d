// Womersley flow: a periodic pipe driven by an oscillating body force, alpha = 4, Bouzidi walls,
// against the analytic solution over one period.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "flows.hpp"

using namespace hemotwin;
using namespace hemotwin::test;

TEST(Womersley, Alpha4ProfileWithinThreePercentOverAPeriod) {
  const double D = 20, R = 0.5 * D, tau = 0.8, nu = (tau - 0.5) / 3, alpha = 4.0;
  const double omega = alpha * alpha * nu / (R * R);
  const double period = 2 * std::numbers::pi / omega;
  const double F0 = 1e-5;
  const int n = 32;
  // The pipe runs along z, periodic; one brick long.
  auto pipe =
      std::make_shared<PipeShape>(Vec3(0.5 * (n - 1), 0.5 * (n - 1), 0), Vec3(0, 0, 1), R, 8.0);
  pipe->unbounded_length(true);
  DomainSpec spec;
  spec.shape = pipe;
  spec.cells = {n, n, 8};
  spec.periodic = {false, false, true};
  Engine<double, D3Q19> e(
      spec, {BackendKind::Cpu, CollisionModel::Trt, tau, 3.0 / 16, WallMethod::Bouzidi});

  auto force_at = [&](double t) { return Vec3(0, 0, F0 * std::cos(omega * t)); };
  const int warmup = int(std::ceil(4 * period));
  for (int s = 0; s < warmup; ++s) {
    e.set_force(force_at(s));
    e.step();
  }
  const Vec3 c(0.5 * (n - 1), 0.5 * (n - 1), 0);
  double num = 0, den = 0;
  const int samples = 24;
  int step = warmup;
  for (int k = 0; k < samples; ++k) {
    const int target = warmup + int(std::lround(k * period / samples));
    for (; step < target; ++step) {
      e.set_force(force_at(step));
      e.step();
    }
    e.set_force(force_at(step));  // moments at time `step` use the force of that time
    std::vector<double> rho, u;
    e.moments(rho, u);
    for (std::size_t cell = 0; cell < rho.size(); ++cell) {
      if (!e.lattice().is_fluid(std::int64_t(cell))) continue;
      const Vec3 p = e.lattice().position(std::int64_t(cell));
      const double r = std::hypot(p.x() - c.x(), p.y() - c.y());
      const double ua = womersley(r, R, double(step), F0, omega, nu);
      const double ux = u[3 * cell], uy = u[3 * cell + 1], uz = u[3 * cell + 2];
      num += (uz - ua) * (uz - ua) + ux * ux + uy * uy;
      den += ua * ua;
    }
  }
  const double err = std::sqrt(num / den);
  std::printf("Womersley alpha = 4, D = 20: relative L2 error over a period %.3e\n", err);
  EXPECT_LT(err, 0.03);
}
