// A Simulation split over MPI processes against the same case in one process (run under mpirun
// with 1 to 4 processes; label mpi): fields, wall shear and diagnostics gathered on rank 0, and
// checkpoints (Simulation::state) that restart on another number of processes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/simulation.hpp"
#include "mpi_test.hpp"
#include "split_pipe.hpp"

using namespace hemotwin;
using hemotwin::test::world;

using hemotwin::test::largest_difference;
using hemotwin::test::split_pipe;

TEST(MpiSimulation, FieldsAndWallShearMatchOneProcess) {
  for (bool windkessel : {false, true}) {
    SCOPED_TRACE(windkessel ? "Windkessel outlet" : "pressure outlet");
    auto comm = world();
    const Case c = split_pipe(windkessel);
    auto split = Simulation::create(c, comm);
    EXPECT_EQ(split->ranks(), comm->size());
    split->advance(60);
    const auto fields = split->snapshot();
    const auto wall = split->wall_shear();
    const auto diag = split->diagnostics();
    if (comm->rank() != 0) {
      EXPECT_TRUE(fields.velocity.empty());
      EXPECT_TRUE(wall.point.empty());
      continue;
    }
    auto one = Simulation::create(c);
    one->advance(60);
    const auto f1 = one->snapshot();
    const auto w1 = one->wall_shear();
    const auto d1 = one->diagnostics();
    EXPECT_EQ(split->grid().brick_origins, one->grid().brick_origins);
    EXPECT_EQ(split->grid().fluid_cells, one->grid().fluid_cells);
    if (!windkessel) {  // bit for bit
      EXPECT_EQ(std::memcmp(fields.velocity.data(), f1.velocity.data(),
                            f1.velocity.size() * sizeof(float)),
                0);
      EXPECT_EQ(std::memcmp(fields.pressure.data(), f1.pressure.data(),
                            f1.pressure.size() * sizeof(float)),
                0);
    }
    // With a Windkessel the double fields agree to ~1e-15; stored as floats, a value may round
    // to the neighbouring float: one part in 10^7.
    const double tolerance = windkessel ? 1e-6 : 0.0;
    EXPECT_LE(largest_difference(fields.velocity, f1.velocity), tolerance);
    EXPECT_LE(largest_difference(fields.pressure, f1.pressure), tolerance);
    ASSERT_EQ(wall.point.size(), w1.point.size());
    double wss = 0, scale = 0;
    for (std::size_t k = 0; k < w1.point.size(); ++k) {
      ASSERT_EQ(wall.point[k], w1.point[k]) << "wall point " << k;
      ASSERT_EQ(wall.normal[k], w1.normal[k]) << "wall point " << k;
      wss = std::max(wss, (wall.wss[k] - w1.wss[k]).norm());
      scale = std::max(scale, w1.wss[k].norm());
    }
    EXPECT_LE(wss, 1e-12 * scale);
    for (std::size_t k = 0; k < d1.iolet_flow.size(); ++k) {
      EXPECT_NEAR(diag.iolet_flow[k], d1.iolet_flow[k], 1e-12 * std::abs(d1.iolet_flow[0]));
      EXPECT_NEAR(diag.iolet_pressure[k], d1.iolet_pressure[k], 1e-9);
    }
  }
}

// A checkpoint taken on N processes continues in one, and one taken in one process continues on
// N: bit for bit where nothing is summed over the ranks, within round-off with a Windkessel.
TEST(MpiSimulation, CheckpointsRestartOnAnotherNumberOfProcesses) {
  for (bool windkessel : {false, true}) {
    SCOPED_TRACE(windkessel ? "Windkessel outlet" : "pressure outlet");
    auto comm = world();
    const Case c = split_pipe(windkessel);
    // N -> 1: the split run's state, continued alone on rank 0.
    auto split = Simulation::create(c, comm);
    split->advance(30);
    const SimulationState taken = split->state();
    split->advance(30);
    const auto split_end = split->snapshot();
    // 1 -> N: one process's state (rank 0's), restored on every rank.
    std::unique_ptr<Simulation> one;
    SimulationState alone;
    if (comm->rank() == 0) {
      one = Simulation::create(c);
      one->advance(30);
      alone = one->state();
      EXPECT_EQ(alone.lattice_hash, taken.lattice_hash);
      EXPECT_EQ(alone.populations.size(), taken.populations.size());
    }
    auto resumed = Simulation::create(c, comm);
    resumed->restore(alone);
    EXPECT_EQ(resumed->step_count(), 30);
    resumed->advance(30);
    const auto resumed_end = resumed->snapshot();
    // N -> N: the split run's own state, continued on as many processes: bit for bit, the
    // Windkessel's sums included (the same terms in the same order).
    auto again = Simulation::create(c, comm);
    again->restore(taken);
    again->advance(30);
    const auto again_end = again->snapshot();
    if (comm->rank() != 0) continue;
    EXPECT_EQ(std::memcmp(again_end.pressure.data(), split_end.pressure.data(),
                          split_end.pressure.size() * sizeof(float)),
              0);
    EXPECT_EQ(std::memcmp(again_end.velocity.data(), split_end.velocity.data(),
                          split_end.velocity.size() * sizeof(float)),
              0);
    auto continued = Simulation::create(c);
    continued->restore(taken);
    continued->advance(30);
    const auto continued_end = continued->snapshot();
    one->advance(30);
    const auto one_end = one->snapshot();
    const double tolerance = windkessel ? 1e-6 : 0.0;  // as above
    const std::pair<const char*, const FieldSnapshot*> ends[] = {
        {"taken on N, continued in one", &continued_end},
        {"taken in one, continued on N", &resumed_end},
        {"on N throughout", &split_end}};
    for (const auto& [what, end] : ends) {
      EXPECT_LE(largest_difference(end->pressure, one_end.pressure), tolerance) << what;
      EXPECT_LE(largest_difference(end->velocity, one_end.velocity), tolerance) << what;
    }
  }
}

TEST(MpiSimulation, RefusesAStateOfAnotherLattice) {
  auto comm = world();
  Case c = split_pipe(false);
  auto split = Simulation::create(c, comm);
  SimulationState other;
  if (comm->rank() == 0) {
    Case d = c;
    d.geometry.cells_across = 12;
    d.time.time_step = 2.5e-4;
    other = Simulation::create(d)->state();
  }
  // Every rank refuses it (rank 0's state is shared first), so none is left waiting.
  EXPECT_THROW(split->restore(other), Error);
}
