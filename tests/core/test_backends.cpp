// Every backend present gives the same result on the same case: CPU against CUDA on a stenosed
// oblique pipe with inlet, outlet and Bouzidi walls, for both streaming schemes (the populations
// are compared as stored, so both backends run the same scheme): float to 1e-5 relative, double to
// 1e-10. The device reductions (mass, maximum speed, iolet flow and density) agree with the OpenMP
// ones, and a diverging run is caught on the device as on the host. Label `gpu`.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <memory>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/simulation.hpp"

using namespace hemotwin;

template <class T, class L>
std::unique_ptr<Engine<T, L>> make_case(BackendKind backend, StreamingScheme scheme,
                                        double tau = 0.6, double u_in = 0.03) {
  const Vec3 axis = Vec3(1, 0.4, 0.2).normalized();
  auto pipe = std::make_shared<PipeShape>(Vec3(5, 5, 5), axis, 6, 60);
  pipe->with_stenosis(0.5, 30, 16).unbounded_length(true);
  DomainSpec spec =
      DomainSpec::around(std::make_shared<PipeShape>(Vec3(5, 5, 5), axis, 6, 60), 1.0, 3);
  spec.shape = pipe;
  spec.iolets = {{"inlet0", IoletKind::VelocityInlet, Vec3(5, 5, 5), -axis, true, 6},
                 {"outlet0", IoletKind::PressureOutlet, Vec3(5, 5, 5) + 60 * axis, axis, false, 6}};
  EngineOptions options{backend, CollisionModel::Trt, tau, 3.0 / 16, WallMethod::Bouzidi};
  options.streaming = scheme;
  auto e = std::make_unique<Engine<T, L>>(spec, options);
  e->set_iolet_values({u_in, 1.0});
  return e;
}

double relative(double a, double b, double floor) {
  return std::abs(a - b) / std::max(floor, std::abs(a));
}

template <class T, class L>
void compare(StreamingScheme scheme, double tolerance) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  auto cpu = make_case<T, L>(BackendKind::Cpu, scheme);
  auto gpu = make_case<T, L>(BackendKind::Cuda, scheme);
  ASSERT_EQ(gpu->backend(), BackendKind::Cuda);
  ASSERT_EQ(gpu->streaming(), scheme);
  // Odd step counts: both schemes then hold every fluid cell's populations in its own slots. The
  // early counts say where a disagreement starts.
  const auto& type = cpu->lattice().cell_type();
  for (std::int64_t until : {1, 3, 501}) {
    cpu->run(until - cpu->steps());
    gpu->run(until - gpu->steps());
    const auto a = cpu->populations();
    const auto b = gpu->populations();
    ASSERT_EQ(a.size(), b.size());
    // Only fluid cells' populations are state: the CPU kernels sweep whole rows and leave values
    // in solid cells that nothing reads, the CUDA kernels skip solid cells.
    double worst = 0, worst_solid = 0;
    std::int64_t fluid = 0, worst_cell = -1;
    int worst_q = -1;
    for (std::int64_t c = 0; c < std::int64_t(type.size()); ++c) {
      const std::int64_t base = c / brick_cells * L::Q * brick_cells + c % brick_cells;
      fluid += type[c] == 1;
      for (int q = 0; q < L::Q; ++q) {
        const std::size_t i = std::size_t(base + std::int64_t(q) * brick_cells);
        const double r = relative(a[i], b[i], 1e-2);
        if (type[c] != 1) {
          worst_solid = std::max(worst_solid, r);
        } else if (r > worst) {
          worst = r;
          worst_cell = c;
          worst_q = q;
        }
      }
    }
    std::printf(
        "%s %s, %s, step %lld: worst relative population difference CPU vs CUDA %.3e over %lld "
        "fluid cells (%.3e in solid cells, not state)\n",
        L::name, sizeof(T) == 4 ? "float" : "double", to_string(scheme), (long long)until, worst,
        (long long)fluid, worst_solid);
    if (worst >= tolerance) {
      const std::int64_t i = worst_cell / brick_cells * L::Q * brick_cells +
                             worst_cell % brick_cells + std::int64_t(worst_q) * brick_cells;
      const std::array<int, 3> ijk = cpu->lattice().cell_coords(worst_cell);
      std::printf("  at cell %lld (%d %d %d), slot %d: CPU %.9g, CUDA %.9g\n",
                  (long long)worst_cell, ijk[0], ijk[1], ijk[2], worst_q, double(a[i]),
                  double(b[i]));
    }
    EXPECT_GT(fluid, 1000);
    ASSERT_LT(worst, tolerance) << "step " << until;
  }

  std::vector<double> rho_c, u_c, rho_g, u_g;
  cpu->moments(rho_c, u_c);
  gpu->moments(rho_g, u_g);
  double worst_rho = 0, worst_u = 0, u_max = 0;
  for (std::int64_t c = 0; c < std::int64_t(rho_c.size()); ++c) {
    if (type[c] != 1) continue;
    worst_rho = std::max(worst_rho, std::abs(rho_c[c] - rho_g[c]));
    for (int k = 0; k < 3; ++k) {
      worst_u = std::max(worst_u, std::abs(u_c[3 * c + k] - u_g[3 * c + k]));
      u_max = std::max(u_max, std::abs(u_c[3 * c + k]));
    }
  }
  std::printf("  density %.3e, velocity %.3e of %.3e\n", worst_rho, worst_u, u_max);
  EXPECT_LT(worst_rho, tolerance);
  EXPECT_LT(worst_u, 10 * tolerance * u_max);

  // The reductions: Thrust/CUB on the device, OpenMP on the host, over the same state.
  const LatticeDiagnostics dc = cpu->diagnostics(), dg = gpu->diagnostics();
  EXPECT_EQ(dg.bad_cell, -1);
  EXPECT_LT(relative(dc.mass, dg.mass, 1.0), tolerance);
  EXPECT_LT(relative(dc.max_speed, dg.max_speed, 1e-3), 10 * tolerance);
  ASSERT_EQ(dc.iolet_flow.size(), 2u);
  ASSERT_EQ(dg.iolet_flow.size(), 2u);
  for (int k = 0; k < 2; ++k) {
    EXPECT_LT(relative(dc.iolet_flow[k], dg.iolet_flow[k], 1e-3), 10 * tolerance) << k;
    EXPECT_LT(relative(dc.iolet_density[k], dg.iolet_density[k], 1.0), tolerance) << k;
  }
  EXPECT_GT(dg.iolet_flow[0], 0);  // the inlet drives flow through: the sums are not vacuous
  EXPECT_GT(dg.max_speed, 0.03);   // the throat is faster than the inlet
}

