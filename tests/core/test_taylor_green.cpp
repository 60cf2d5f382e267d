// The 3D Taylor-Green vortex at Re 1600, the standard test of a scheme's stability and dissipation
// at low viscosity: the kinetic energy's dissipation rate -dk/dt against the spectral DNS
// reference (peak 0.0127 at t = 9 convective times; Brachet et al. 1983, J. Fluid Mech. 130:411;
// van Rees et al. 2011, J. Comput. Phys. 230:2794; DeBonis 2013, AIAA 2013-0382), per
// collision model, on N^3 cells (N = 64 in the `slow` test, 128 in the `long` one; the test
// binary is built once per size, HEMOTWIN_TGV_N). At 64^3 the vortex is under-resolved (tau =
// 0.50095): what matters there is which models stay stable and how close their peak comes.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <optional>

#include "hemotwin/core/engine.hpp"

#ifndef HEMOTWIN_TGV_N
#define HEMOTWIN_TGV_N 64
#define HEMOTWIN_TGV_TEST Re1600At64
#else
#define HEMOTWIN_TGV_TEST Re1600At128
#endif

using namespace hemotwin;

namespace {

constexpr double kRe = 1600, kU0 = 0.05;  // lattice velocity: Mach 0.087
constexpr double kPeakRate = 0.0127, kPeakTime = 9.0;

struct Outcome {
  bool stable = true;
  double diverged_at = 0;  // convective times
  double peak = 0, peak_time = 0;
  double rate_at_5 = 0, rate_at_12 = 0;  // -dk/dt at t = 5 and 12
};

template <class T, class L>
Outcome taylor_green(int n, CollisionModel model, bool les, double t_end) {
  const double len = n / (2 * std::numbers::pi);  // L: the domain is 2 pi L
  const double nu = kU0 * len / kRe, tau = 3 * nu + 0.5;
  const double tc = len / kU0;  // steps per convective time
  DomainSpec spec;
  spec.shape = std::make_shared<BoxShape>(Vec3::Constant(-10), Vec3::Constant(1e9));
  spec.cells = {n, n, n};
  spec.periodic = {true, true, true};
  EngineOptions o{BackendKind::Cpu, model, tau, 3.0 / 16, WallMethod::BounceBack};
  if (les) {
    o.viscosity.les = 3 * 0.1 * 0.1;  // Smagorinsky, C_s = 0.1
    o.viscosity.tau_min = tau;
    o.viscosity.tau_max = 100;
  }
  Engine<T, L> e(spec, o);
  const auto& lat = e.lattice();
  const std::int64_t cells = std::int64_t(lat.brick_count()) * kernels::B3;
  std::vector<double> rho(cells, 1.0), u(3 * cells, 0.0);
  for (std::int64_t c = 0; c < cells; ++c) {
    const auto ijk = lat.cell_coords(c);
    const double x = (ijk[0] + 0.5) / len, y = (ijk[1] + 0.5) / len, z = (ijk[2] + 0.5) / len;
    u[3 * c] = kU0 * std::sin(x) * std::cos(y) * std::cos(z);
    u[3 * c + 1] = -kU0 * std::cos(x) * std::sin(y) * std::cos(z);
    const double p = kU0 * kU0 / 16 * (std::cos(2 * x) + std::cos(2 * y)) * (std::cos(2 * z) + 2);
    rho[c] = 1 + 3 * p;
  }
  e.initialise(rho, u);
  const auto energy = [&] {  // k / U0^2, per unit volume
    std::vector<double> r, v;
    e.moments(r, v);
    double k = 0;
    for (std::int64_t c = 0; c < cells; ++c)
      k += 0.5 * r[c] *
           (v[3 * c] * v[3 * c] + v[3 * c + 1] * v[3 * c + 1] + v[3 * c + 2] * v[3 * c + 2]);
    return k / (double(n) * n * n * kU0 * kU0);
  };
  Outcome out;
  const int every = std::max(1, int(std::lround(0.1 * tc)));  // a sample every 0.1 t_c
  std::vector<double> t, k;
  t.push_back(0);
  k.push_back(energy());
  for (int s = every; s <= int(t_end * tc); s += every) {
    e.run(every);
    const double kk = energy();
    if (!std::isfinite(kk) || kk > 2 * k.front()) {
      out.stable = false;
      out.diverged_at = s / tc;
      return out;
    }
    t.push_back(s / tc);
    k.push_back(kk);
  }
  for (std::size_t i = 1; i + 1 < k.size(); ++i) {
    const double rate = -(k[i + 1] - k[i - 1]) / (t[i + 1] - t[i - 1]);
    if (rate > out.peak) {
      out.peak = rate;
      out.peak_time = t[i];
    }
    if (std::abs(t[i] - 5) < 0.05) out.rate_at_5 = rate;
    if (std::abs(t[i] - 12) < 0.05) out.rate_at_12 = rate;
  }
  return out;
}

struct Model {
  CollisionModel model;
  bool q27, les;
  const char* name;
};

Outcome run_model(const Model& m, int n, double t_end) {
  return m.q27 ? taylor_green<float, D3Q27>(n, m.model, m.les, t_end)
               : taylor_green<float, D3Q19>(n, m.model, m.les, t_end);
}

// Named by size: ctest labels go by test name, and the 64^3 test is 'slow', the 128^3 'long'.
TEST(TaylorGreen, HEMOTWIN_TGV_TEST) {
  const int n = HEMOTWIN_TGV_N;
  const Model models[] = {{CollisionModel::Bgk, false, false, "BGK D3Q19"},
                          {CollisionModel::Trt, false, false, "TRT D3Q19"},
                          {CollisionModel::Regularized, false, false, "regularized D3Q19"},
                          {CollisionModel::Regularized, false, true, "regularized + LES"},
                          {CollisionModel::Cumulant, true, false, "cumulant D3Q27"},
                          {CollisionModel::Kbc, true, false, "KBC D3Q27"}};
  std::printf("Taylor-Green vortex, Re %.0f, %d^3, float; DNS: peak -dk/dt %.4f at t = %.1f\n", kRe,
              n, kPeakRate, kPeakTime);
  for (const Model& m : models) {
    const Outcome o = run_model(m, n, 13);
    if (!o.stable) {
      std::printf("  %-18s diverged at t = %.1f\n", m.name, o.diverged_at);
    } else {
      std::printf("  %-18s peak %.4f (%+.1f %%) at t = %.1f; -dk/dt(5) %.4f, (12) %.4f\n", m.name,
                  o.peak, 100 * (o.peak / kPeakRate - 1), o.peak_time, o.rate_at_5, o.rate_at_12);
    }
    // The cumulant collision is the model the project relies on near tau = 1/2: it must stay
    // stable and put the peak within 5 % (64^3, under-resolved; measured -2.5 %) or 2 % (128^3)
    // of the DNS, at the right time.
    if (m.model == CollisionModel::Cumulant) {
      ASSERT_TRUE(o.stable) << m.name;
      EXPECT_NEAR(o.peak, kPeakRate, (n >= 128 ? 0.02 : 0.05) * kPeakRate) << m.name;
      EXPECT_NEAR(o.peak_time, kPeakTime, 0.6) << m.name;
    }
  }
}

}  // namespace
