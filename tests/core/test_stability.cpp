// The stability floors: taken per model from the measured map (src/core/stability.cpp), and the
// units check refusing a case below its collision's floor, naming the floor's basis and a
// collision that would run it.
#include <gtest/gtest.h>

#include <string>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/simulation.hpp"
#include "hemotwin/core/stability.hpp"

using namespace hemotwin;

TEST(StabilityFloor, FromTheMapPerModelAndGeometry) {
  // TRT with Bouzidi walls: the stenotic jet's floor for an analytic shape, the artery's (higher)
  // for a patient's anatomy.
  const auto trt_pipe =
      stability_floor(CollisionModel::Trt, false, WallMethod::Bouzidi, 0.1, false);
  const auto trt_vessel =
      stability_floor(CollisionModel::Trt, false, WallMethod::Bouzidi, 0.1, true);
  EXPECT_GT(trt_pipe.tau, 0.5);
  EXPECT_GT(trt_vessel.tau, trt_pipe.tau);
  EXPECT_NE(trt_vessel.basis.find("artery"), std::string::npos) << trt_vessel.basis;
  EXPECT_NE(trt_pipe.basis.find("jet"), std::string::npos) << trt_pipe.basis;
  // The cumulant stays stable closer to 1/2 than TRT in both; Smagorinsky LES closer still.
  for (bool anatomy : {false, true}) {
    const double trt =
        stability_floor(CollisionModel::Trt, false, WallMethod::Bouzidi, 0.1, anatomy).tau;
    const double cum =
        stability_floor(CollisionModel::Cumulant, false, WallMethod::Bouzidi, 0.1, anatomy).tau;
    const double les =
        stability_floor(CollisionModel::Cumulant, true, WallMethod::Bouzidi, 0.1, anatomy).tau;
    EXPECT_LT(cum - 0.5, trt - 0.5) << anatomy;
    EXPECT_LT(les, cum) << anatomy;
  }
  // Faster flow needs a higher floor: the map's Mach 0.15 row for a run at 0.12, never below the
  // 0.1 row's.
  for (CollisionModel m :
       {CollisionModel::Trt, CollisionModel::Cumulant, CollisionModel::Regularized})
    for (bool anatomy : {false, true}) {
      const auto at10 = stability_floor(m, false, WallMethod::Bouzidi, 0.1, anatomy);
      const auto at12 = stability_floor(m, false, WallMethod::Bouzidi, 0.12, anatomy);
      EXPECT_DOUBLE_EQ(at12.mach, 0.15);
      EXPECT_GE(at12.tau, at10.tau) << to_string(m) << anatomy;
    }
  EXPECT_GT(stability_floor(CollisionModel::Cumulant, false, WallMethod::Bouzidi, 0.12, true).tau,
            0.509);  // the artery at Mach 0.15
  // Slower flow, a lower floor (TRT and the cumulant: tau - 1/2 about proportional to Mach).
  EXPECT_LT(stability_floor(CollisionModel::Cumulant, false, WallMethod::Bouzidi, 0.04, true).tau,
            0.503);
  // A wall method the map did not run for a model takes its Bouzidi floor and says so; a Mach
  // number above the mapped ones is named; a model not mapped keeps the floor assumed before.
  const auto kbc_bb =
      stability_floor(CollisionModel::Kbc, false, WallMethod::BounceBack, 0.1, true);
  EXPECT_NE(kbc_bb.basis.find("were not mapped"), std::string::npos) << kbc_bb.basis;
  const auto fast = stability_floor(CollisionModel::Trt, false, WallMethod::Bouzidi, 0.3, false);
  EXPECT_NE(fast.basis.find("is above it"), std::string::npos) << fast.basis;
  const auto kbc_les = stability_floor(CollisionModel::Kbc, true, WallMethod::Bouzidi, 0.1, false);
  EXPECT_DOUBLE_EQ(kbc_les.tau, 0.501);
  EXPECT_NE(kbc_les.basis.find("not yet in the stability map"), std::string::npos) << kbc_les.basis;
}

TEST(StabilityFloor, TheUnitsCheckRefusesBelowItAndNamesACollisionThatRuns) {
  // A 4 mm stenosed pipe at 0.3 m/s on 12 cells: tau - 1/2 ~ 6e-4, below TRT's floor and the
  // cumulant's, above the cumulant's with Smagorinsky LES.
  Case c;
  c.name = "fast";
  c.backend = BackendKind::Cpu;
  c.geometry.shape = ShapeKind::StenosedPipe;
  c.geometry.diameter = 4e-3;
  c.geometry.length = 24e-3;
  c.geometry.stenosis_severity = 0.5;
  c.geometry.stenosis_length = 8e-3;
  c.geometry.cells_across = 12;
  c.inlet.mean_velocity = 0.3;
  c.time.duration = 0.01;
  try {
    Simulation::create(c);
    FAIL() << "tau far below TRT's floor was accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.key(), "time.time_step_s");
    EXPECT_NE(m.find("stability map"), std::string::npos) << m;
    EXPECT_NE(m.find("turbulence.model = \"smagorinsky\""), std::string::npos) << m;
  }
  c.collision = CollisionModel::Cumulant;
  c.lattice = LatticeKind::D3Q27;
  c.turbulence.smagorinsky = true;
  EXPECT_NO_THROW(Simulation::create(c));
}
