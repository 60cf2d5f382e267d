// The AA pattern (one array, updated in place) against the two-lattice pull, the reference: the
// same physics step for step, on a stenosed oblique pipe with a velocity inlet, a pressure outlet,
// a body force and curved walls (Bouzidi and halfway bounce-back), and in a slab periodic in two
// directions from a random state. Both velocity sets, both precisions, after an odd and after an
// even number of steps (the two layouts the AA pattern alternates between).
#include <gtest/gtest.h>

#include <random>

#include "hemotwin/core/engine.hpp"

using namespace hemotwin;

namespace {

template <class P>
struct Params {
  using T = typename P::first_type;
  using L = typename P::second_type;
};
template <class P>
class Streaming : public ::testing::Test {};
using Combos = ::testing::Types<std::pair<float, D3Q19>, std::pair<double, D3Q19>,
                                std::pair<float, D3Q27>, std::pair<double, D3Q27>>;
TYPED_TEST_SUITE(Streaming, Combos);

DomainSpec stenosed_pipe() {
  const Vec3 axis = Vec3(1, 0.35, 0.15).normalized();
  const Vec3 start(4, 4, 4);
  auto pipe = std::make_shared<PipeShape>(start, axis, 5.5, 40);
  pipe->with_stenosis(0.45, 20, 10).unbounded_length(true);
  DomainSpec spec = DomainSpec::around(std::make_shared<PipeShape>(start, axis, 5.5, 40), 1.0);
  spec.shape = pipe;
  spec.iolets = {{"inlet0", IoletKind::VelocityInlet, start, -axis, true, 5.5},
                 {"outlet0", IoletKind::PressureOutlet, start + 40 * axis, axis, false, 5.5}};
  return spec;
}

struct State {
  std::vector<double> rho, u;
  LatticeDiagnostics diagnostics;
};

template <class T, class L>
State run(const DomainSpec& spec, StreamingScheme scheme, WallMethod walls, int steps,
          bool random_start) {
  EngineOptions o{BackendKind::Cpu, CollisionModel::Trt, 0.62, 3.0 / 16, walls};
  o.streaming = scheme;
  Engine<T, L> e(spec, o);
  EXPECT_EQ(e.streaming(), scheme);
  if (random_start) {
    const std::int64_t n = std::int64_t(e.lattice().brick_count()) * brick_cells;
    std::mt19937 gen(7);
    std::uniform_real_distribution<double> d(-1, 1);
    std::vector<double> rho(n), u(3 * n);
    for (auto& r : rho) r = 1.0 + 0.02 * d(gen);
    for (auto& v : u) v = 0.03 * d(gen);
    e.initialise(rho, u);
  }
  if (!spec.iolets.empty()) e.set_iolet_values({0.03, 1.002});
  e.set_force(Vec3(2e-6, -1e-6, 5e-7));
  e.run(steps);
  State s;
  e.moments(s.rho, s.u);
  s.diagnostics = e.diagnostics();
  return s;
}

template <class T>
void expect_same(const State& aa, const State& ref, const char* what) {
  // The same arithmetic in a different order of memory accesses: equal up to the compiler's
  // freedom to contract multiply-adds differently in the two kernels.
  const double tol = std::is_same_v<T, float> ? 2e-6 : 1e-13;
  ASSERT_EQ(aa.rho.size(), ref.rho.size());
  double worst_rho = 0, worst_u = 0;
  for (std::size_t c = 0; c < aa.rho.size(); ++c)
    worst_rho = std::max(worst_rho, std::abs(aa.rho[c] - ref.rho[c]));
  for (std::size_t c = 0; c < aa.u.size(); ++c)
    worst_u = std::max(worst_u, std::abs(aa.u[c] - ref.u[c]));
  EXPECT_LT(worst_rho, tol) << what;
  EXPECT_LT(worst_u, tol) << what;
  EXPECT_NEAR(aa.diagnostics.mass, ref.diagnostics.mass, tol * ref.diagnostics.mass) << what;
  ASSERT_EQ(aa.diagnostics.iolet_flow.size(), ref.diagnostics.iolet_flow.size());
  for (std::size_t k = 0; k < aa.diagnostics.iolet_flow.size(); ++k) {
    EXPECT_NEAR(aa.diagnostics.iolet_flow[k], ref.diagnostics.iolet_flow[k],
                tol * 100 * std::abs(ref.diagnostics.iolet_flow[k]))
        << what;
    EXPECT_NEAR(aa.diagnostics.iolet_density[k], ref.diagnostics.iolet_density[k], tol) << what;
  }
}

}  // namespace

