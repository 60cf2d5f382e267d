// Every backend present gives the same result on the same case: CPU against CUDA on a stenosed
// oblique pipe with inlet, outlet and Bouzidi walls, for both streaming schemes (the populations
// are compared as stored, so both backends run the same scheme): float to 1e-5 relative, double to
// 1e-10. The device reductions (mass, maximum speed, iolet flow and density) agree with the OpenMP
// ones, and a diverging run is caught on the device as on the host. The same holds with every
// feature of the collision and the boundaries switched on (regularized collision, Carreau-Yasuda
// viscosity with Smagorinsky LES, a Womersley-like profile table), and for a whole Simulation with
// a Windkessel outlet, Carreau-Yasuda blood, LES and a Womersley inlet (outlet pressure, flows,
// velocities, wall shear stress). The stenotic jet at throat Re 1000 runs stable on CUDA as
// test_stenotic_jet shows on the CPU. Label `gpu`.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/simulation.hpp"
#include "jet_case.hpp"

using namespace hemotwin;

// Off: the plain TRT case. On: regularized collision, Carreau-Yasuda viscosity (lattice units)
// with LES, the inlet driven through a profile table of a Womersley-like shape, a sponge
// layer before the outlet, and the pipe's wall turning about its axis (a WallMotion).
// `d3q27_model` (D3Q27): that collision (cumulant, KBC) instead of TRT (off) or regularized
// (on).
struct Features {
  bool on = false;
  std::optional<CollisionModel> d3q27_model;
};

template <class T, class L>
std::unique_ptr<Engine<T, L>> make_case(BackendKind backend, StreamingScheme scheme,
                                        double tau = 0.6, double u_in = 0.03,
                                        Features features = {}) {
  const Vec3 axis = Vec3(1, 0.4, 0.2).normalized();
  auto pipe = std::make_shared<PipeShape>(Vec3(5, 5, 5), axis, 6, 60);
  pipe->with_stenosis(0.5, 30, 16).unbounded_length(true);
  DomainSpec spec =
      DomainSpec::around(std::make_shared<PipeShape>(Vec3(5, 5, 5), axis, 6, 60), 1.0, 3);
  spec.shape = pipe;
  spec.iolets = {{"inlet0", IoletKind::VelocityInlet, Vec3(5, 5, 5), -axis, true, 6},
                 {"outlet0", IoletKind::PressureOutlet, Vec3(5, 5, 5) + 60 * axis, axis, false, 6}};
  if (features.on) {  // a sponge layer one diameter deep before the outlet
    spec.iolets[1].sponge_length = 12;
    spec.iolets[1].sponge_viscosity_ratio = 10;
    const Vec3 base(5, 5, 5);  // the wall turns at 1 / 6 of the amplitude per unit radius
    spec.wall_motions = {{"swirl", [](const Vec3&) { return true; },
                          [=](const Vec3& p) { return axis.cross(p - base) / 6; }}};
  }
  EngineOptions options{backend, CollisionModel::Trt, tau, 3.0 / 16, WallMethod::Bouzidi};
  options.streaming = scheme;
  if (features.d3q27_model) options.collision = *features.d3q27_model;
  if (features.on) {
    if (!features.d3q27_model) options.collision = CollisionModel::Regularized;
    auto& v = options.viscosity;
    v.model = kernels::ViscosityModel::CarreauYasuda;
    v.p[0] = 0.3, v.p[1] = 0.03, v.p[2] = 200, v.p[3] = 2, v.p[4] = 0.3568;
    v.les = 3 * 0.15 * 0.15;
    v.tau_min = 0.51, v.tau_max = 2;
  }
  auto e = std::make_unique<Engine<T, L>>(spec, options);
  if (features.on) {
    // A flattened, overshooting profile (as Womersley's at high alpha), scaled to u_in.
    std::vector<double> p(kernels::profile_samples + 1);
    double flux = 0, area = 0;
    for (int j = 0; j <= kernels::profile_samples; ++j) {
      const double x = double(j) / kernels::profile_samples;
      p[j] = (1 - std::pow(x, 6)) * (1 + 0.3 * x * x);
      flux += e->profile_weights(0)[j] * p[j];
      area += e->profile_weights(0)[j];
    }
    for (double& v : p) v *= u_in * area / flux;
    e->set_iolet_values({u_in, 1.0}, {p, {}});
    e->set_wall_speeds({0.5 * u_in});
  } else {
    e->set_iolet_values({u_in, 1.0});
  }
  return e;
}

