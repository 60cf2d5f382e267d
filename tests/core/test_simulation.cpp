// Simulation: backend choice, and a diverging run reported with the step, the place and advice.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/flow_fields.hpp"
#include "hemotwin/core/simulation.hpp"

using namespace hemotwin;

namespace {
Case small_pipe() {
  Case c;
  c.name = "small";
  c.backend = BackendKind::Cpu;
  c.geometry.shape = ShapeKind::Pipe;
  c.geometry.diameter = 4e-3;
  c.geometry.length = 12e-3;
  c.geometry.cells_across = 8;
  c.inlet.mean_velocity = 0.01;
  c.time.duration = 0.05;
  c.output.check_every = 10;
  return c;
}

// Index of the fluid cell nearest the middle of the pipe.
std::size_t middle_cell(const Simulation& sim) {
  const auto& g = sim.grid();
  const Eigen::Vector3d target(6e-3, 0, 0);
  std::size_t best = 0;
  double best_d = 1e300;
  constexpr int B = 8;
  for (std::size_t c = 0; c < g.cell_type.size(); ++c) {
    if (g.cell_type[c] != 1) continue;
    const auto& o = g.brick_origins[c / (B * B * B)];
    const int l = int(c % (B * B * B));
    const Eigen::Vector3d p =
        g.origin + g.dx * Eigen::Vector3d(o[0] + l % B, o[1] + (l / B) % B, o[2] + l / (B * B));
    if ((p - target).norm() < best_d) {
      best_d = (p - target).norm();
      best = c;
    }
  }
  return best;
}
}  // namespace

TEST(Simulation, AskingForCudaWithoutADeviceIsAClearError) {
  if (cuda_device_available())
    GTEST_SKIP() << "a CUDA device is present: " << cuda_device_description();
  Case c = small_pipe();
  c.backend = BackendKind::Cuda;
  c.source_file = "case.toml";
  try {
    Simulation::create(c);
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("case.toml"), std::string::npos) << m;
    EXPECT_NE(m.find("case.backend"), std::string::npos) << m;
    EXPECT_NE(m.find("\"cpu\""), std::string::npos) << m;
  }
}

TEST(Simulation, AutoPicksAWorkingBackend) {
  Case c = small_pipe();
  c.backend = BackendKind::Auto;
  auto sim = Simulation::create(c);
  EXPECT_EQ(sim->backend(), cuda_device_available() ? BackendKind::Cuda : BackendKind::Cpu);
  EXPECT_FALSE(sim->device().empty());
}

// The case's streaming choice reaches the engine, and both schemes give one flow.
TEST(Simulation, StreamingSchemeFromTheCase) {
  Case c = small_pipe();
  // Auto, on the CPU: two-lattice while the lattice fits in a cache (this one: well under 64 MiB).
  EXPECT_EQ(Simulation::create(c)->streaming(), StreamingScheme::TwoLattice);
  std::vector<double> rho[2], u[2];
  int k = 0;
  for (auto scheme : {StreamingScheme::TwoLattice, StreamingScheme::AaPattern}) {
    c.streaming = scheme;
    auto sim = Simulation::create(c);
    EXPECT_EQ(sim->streaming(), scheme);
    sim->advance(101);
    sim->lattice_moments(rho[k], u[k]);
    ++k;
  }
  double worst = 0, u_max = 0;
  for (std::size_t i = 0; i < u[0].size(); ++i) {
    worst = std::max(worst, std::abs(u[0][i] - u[1][i]));
    u_max = std::max(u_max, std::abs(u[0][i]));
  }
  EXPECT_GT(u_max, 1e-3);
  EXPECT_LT(worst, 1e-5 * u_max);
}

// The whole domain's diagnostics in SI: the fluid cells' volume, and the kinetic energy as the
// field snapshot's (flow_fields) gives it, at the reference density (weighted by the lattice's
// density it would be 1.7 % higher here, 200 steps into the start); a rigid wall has no volume or
// dissipation of its own.
TEST(Simulation, DiagnosticsGiveTheFluidVolumeAndKineticEnergy) {
  auto sim = Simulation::create(small_pipe());
  sim->advance(200);
  const Diagnostics d = sim->diagnostics();
  const GridInfo& g = sim->grid();
  EXPECT_DOUBLE_EQ(d.fluid_volume, double(g.fluid_cells) * g.dx * g.dx * g.dx);
  const FieldSnapshot s = sim->snapshot();
  const double energy = kinetic_energy(g, s.velocity, sim->config().blood.density);
  EXPECT_GT(energy, 0);
  EXPECT_NEAR(d.kinetic_energy, energy, 1e-5 * energy);  // the snapshot is in single precision
  EXPECT_TRUE(std::isnan(d.wall_volume));
  EXPECT_TRUE(std::isnan(d.viscous_dissipation));
}

TEST(Simulation, NaNStopsTheRunWithStepPlaceAndAdvice) {
  auto sim = Simulation::create(small_pipe());
  const std::size_t n = sim->grid().cell_type.size();
  std::vector<double> rho(n, 1.0), u(3 * n, 0.0);
  rho[middle_cell(*sim)] = std::numeric_limits<double>::quiet_NaN();
  sim->initialise(rho, u);
  try {
    sim->advance(25);
    FAIL() << "expected a divergence";
  } catch (const DivergenceError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("diverged at step 10"), std::string::npos) << m;  // the first check
    EXPECT_NE(m.find("NaN"), std::string::npos) << m;
    EXPECT_NE(m.find(" mm"), std::string::npos) << m;
    EXPECT_NE(m.find("reduce time_step_s"), std::string::npos) << m;
  }
}

TEST(Simulation, RunawaySpeedStopsTheRunNearWhereItHappens) {
  Case c0 = small_pipe();
  c0.output.check_every = 1;  // catch it before a lone fast cell spreads out
  auto sim = Simulation::create(c0);
  const std::size_t n = sim->grid().cell_type.size();
  std::vector<double> rho(n, 1.0), u(3 * n, 0.0);
  const std::size_t c = middle_cell(*sim);
  u[3 * c] = 0.9;  // far beyond what the lattice carries
  sim->initialise(rho, u);
  try {
    sim->advance(10);
    FAIL() << "expected a divergence";
  } catch (const DivergenceError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("diverged at step"), std::string::npos) << m;
    // The place: within a few cells of the pipe's middle (x = 6 mm).
    const auto at = m.find("near (");
    ASSERT_NE(at, std::string::npos) << m;
    const double x = std::stod(m.substr(at + 6));
    EXPECT_NEAR(x, 6.0, 2.0) << m;
  }
}

namespace {
TEST(Simulation, CumulantOnD3Q19IsRefusedWithTheKeyAndTheFix) {
  Case c = small_pipe();
  c.collision = CollisionModel::Cumulant;
  c.lattice = LatticeKind::D3Q19;
  try {
    Simulation::create(c);
    FAIL() << "a cumulant collision on D3Q19 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.key(), "collision.model");
    EXPECT_NE(std::string(e.what()).find("D3Q27"), std::string::npos) << e.what();
  }
  c.lattice = LatticeKind::D3Q27;
  c.inlet.mean_velocity = 0.002;
  auto sim = Simulation::create(c);
  sim->advance(50);
  EXPECT_GT(sim->diagnostics().mass, 0);
}
}  // namespace
