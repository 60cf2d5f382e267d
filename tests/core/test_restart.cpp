// Simulation::state and restore: a run stopped half way and continued in a new Simulation ends
// bit for bit where the uninterrupted run ends (populations and every outlet's state), for each
// streaming scheme, precision and collision family; restoring onto another lattice, velocity set
// or streaming scheme is refused and changes nothing.
#include <gtest/gtest.h>

#include <cstring>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/simulation.hpp"
#include "windkessel_pipe.hpp"

namespace hemotwin {
namespace {

// A pipe with everything that carries state between steps: a Womersley inlet, a Windkessel
// outlet coupled every step, a local viscosity (Carreau-Yasuda blood with LES).
Case pipe(Precision precision, LatticeKind lattice, StreamingScheme streaming) {
  Case c = test::windkessel_pipe();
  c.precision = precision;
  c.lattice = lattice;
  c.collision = lattice == LatticeKind::D3Q27 ? CollisionModel::Cumulant : CollisionModel::Trt;
  c.streaming = streaming;
  c.blood.model = RheologyModel::CarreauYasuda;
  c.turbulence.smagorinsky = true;
  c.inlet.profile = InletProfile::Womersley;
  return c;
}

struct Variant {
  Precision precision;
  LatticeKind lattice;
  StreamingScheme streaming;
};

class Restart : public ::testing::TestWithParam<Variant> {};

TEST_P(Restart, ContinuesBitForBit) {
  const Variant v = GetParam();
  const Case c = pipe(v.precision, v.lattice, v.streaming);
  auto whole = Simulation::create(c);
  whole->advance(61);  // odd: the AA pattern stops in its other layout
  const SimulationState reference = whole->state();

  auto first = Simulation::create(c);
  first->advance(23);
  const SimulationState half = first->state();
  EXPECT_EQ(half.step, 23);
  EXPECT_EQ(half.lattice_hash, whole->lattice_hash());
  auto second = Simulation::create(c);
  second->restore(half);
  EXPECT_EQ(second->step_count(), 23);
  second->advance(38);
  const SimulationState resumed = second->state();

  EXPECT_EQ(resumed.step, reference.step);
  EXPECT_EQ(resumed.layout, reference.layout);
  ASSERT_EQ(resumed.populations.size(), reference.populations.size());
  EXPECT_EQ(std::memcmp(resumed.populations.data(), reference.populations.data(),
                        reference.populations.size()),
            0);
  ASSERT_EQ(resumed.outlet_capacitor_pressure.size(), 1u);
  EXPECT_EQ(resumed.outlet_pressure, reference.outlet_pressure);
  EXPECT_EQ(resumed.outlet_capacitor_pressure, reference.outlet_capacitor_pressure);
  // The Windkessel really carries state (a restart that reset it would differ).
  EXPECT_GT(reference.outlet_capacitor_pressure[0], 0.01);
  const Diagnostics a = whole->diagnostics(), b = second->diagnostics();
  EXPECT_EQ(a.iolet_flow, b.iolet_flow);
  EXPECT_EQ(a.iolet_pressure, b.iolet_pressure);
}

INSTANTIATE_TEST_SUITE_P(
    Schemes, Restart,
    ::testing::Values(Variant{Precision::Float, LatticeKind::D3Q19, StreamingScheme::AaPattern},
                      Variant{Precision::Double, LatticeKind::D3Q19, StreamingScheme::TwoLattice},
                      Variant{Precision::Float, LatticeKind::D3Q27, StreamingScheme::TwoLattice},
                      Variant{Precision::Double, LatticeKind::D3Q27, StreamingScheme::AaPattern}));

// A restart is only bit for bit without one: the same state must not continue differently after a
// restore that lost the Windkessel's charge.
TEST(Restart, LosingTheOutletStateChangesTheRun) {
  const Case c = pipe(Precision::Double, LatticeKind::D3Q19, StreamingScheme::AaPattern);
  auto a = Simulation::create(c);
  a->advance(30);
  SimulationState s = a->state();
  s.outlet_capacitor_pressure[0] = 0;
  auto b = Simulation::create(c);
  b->restore(s);
  a->advance(10);
  b->advance(10);
  EXPECT_NE(a->diagnostics().iolet_pressure, b->diagnostics().iolet_pressure);
}

TEST(Restart, AnotherPrecisionContinuesWithinItsRoundOff) {
  const Case d = pipe(Precision::Double, LatticeKind::D3Q19, StreamingScheme::AaPattern);
  const Case f = pipe(Precision::Float, LatticeKind::D3Q19, StreamingScheme::AaPattern);
  auto whole = Simulation::create(d);
  whole->advance(40);
  auto first = Simulation::create(d);
  first->advance(20);
  auto second = Simulation::create(f);
  second->restore(first->state());
  second->advance(20);
  const Diagnostics a = whole->diagnostics(), b = second->diagnostics();
  for (std::size_t k = 0; k < a.iolet_flow.size(); ++k)
    EXPECT_NEAR(b.iolet_flow[k], a.iolet_flow[k], 1e-4 * std::abs(a.iolet_flow[0])) << k;
}

TEST(Restart, RefusesAnotherLatticeSchemeOrVelocitySet) {
  const Case c = pipe(Precision::Float, LatticeKind::D3Q19, StreamingScheme::AaPattern);
  auto a = Simulation::create(c);
  a->advance(5);
  const SimulationState s = a->state();

  Case finer = c;
  finer.geometry.cells_across = 10;
  finer.time.time_step = 2e-4;  // the same Mach number on the finer cells
  auto other = Simulation::create(finer);
  EXPECT_NE(other->lattice_hash(), a->lattice_hash());
  try {
    other->restore(s);
    FAIL() << "restored onto another lattice";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another lattice"), std::string::npos) << e.what();
  }
  EXPECT_EQ(other->step_count(), 0);

  Case two = c;
  two.streaming = StreamingScheme::TwoLattice;
  auto t = Simulation::create(two);
  EXPECT_EQ(t->lattice_hash(), a->lattice_hash());
  try {
    t->restore(s);
    FAIL() << "restored AA populations into the two-lattice scheme";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("case.streaming = \"aa\""), std::string::npos) << e.what();
  }
  EXPECT_EQ(t->step_count(), 0);

  SimulationState wrong = s;
  wrong.q_count = 27;
  EXPECT_THROW(a->restore(wrong), Error);
  wrong = s;
  wrong.populations.resize(wrong.populations.size() - sizeof(float));
  EXPECT_THROW(a->restore(wrong), Error);
  EXPECT_EQ(a->step_count(), 5);
}

}  // namespace
}  // namespace hemotwin