double relative(double a, double b, double floor) {
  return std::abs(a - b) / std::max(floor, std::abs(a));
}

template <class T, class L>
void compare(StreamingScheme scheme, double tolerance, Features features = {}) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  auto cpu = make_case<T, L>(BackendKind::Cpu, scheme, 0.6, 0.03, features);
  auto gpu = make_case<T, L>(BackendKind::Cuda, scheme, 0.6, 0.03, features);
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
        "%s%s%s %s, %s, step %lld: worst relative population difference CPU vs CUDA %.3e over "
        "%lld fluid cells (%.3e in solid cells, not state)\n",
        features.on ? "features, " : "",
        features.d3q27_model ? (std::string(to_string(*features.d3q27_model)) + ", ").c_str() : "",
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

TEST(Backends, CpuAndCudaAgreeWithEveryCollisionFeature) {
  compare<float, D3Q19>(StreamingScheme::TwoLattice, 1e-4, {true});
}
TEST(Backends, CpuAndCudaAgreeWithEveryCollisionFeatureD3Q27AaPattern) {
  compare<float, D3Q27>(StreamingScheme::AaPattern, 1e-4, {true});
}
TEST(Backends, CpuAndCudaAgreeWithEveryCollisionFeatureDouble) {
  compare<double, D3Q19>(StreamingScheme::TwoLattice, 1e-9, {true});
}

// The cumulant collision (D3Q27): plain, and with Carreau-Yasuda viscosity, LES, a profile table
// and a sponge layer (its rates then follow each cell's local tau).
TEST(Backends, CpuAndCudaAgreeCumulant) {
  compare<float, D3Q27>(StreamingScheme::TwoLattice, 1e-5, {false, CollisionModel::Cumulant});
}
TEST(Backends, CpuAndCudaAgreeCumulantAaPattern) {
  compare<float, D3Q27>(StreamingScheme::AaPattern, 1e-5, {false, CollisionModel::Cumulant});
}
TEST(Backends, CpuAndCudaAgreeCumulantWithEveryFeatureDouble) {
  compare<double, D3Q27>(StreamingScheme::TwoLattice, 1e-9, {true, CollisionModel::Cumulant});
}
TEST(Backends, CpuAndCudaAgreeKbc) {
  compare<float, D3Q27>(StreamingScheme::AaPattern, 1e-5, {false, CollisionModel::Kbc});
}
TEST(Backends, CpuAndCudaAgreeKbcWithEveryFeatureDouble) {
  compare<double, D3Q27>(StreamingScheme::TwoLattice, 1e-9, {true, CollisionModel::Kbc});
}

