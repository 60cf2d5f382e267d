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

TEST(StenoticJet, RegularizedWithLesStableAtThroatReynolds1000) {
  std::printf("throat Re %.0f, tau %.4f, inlet mean %.3f, throat mean %.3f (lattice units)\n",
              jet_throat_reynolds(), jet_tau(), jet_inlet_mean(), jet_throat_mean());
  auto e = make_jet<float>(BackendKind::Cpu, CollisionModel::Regularized, true);
  const JetRun r = run_jet(*e);
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
  auto e = make_jet<float>(BackendKind::Cpu, CollisionModel::Bgk, false);
  const JetRun r = run_jet(*e);
  std::printf("plain BGK: %s after %lld steps (peak speed before %.4f)\n",
              r.finite ? "stable" : "diverged", (long long)r.steps, r.max_speed);
  EXPECT_FALSE(r.finite);
}

}  // namespace
