// Mass balance in a bifurcation: the carotid phantom's label map, cut open at its three ends
// (imaging::prepare_geometry), with a pulsatile Womersley inflow and resistance outlets on the
// internal and external carotid. Once periodic, the inflow averaged over a cycle equals the sum
// of the outflows within 0.5 %, on the CPU in single precision, with interpolated (Bouzidi) walls
// whose lost mass is put back (EngineOptions::conserve_wall_mass); the flow divides as the
// resistances (and the branches' own) say.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>

#include "hemotwin/core/simulation.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/phantom.hpp"

using namespace hemotwin;
using namespace hemotwin::imaging;
namespace fs = std::filesystem;

namespace {

const double kAngle = 25 * std::numbers::pi / 180;
const Vec3 kIca(std::sin(kAngle), std::cos(kAngle), 0),
    kEca(-std::sin(kAngle), std::cos(kAngle), 0);

struct Balance {
  double inflow = 0, outflow = 0, ica = 0;  // m^3/s, averaged over the last cycle
  double cycle_change = 0;  // relative change of the mean inflow from the cycle before
};

// Runs `cycles` periods and averages the iolets' flows over the last one (sampled every
// `every` steps; a period is a whole number of samples).
Balance run_bifurcation(Simulation& sim, int cycles, int steps_per_cycle, int every) {
  Balance b;
  double previous_in = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    double in = 0, out = 0, ica = 0;
    for (int s = 0; s < steps_per_cycle; s += every) {
      sim.advance(every);
      const Diagnostics d = sim.diagnostics();
      in += d.iolet_flow[0];
      out += d.iolet_flow[1] + d.iolet_flow[2];
      ica += d.iolet_flow[1];
    }
    const double n = double(steps_per_cycle / every);
    b = {in / n, out / n, ica / n, cycle > 0 ? std::abs(in / previous_in - 1) : 1.0};
    previous_in = in;
    std::printf("cycle %d: inflow %.5e, outflow %.5e m^3/s (%+.3f %%), internal share %.4f\n",
                cycle + 1, b.inflow, b.outflow, 100 * (b.outflow / b.inflow - 1),
                b.ica / b.outflow);
  }
  return b;
}

}  // namespace

TEST(BifurcationFlow, CycleAveragedInflowEqualsTheOutflowsWithinHalfAPercent) {
  const fs::path dir = fs::temp_directory_path() / "hemotwin-bifurcation-flow";
  fs::create_directories(dir);
  RenderOptions o;
  o.spacing = Vec3::Constant(0.3);
  write_labels(render(VesselModel::carotid_bifurcation(Vec3::Zero(), 0.0), o).labels,
               dir / "carotid.nrrd");

  Case c;
  c.source_file = (dir / "case.toml").string();
  c.backend = BackendKind::Cpu;
  c.geometry.shape = ShapeKind::LabelMap;
  c.geometry.file = "carotid.nrrd";
  c.geometry.cells_across = 12;  // dx = 0.5 mm
  const Vec3 fork(0, 30, 0);
  c.geometry.cut_points = {Vec3(0, 2, 0) * 1e-3, (fork + 37 * kIca) * 1e-3,
                           (fork + 37 * kEca) * 1e-3};
  c.geometry.cut_normals = {Vec3(0, -1, 0), kIca, kEca};
  c.geometry.extension = 1;
  // Lattice numbers: tau = 0.52, a mean inlet velocity of 0.016 (Re 38 on the mean), a period of
  // 3800 steps (Womersley number 2.8 in the common carotid).
  const double dx = 6e-3 / 12, dt = 1e-4;
  c.time.time_step = dt;
  c.blood.density = 1060;
  c.blood.viscosity = 1060 * (0.02 / 3) * dx * dx / dt;
  c.inlet.profile = InletProfile::Womersley;
  c.inlet.mean_velocity = 0.08;
  c.inlet.amplitude = 0.5;
  c.inlet.period = 3800 * dt;
  // Resistances in Murray's ratio (73 % internal), 1e8 Pa s/m^3 in parallel: the pressure pulse
  // stays within 1.5 % of rho c_s^2.
  OutletSpec ica, eca;
  ica.name = "opening2";
  eca.name = "opening3";
  ica.model = eca.model = OutletModel::Resistance;
  ica.resistance = 1e8 / 0.728;
  eca.resistance = 1e8 / 0.272;
  c.outlets = {ica, eca};
  const int cycles = 3;
  c.time.duration = cycles * c.inlet.period;

  const PreparedGeometry g = prepare_geometry(c);
  auto sim = Simulation::create(c, g.domain);
  ASSERT_NEAR(sim->units().dx(), dx, 0.01 * dx);
  std::printf("%lld fluid cells, tau %.4f\n", static_cast<long long>(sim->grid().fluid_cells),
              sim->units().tau());
  const Balance b = run_bifurcation(*sim, cycles, 3800, 10);
  EXPECT_LT(b.cycle_change, 0.002);  // periodic
  EXPECT_NEAR(b.outflow / b.inflow, 1.0, 0.005);
  // The inflow is the one asked for: the mean velocity times the inlet opening's area (the
  // sampled slab's area, sim->iolets()[0].area, is its staircase approximation).
  const double opening_area = g.openings[0].area * 1e-6;
  std::printf("inflow / (mean velocity x opening area) %.4f; slab area / opening area %.4f\n",
              b.inflow / (0.08 * opening_area), sim->iolets()[0].area / opening_area);
  EXPECT_NEAR(b.inflow / (0.08 * opening_area), 1.0, 0.01);
  // The flow divides as the resistances say: each branch's outlet resistance in series with its
  // Poiseuille resistance 8 mu L / (pi r^4) (L from the fork to the outlet plane, in the extension
  // one diameter past the cut: a third of the outlet's at this viscosity).
  const double mu = c.blood.viscosity;
  const auto poiseuille = [&](double r_mm, double length_mm) {
    return 8 * mu * length_mm * 1e-3 / (std::numbers::pi * std::pow(r_mm * 1e-3, 4));
  };
  const double r_ica = ica.resistance + poiseuille(2.5, 37 + 5.0),
               r_eca = eca.resistance + poiseuille(1.8, 37 + 3.6);
  const double expected_share = (1 / r_ica) / (1 / r_ica + 1 / r_eca);
  std::printf("internal share %.4f, expected %.4f\n", b.ica / b.outflow, expected_share);
  EXPECT_NEAR(b.ica / b.outflow, expected_share, 0.01);
  fs::remove_all(dir);
}

