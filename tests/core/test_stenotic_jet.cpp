// A stenotic jet at throat Reynolds number 1000: a 50 % (diameter) cosine stenosis in a pipe not
// aligned with the grid, 20 cells across, parabolic inflow, pressure outlet, Bouzidi walls, tau
// 0.503. Regularized BGK with Smagorinsky LES runs it stable on the CPU (this test, label
// `validation`) and on CUDA (test_backends, label `gpu`, from the same case in jet_case.hpp): no
// non-finite cell, the jet forms (peak speed above the throat's mean), and what flows in flows out
// (time-averaged over the last flow-through, within 1 %). Plain BGK, for contrast, diverges.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "jet_case.hpp"

using namespace hemotwin;
using namespace hemotwin::test;

namespace {

struct JetRun {
  bool finite = true;
  std::int64_t steps = 0;
  double max_speed = 0, inflow = 0, outflow = 0, mass_change = 0;
};

template <class T>
JetRun run_jet(CollisionModel model, bool les, std::int64_t steps) {
  auto e = make_jet<T>(BackendKind::Cpu, model, les);
  JetRun r;
  const double m0 = e->diagnostics().mass;
  const std::int64_t chunk = 200, average_from = steps - jet_flow_through_steps();
  std::int64_t n = 0;
  while (e->steps() < steps) {
    e->run(chunk);
    const LatticeDiagnostics d = e->diagnostics();
    if (d.bad_cell >= 0 || !(d.max_speed < 0.5)) {
      r.finite = false;
      break;
    }
    r.max_speed = std::max(r.max_speed, d.max_speed);
    if (e->steps() > average_from) {
      r.inflow += d.iolet_flow[0];
      r.outflow += d.iolet_flow[1];
      ++n;
    }
    r.mass_change = d.mass / m0 - 1;
  }
  r.steps = e->steps();
  if (n > 0) {
    r.inflow /= double(n);
    r.outflow /= double(n);
  }
  return r;
}

TEST(StenoticJet, RegularizedWithLesStableAtThroatReynolds1000) {
  std::printf("throat Re %.0f, tau %.4f, inlet mean %.3f, throat mean %.3f (lattice units)\n",
              jet_throat_reynolds(), jet_tau(), jet_inlet_mean(), jet_throat_mean());
  const JetRun r = run_jet<float>(CollisionModel::Regularized, true, jet_steps());
  std::printf(
      "regularized + Smagorinsky: %s after %lld steps; peak speed %.4f; mean inflow %.4f, "
      "outflow %.4f (balance %.3f %%); mass change %.2e\n",
      r.finite ? "stable" : "DIVERGED", (long long)r.steps, r.max_speed, r.inflow, r.outflow,
      100 * (r.outflow / r.inflow - 1), r.mass_change);
  ASSERT_TRUE(r.finite);
  EXPECT_GT(r.max_speed, 1.2 * jet_throat_mean());  // a jet, not a diffused blob
  EXPECT_LT(r.max_speed, 0.3);
  EXPECT_NEAR(r.outflow / r.inflow, 1.0, jet_balance_tolerance());
}

// The same case with plain BGK and no LES: without the regularization and the eddy viscosity the
// jet's under-resolved shear layer blows up. Shows the test above is not passing by a benign case.
TEST(StenoticJet, PlainBgkDivergesOnTheSameCase) {
  const JetRun r = run_jet<float>(CollisionModel::Bgk, false, jet_steps());
  std::printf("plain BGK: %s after %lld steps (peak speed before %.4f)\n",
              r.finite ? "stable" : "diverged", (long long)r.steps, r.max_speed);
  EXPECT_FALSE(r.finite);
}

}  // namespace
