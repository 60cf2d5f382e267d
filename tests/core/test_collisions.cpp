// Every collision model on the same flows, against analytic solutions: a shear wave decaying at
// the viscosity with and without a uniform flow across it (Galilean invariance), near tau = 1/2
// and away from it, and Womersley flow in a pipe with Bouzidi walls at low viscosity. The
// tolerances are what each model must keep for the stability map (benchmarks/stability_map.cpp)
// to be allowed to quote its floor.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "flows.hpp"

using namespace hemotwin;
using namespace hemotwin::test;

namespace {

// A transverse shear wave u_y = A sin(k (x - U t)) exp(-nu k^2 t) over a uniform flow U along
// x, in a periodic box n x 8 x 8: the viscosity the lattice actually has, from the decay of the
// wave's amplitude between two times.
template <class L>
double shear_wave_viscosity(CollisionModel model, double tau, double U, int n = 32) {
  DomainSpec spec;
  spec.shape = std::make_shared<BoxShape>(Vec3::Constant(-1), Vec3::Constant(1000));
  spec.cells = {n, 8, 8};
  spec.periodic = {true, true, true};
  Engine<double, L> e(spec, {BackendKind::Cpu, model, tau, 3.0 / 16, WallMethod::BounceBack});
  const double k = 2 * std::numbers::pi / n, A = 1e-3;
  const auto& lat = e.lattice();
  const std::int64_t cells = std::int64_t(lat.brick_count()) * kernels::B3;
  std::vector<double> rho(cells, 1.0), u(3 * cells, 0.0);
  for (std::int64_t c = 0; c < cells; ++c) {
    u[3 * c] = U;
    u[3 * c + 1] = A * std::sin(k * lat.position(c).x());
  }
  e.initialise(rho, u);
  const auto amplitude = [&](double t) {
    std::vector<double> r, v;
    e.moments(r, v);
    double s = 0, co = 0;
    int count = 0;
    for (std::int64_t c = 0; c < cells; ++c) {
      if (!lat.is_fluid(c)) continue;
      const double phase = k * (lat.position(c).x() - U * t);
      s += v[3 * c + 1] * std::sin(phase);
      co += v[3 * c + 1] * std::cos(phase);
      ++count;
    }
    return 2 * std::hypot(s, co) / count;
  };
  const double nu = (tau - 0.5) / 3;
  // Settle the initial non-equilibrium transient, then measure over about half a decay.
  const int t0 = 40, t1 = t0 + std::max(100, int(0.7 / (nu * k * k)));
  e.run(t0);
  const double a0 = amplitude(t0);
  e.run(t1 - t0);
  const double a1 = amplitude(t1);
  return std::log(a0 / a1) / (k * k * (t1 - t0));
}

struct Model {
  CollisionModel model;
  bool q27;
  const char* name;
};
const Model kModels[] = {{CollisionModel::Bgk, false, "BGK D3Q19"},
                         {CollisionModel::Trt, false, "TRT D3Q19"},
                         {CollisionModel::Regularized, false, "regularized D3Q19"},
                         {CollisionModel::Trt, true, "TRT D3Q27"},
                         {CollisionModel::Cumulant, true, "cumulant D3Q27"},
                         {CollisionModel::Kbc, true, "KBC D3Q27"}};

double shear_wave(const Model& m, double tau, double U) {
  return m.q27 ? shear_wave_viscosity<D3Q27>(m.model, tau, U)
               : shear_wave_viscosity<D3Q19>(m.model, tau, U);
}

TEST(Collisions, ShearWaveDecaysAtTheViscosity) {
  for (const Model& m : kModels) {
    for (double tau : {0.8, 0.51}) {
      const double nu = (tau - 0.5) / 3;
      const double still = shear_wave(m, tau, 0.0) / nu - 1;
      std::printf("%-18s tau %.2f: viscosity error at rest %+.2e\n", m.name, tau, still);
      // The k^2 error of a 32-cell wave is under 1 % for every model.
      EXPECT_LT(std::abs(still), 0.01) << m.name << " tau " << tau;
    }
  }
}

// The same wave carried across the lattice at U = 0.1 (Mach 0.17). Second-order equilibria on
// D3Q19 make the viscosity depend on the flow speed (the missing cubic moments); the cumulant
// collision corrects it. Measured at tau 0.8 and near 1/2.
TEST(Collisions, ShearWaveIsGalileanInvariant) {
  for (const Model& m : kModels) {
    for (double tau : {0.8, 0.51}) {
      const double nu = (tau - 0.5) / 3;
      const double moving = shear_wave(m, tau, 0.1) / nu - 1;
      std::printf("%-18s tau %.2f: viscosity error at U = 0.1 %+.2e\n", m.name, tau, moving);
      if (m.model == CollisionModel::Cumulant) EXPECT_LT(std::abs(moving), 0.01) << tau;
    }
  }
}

// Womersley flow (alpha 4) in a 20-cell pipe with Bouzidi walls at tau = 0.52, an eighth of the
// viscosity of test_womersley: the profile over a period.
template <class L>
double womersley_error(CollisionModel model, double tau) {
  const double D = 20, R = 0.5 * D, nu = (tau - 0.5) / 3, alpha = 4.0;
  const double omega = alpha * alpha * nu / (R * R);
  const double period = 2 * std::numbers::pi / omega;
  const double F0 = 2e-6;
  const int n = 32;
  auto pipe =
      std::make_shared<PipeShape>(Vec3(0.5 * (n - 1), 0.5 * (n - 1), 0), Vec3(0, 0, 1), R, 8.0);
  pipe->unbounded_length(true);
  DomainSpec spec;
  spec.shape = pipe;
  spec.cells = {n, n, 8};
  spec.periodic = {false, false, true};
  Engine<float, L> e(spec, {BackendKind::Cpu, model, tau, 3.0 / 16, WallMethod::Bouzidi});
  auto force_at = [&](double t) { return Vec3(0, 0, F0 * std::cos(omega * t)); };
  const int warmup = int(std::ceil(3 * period));
  int step = 0;
  for (; step < warmup; ++step) {
    e.set_force(force_at(step));
    e.step();
  }
  const Vec3 c(0.5 * (n - 1), 0.5 * (n - 1), 0);
  double num = 0, den = 0;
  const int samples = 12;
  for (int k = 0; k < samples; ++k) {
    const int target = warmup + int(std::lround(k * period / samples));
    for (; step < target; ++step) {
      e.set_force(force_at(step));
      e.step();
    }
    e.set_force(force_at(step));
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
  return std::sqrt(num / den);
}

TEST(Collisions, WomersleyNearHalfWithBouzidiWalls) {
  for (const Model& m : kModels) {
    const double tau = 0.52;
    const double err =
        m.q27 ? womersley_error<D3Q27>(m.model, tau) : womersley_error<D3Q19>(m.model, tau);
    std::printf("%-18s tau %.2f: Womersley alpha 4, D 20: relative L2 error %.3e\n", m.name, tau,
                err);
    EXPECT_LT(err, 0.03) << m.name;
  }
}

}  // namespace