// The outlets' Windkessels from the whole outflow's resistance and compliance (outlet.
// total_resistance_pa_s_m3): split by Murray's law, each outlet's R1 + R2 is R_total over its
// share r^3 / sum r^3 and its C the total's share. Steady inflow; once the compliances have
// charged, the flow divides as those resistances (in series with each branch's own) say, and
// the set-up says how it split.
TEST(BifurcationFlow, WindkesselSplitByMurraysLaw) {
  const fs::path dir = fs::temp_directory_path() / "hemotwin-bifurcation-murray";
  fs::create_directories(dir);
  RenderOptions o;
  o.spacing = Vec3::Constant(0.3);
  write_labels(render(VesselModel::carotid_bifurcation(Vec3::Zero(), 0.0), o).labels,
               dir / "carotid.nrrd");
  Case c;
  c.source_file = (dir / "case.toml").string();
  c.backend = BackendKind::Cpu;
  c.geometry.shape = ShapeKind::LabelMap;
  c.geometry.file = "carotid.nrrd";
  c.geometry.cells_across = 12;
  const Vec3 fork(0, 30, 0);
  c.geometry.cut_points = {Vec3(0, 2, 0) * 1e-3, (fork + 37 * kIca) * 1e-3,
                           (fork + 37 * kEca) * 1e-3};
  c.geometry.cut_normals = {Vec3(0, -1, 0), kIca, kEca};
  c.geometry.extension = 1;
  const double dx = 6e-3 / 12, dt = 1e-4;
  c.time.time_step = dt;
  c.blood.viscosity = 1060 * (0.02 / 3) * dx * dx / dt;
  c.inlet.mean_velocity = 0.08;
  c.inlet.ramp = 0.02;
  c.outlet.model = OutletModel::Windkessel;
  c.outlet.total_resistance = 1e8;
  c.outlet.total_compliance = 1e-12;  // R2 C ~ 0.1 s: charged within the run
  c.time.duration = 0.35;
  const PreparedGeometry g = prepare_geometry(c);
  auto sim = Simulation::create(c, g.domain);
  ASSERT_EQ(sim->iolets().size(), 3u);
  std::string split;
  for (const auto& n : sim->notes()) {
    std::printf("note: %s\n", n.c_str());
    if (n.find("Windkessels split") != std::string::npos) split = n;
  }
  ASSERT_FALSE(split.empty());
  const double r2 = g.openings[1].radius, r3 = g.openings[2].radius;  // mm
  const double share = std::pow(r2, 3) / (std::pow(r2, 3) + std::pow(r3, 3));
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.3g %%", 100 * share);
  EXPECT_NE(split.find(percent), std::string::npos) << percent;
  sim->advance(sim->total_steps() - 200);
  double in = 0, out2 = 0, out3 = 0;
  for (int s = 0; s < 20; ++s) {
    sim->advance(10);
    const Diagnostics d = sim->diagnostics();
    in += d.iolet_flow[0];
    out2 += d.iolet_flow[1];
    out3 += d.iolet_flow[2];
  }
  const double mu = c.blood.viscosity;
  const auto poiseuille = [&](double r_mm, double length_mm) {
    return 8 * mu * length_mm * 1e-3 / (std::numbers::pi * std::pow(r_mm * 1e-3, 4));
  };
  const double r_a = 1e8 / share + poiseuille(r2, 37 + 2 * r2),
               r_b = 1e8 / (1 - share) + poiseuille(r3, 37 + 2 * r3);
  const double expected = (1 / r_a) / (1 / r_a + 1 / r_b);
  std::printf(
      "Murray share %.4f; with the branches' own resistance %.4f; measured %.4f "
      "(outflow / inflow %.4f)\n",
      share, expected, out2 / (out2 + out3), (out2 + out3) / in);
  EXPECT_NEAR(out2 / (out2 + out3), expected, 0.01);
  EXPECT_NEAR((out2 + out3) / in, 1.0, 0.01);
  fs::remove_all(dir);
}