TYPED_TEST(Streaming, AaPatternMatchesTwoLatticeInAStenosedPipe) {
  using T = typename Params<TypeParam>::T;
  using L = typename Params<TypeParam>::L;
  const DomainSpec spec = stenosed_pipe();
  for (auto walls : {WallMethod::Bouzidi, WallMethod::BounceBack}) {
    for (int steps : {151, 150}) {
      const State ref = run<T, L>(spec, StreamingScheme::TwoLattice, walls, steps, false);
      const State aa = run<T, L>(spec, StreamingScheme::AaPattern, walls, steps, false);
      // The flow developed: the comparison is not between two fluids at rest.
      ASSERT_GT(ref.diagnostics.max_speed, 0.02);
      expect_same<T>(
          aa, ref,
          (std::string(to_string(walls)) + ", " + std::to_string(steps) + " steps").c_str());
    }
  }
}

TYPED_TEST(Streaming, AaPatternMatchesTwoLatticeInAPeriodicSlab) {
  using T = typename Params<TypeParam>::T;
  using L = typename Params<TypeParam>::L;
  // Periodic in x and y (wrapping through the brick-neighbour table), walls across z at
  // distances other than one half.
  DomainSpec spec;
  spec.shape = std::make_shared<BoxShape>(Vec3(-100, -100, 1.3), Vec3(100, 100, 13.8));
  spec.cells = {16, 24, 16};
  spec.periodic = {true, true, false};
  for (int steps : {41, 40}) {
    const State ref =
        run<T, L>(spec, StreamingScheme::TwoLattice, WallMethod::Bouzidi, steps, true);
    const State aa = run<T, L>(spec, StreamingScheme::AaPattern, WallMethod::Bouzidi, steps, true);
    expect_same<T>(aa, ref, (std::to_string(steps) + " steps").c_str());
  }
}

TEST(Streaming, AaPatternHalvesThePopulationMemory) {
  const DomainSpec spec = stenosed_pipe();
  EngineOptions o{BackendKind::Cpu, CollisionModel::Trt, 0.62, 3.0 / 16, WallMethod::Bouzidi};
  o.streaming = StreamingScheme::TwoLattice;
  const Engine<float, D3Q19> two(spec, o);
  o.streaming = StreamingScheme::AaPattern;
  const Engine<float, D3Q19> aa(spec, o);
  EXPECT_EQ(2 * aa.population_bytes(), two.population_bytes());
  // Auto: two-lattice while two lattices fit in 64 MiB (this pipe: 18 MB), AA above.
  o.streaming = StreamingScheme::Auto;
  const Engine<float, D3Q19> small(spec, o);
  EXPECT_EQ(small.streaming(), StreamingScheme::TwoLattice);
  DomainSpec box;
  box.shape = std::make_shared<BoxShape>(Vec3::Constant(-10), Vec3::Constant(1e9));
  box.cells = {96, 96, 96};  // two lattices: 134 MB
  box.periodic = {true, true, true};
  const Engine<float, D3Q19> large(box, o);
  EXPECT_EQ(large.streaming(), StreamingScheme::AaPattern);
  EXPECT_EQ(2 * large.population_bytes(), 2 * std::size_t(1728 + 1) * 19 * 512 * 4);
}
