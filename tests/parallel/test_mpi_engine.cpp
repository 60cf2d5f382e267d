// The engine split over MPI processes against the same engine in one process (run under mpirun
// with 1 to 4 processes; label mpi): the populations of every fluid cell are bit-identical where
// nothing couples the ranks but the halo (walls, velocity inlets, pressure outlets, sponge layers,
// periodic axes), and agree within 1e-12 where an outlet's pressure follows the flow summed over
// the ranks every step.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/shapes.hpp"
#include "mpi_test.hpp"

using namespace hemotwin;
using hemotwin::test::world;

namespace {

// A pipe oblique to the lattice (interpolated walls at every q, links on either side of 1/2),
// a parabolic velocity inlet and a pressure outlet with a sponge layer.
DomainSpec oblique_pipe() {
  const Vec3 origin(0.4, 0.3, 0.2);
  const Vec3 axis = Vec3(1.0, 0.35, 0.2).normalized();
  constexpr double R = 4.6, length = 44;
  auto shape = std::make_shared<PipeShape>(origin, axis, R, length);
  shape->unbounded_length(true);
  DomainSpec spec =
      DomainSpec::around(std::make_shared<PipeShape>(origin, axis, R, length), 1.0, 3);
  spec.shape = shape;
  IoletPlane in{"inlet", IoletKind::VelocityInlet, origin, -axis, true, R};
  IoletPlane out{"outlet", IoletKind::PressureOutlet, origin + length * axis, axis, false, R};
  out.sponge_length = 8;
  spec.iolets = {in, out};
  SectionPlane mid{"mid", origin + 0.5 * length * axis, axis, 0};
  spec.sections = {mid};
  return spec;
}

// A pipe along z, periodic along z, driven by a body force: the ranks meet across the wrap.
DomainSpec periodic_pipe() {
  auto pipe = std::make_shared<PipeShape>(Vec3(8.3, 8.1, 0), Vec3(0, 0, 1), 5.7, 1.0);
  pipe->unbounded_length(true);
  DomainSpec spec;
  spec.shape = pipe;
  spec.cells = {17, 17, 32};
  spec.periodic = {false, false, true};
  return spec;
}

template <class T, class L>
struct Run {
  std::unique_ptr<Engine<T, L>> engine;
  static EngineOptions options(CollisionModel model, double tau,
                               std::shared_ptr<Communicator> comm) {
    EngineOptions o{BackendKind::Cpu, model, tau, 3.0 / 16, WallMethod::Bouzidi};
    o.streaming = StreamingScheme::TwoLattice;
    o.communicator = std::move(comm);
    return o;
  }
};

// Drives an engine `steps` steps: the inlet ramps up; with `coupled`, the outlet's density
// follows the flow through it (a resistance), which every rank sums.
template <class E>
void drive(E& e, int steps, bool coupled, bool forced) {
  if (forced) e.set_force(Vec3(0, 0, 2e-5));
  for (int n = 0; n < steps; ++n) {
    if (!e.iolets().empty()) {
      double out_density = 1.0;
      if (coupled) {
        std::vector<double> flow, density;
        e.sample_iolets({1}, flow, density);
        out_density = 1.0 + 0.05 * flow[0];
      }
      e.set_iolet_values({0.03 * std::min(1.0, n / 30.0), out_density});
    }
    e.step();
  }
}

// Every owned fluid cell's populations, as (cell of the whole lattice, Q values), on rank 0.
template <class T, class L>
std::vector<std::byte> owned_cells(const Engine<T, L>& e) {
  const auto f = e.populations();
  const Subdomain* sub = e.subdomain();
  const auto& lat = e.lattice();
  const std::int64_t owned =
      std::int64_t(sub ? sub->owned_bricks : lat.brick_count()) * brick_cells;
  std::vector<std::byte> out;
  for (std::int64_t c = 0; c < owned; ++c) {
    if (!lat.is_fluid(c)) continue;
    const std::int64_t g = sub ? sub->global_cell(c) : c;
    const auto* p = reinterpret_cast<const std::byte*>(&g);
    out.insert(out.end(), p, p + sizeof g);
    for (int q = 0; q < L::Q; ++q) {
      const T v = f[std::size_t(kernels::slot<L>(c, q))];
      const auto* b = reinterpret_cast<const std::byte*>(&v);
      out.insert(out.end(), b, b + sizeof v);
    }
  }
  return out;
}

// Compares the split run with one process on rank 0: the largest difference of any population,
// and the count of fluid cells seen (every one exactly once).
template <class T, class L>
void compare(const DomainSpec& spec, CollisionModel model, double tau, int steps, bool coupled,
             bool forced, double tolerance) {
  auto comm = world();
  Engine<T, L> split(spec, Run<T, L>::options(model, tau, comm));
  drive(split, steps, coupled, forced);
  const auto diag = split.diagnostics();
  const auto parts = comm->gather(owned_cells(split), 0);
  if (comm->rank() != 0) return;
  Engine<T, L> whole(spec, Run<T, L>::options(model, tau, nullptr));
  drive(whole, steps, coupled, forced);
  const auto f = whole.populations();
  const auto& lat = whole.lattice();
  std::vector<std::uint8_t> seen(std::size_t(lat.brick_count()) * brick_cells, 0);
  double worst = 0;
  std::int64_t cells = 0, differing = 0;
  constexpr std::size_t record = sizeof(std::int64_t) + L::Q * sizeof(T);
  for (const auto& part : parts) {
    ASSERT_EQ(part.size() % record, 0u);
    for (std::size_t at = 0; at < part.size(); at += record) {
      std::int64_t g;
      std::memcpy(&g, part.data() + at, sizeof g);
      ASSERT_TRUE(lat.is_fluid(g));
      ASSERT_EQ(seen[std::size_t(g)], 0) << "cell " << g << " owned twice";
      seen[std::size_t(g)] = 1;
      ++cells;
      bool same = true;
      for (int q = 0; q < L::Q; ++q) {
        T v;
        std::memcpy(&v, part.data() + at + sizeof g + q * sizeof(T), sizeof v);
        const T w = f[std::size_t(kernels::slot<L>(g, q))];
        same = same && std::memcmp(&v, &w, sizeof v) == 0;
        worst = std::max(worst, std::abs(double(v) - double(w)));
      }
      differing += !same;
    }
  }
  EXPECT_EQ(cells, lat.fluid_cells());
  if (tolerance == 0) {
    EXPECT_EQ(differing, 0) << differing << " of " << cells << " cells differ in some bit on "
                            << comm->size() << " ranks (largest difference " << worst << ")";
  } else {
    EXPECT_LT(worst, tolerance) << "on " << comm->size() << " ranks";
  }
  // The reductions: the same sums added in another order.
  const auto d = whole.diagnostics();
  EXPECT_NEAR(diag.mass, d.mass, 1e-12 * d.mass);
  EXPECT_EQ(diag.max_speed, d.max_speed);
  EXPECT_EQ(diag.bad_cell, -1);
  ASSERT_EQ(diag.iolet_flow.size(), d.iolet_flow.size());
  for (std::size_t k = 0; k < d.iolet_flow.size(); ++k) {
    EXPECT_NEAR(diag.iolet_flow[k], d.iolet_flow[k], 1e-12 * std::abs(d.iolet_flow[0]) + 1e-15);
    EXPECT_NEAR(diag.iolet_density[k], d.iolet_density[k], 1e-13);
  }
  for (std::size_t k = 0; k < d.section_flow.size(); ++k)
    EXPECT_NEAR(diag.section_flow[k], d.section_flow[k], 1e-12 * std::abs(d.iolet_flow[0]));
  std::printf(
      "%d ranks: %lld fluid cells, %lld halo populations on rank 0, largest difference %.3g\n",
      comm->size(), (long long)cells, (long long)split.halo_values(), worst);
}

}  // namespace

TEST(MpiEngine, TrtPipeWithIoletsAndSpongeIsBitIdentical) {
  compare<double, D3Q19>(oblique_pipe(), CollisionModel::Trt, 0.56, 60, false, false, 0);
}

TEST(MpiEngine, CumulantFloatPipeIsBitIdentical) {
  compare<float, D3Q27>(oblique_pipe(), CollisionModel::Cumulant, 0.52, 40, false, false, 0);
}

TEST(MpiEngine, PeriodicForcedPipeIsBitIdentical) {
  compare<double, D3Q19>(periodic_pipe(), CollisionModel::Trt, 0.7, 50, false, true, 0);
}

TEST(MpiEngine, OutletCoupledToTheSummedFlowAgreesWithin1e12) {
  compare<double, D3Q19>(oblique_pipe(), CollisionModel::Trt, 0.56, 60, true, false, 1e-12);
}