TEST(Backends, CpuAndCudaAgreeD3Q19) { compare<float, D3Q19>(StreamingScheme::TwoLattice, 1e-5); }
TEST(Backends, CpuAndCudaAgreeD3Q27) { compare<float, D3Q27>(StreamingScheme::TwoLattice, 1e-5); }
TEST(Backends, CpuAndCudaAgreeD3Q19AaPattern) {
  compare<float, D3Q19>(StreamingScheme::AaPattern, 1e-5);
}
TEST(Backends, CpuAndCudaAgreeD3Q27AaPattern) {
  compare<float, D3Q27>(StreamingScheme::AaPattern, 1e-5);
}
TEST(Backends, CpuAndCudaAgreeDoubleD3Q19) {
  compare<double, D3Q19>(StreamingScheme::TwoLattice, 1e-10);
}
TEST(Backends, CpuAndCudaAgreeDoubleD3Q19AaPattern) {
  compare<double, D3Q19>(StreamingScheme::AaPattern, 1e-10);
}

// A run driven far past its stability limit: the device's NaN check finds the non-finite cell, and
// that cell is non-finite in the populations read back.
TEST(Backends, CudaCatchesDivergence) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  for (auto scheme : {StreamingScheme::TwoLattice, StreamingScheme::AaPattern}) {
    auto gpu = make_case<float, D3Q19>(BackendKind::Cuda, scheme, 0.5001, 0.4);
    LatticeDiagnostics d;
    for (int i = 0; i < 40 && d.bad_cell < 0; ++i) {
      gpu->run(50);
      d = gpu->diagnostics();
    }
    ASSERT_GE(d.bad_cell, 0) << to_string(scheme) << ": the unstable run never diverged";
    const auto f = gpu->populations();
    const std::int64_t base = d.bad_cell / brick_cells * D3Q19::Q * brick_cells +
                              d.bad_cell % brick_cells;  // brick-major
    bool non_finite = false;
    for (int q = 0; q < D3Q19::Q; ++q)
      non_finite |= !std::isfinite(f[base + std::int64_t(q) * brick_cells]);
    EXPECT_TRUE(non_finite) << to_string(scheme) << ": cell " << d.bad_cell;
  }
}