// A whole Simulation on each backend: Windkessel outlet (coupled every step through the device's
// slab reduction), Carreau-Yasuda blood with LES, Womersley inlet, in double.
TEST(Backends, SimulationWithWindkesselAndCarreauYasudaAgrees) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  Case c;
  c.precision = Precision::Double;
  c.geometry.shape = ShapeKind::Pipe;
  c.geometry.diameter = 4e-3;
  c.geometry.length = 8e-3;
  c.geometry.cells_across = 16;
  c.blood.model = RheologyModel::CarreauYasuda;
  c.turbulence.smagorinsky = true;
  c.inlet.profile = InletProfile::Womersley;
  c.inlet.mean_velocity = 0.02;
  c.inlet.amplitude = 0.5;
  c.inlet.period = 0.5;  // alpha 3.9 at mu_inf
  c.time.time_step = 2.2e-4;
  c.time.duration = 0.2;
  c.outlet.model = OutletModel::Windkessel;
  c.outlet.resistance = 3.5e5;
  c.outlet.distal_resistance = 3.15e6;
  c.outlet.compliance = 1e-8;
  c.backend = BackendKind::Cpu;
  auto cpu = Simulation::create(c);
  c.backend = BackendKind::Cuda;
  auto gpu = Simulation::create(c);
  ASSERT_EQ(gpu->backend(), BackendKind::Cuda);
  cpu->advance(500);
  gpu->advance(500);
  const Diagnostics a = cpu->diagnostics(), b = gpu->diagnostics();
  ASSERT_EQ(a.iolet_flow.size(), 2u);
  std::printf("Simulation CPU vs CUDA: outlet P %.6f / %.6f Pa, inflow %.6e / %.6e m3/s\n",
              a.iolet_boundary_pressure[1], b.iolet_boundary_pressure[1], a.iolet_flow[0],
              b.iolet_flow[0]);
  EXPECT_GT(a.iolet_boundary_pressure[1],
            0.3);  // the Windkessel is charging (mean (R1 + R2) Q = 0.88 Pa)
  EXPECT_LT(relative(a.iolet_boundary_pressure[1], b.iolet_boundary_pressure[1], 1e-3), 1e-8);
  for (int k = 0; k < 2; ++k)
    EXPECT_LT(relative(a.iolet_flow[k], b.iolet_flow[k], 1e-12), 1e-8) << k;
  const FieldSnapshot fa = cpu->snapshot(), fb = gpu->snapshot();
  ASSERT_EQ(fa.velocity.size(), fb.velocity.size());
  double worst = 0, peak = 0;
  for (std::size_t i = 0; i < fa.velocity.size(); ++i) {
    worst = std::max(worst, double(std::abs(fa.velocity[i] - fb.velocity[i])));
    peak = std::max(peak, double(std::abs(fa.velocity[i])));
  }
  std::printf("  velocity: worst difference %.3e of peak %.3e m/s\n", worst, peak);
  EXPECT_LT(worst, 1e-6 * peak);  // the snapshot is in float
  const WallShearField wa = cpu->wall_shear(), wb = gpu->wall_shear();
  ASSERT_EQ(wa.wss.size(), wb.wss.size());
  ASSERT_GT(wa.wss.size(), 100u);
  double worst_wss = 0, peak_wss = 0;
  for (std::size_t i = 0; i < wa.wss.size(); ++i) {
    worst_wss = std::max(worst_wss, (wa.wss[i] - wb.wss[i]).norm());
    peak_wss = std::max(peak_wss, wa.wss[i].norm());
  }
  std::printf("  WSS: worst difference %.3e of peak %.3e Pa\n", worst_wss, peak_wss);
  EXPECT_LT(worst_wss, 1e-6 * peak_wss);
}

// The stenotic jet of test_stenotic_jet (throat Re 1000, tau 0.5018, regularized + LES) on CUDA,
// both streaming schemes: stable, a jet, and what flows in flows out.
TEST(Backends, StenoticJetAtReynolds1000StableOnCuda) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  using namespace hemotwin::test;
  for (auto scheme : {StreamingScheme::TwoLattice, StreamingScheme::AaPattern}) {
    auto e = make_jet<float>(BackendKind::Cuda, CollisionModel::Regularized, true, scheme);
    const JetRun r = run_jet(*e);
    std::printf("jet on CUDA, %s: %s after %lld steps, peak speed %.4f, balance %.3f %%\n",
                to_string(scheme), r.finite ? "stable" : "DIVERGED", (long long)r.steps,
                r.max_speed, r.finite ? 100 * (r.outflow / r.inflow - 1) : 0.0);
    ASSERT_TRUE(r.finite) << to_string(scheme);
    EXPECT_GT(r.max_speed, 1.2 * jet_throat_mean());
    EXPECT_NEAR(r.outflow / r.inflow, 1.0, jet_balance_tolerance());
  }
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
