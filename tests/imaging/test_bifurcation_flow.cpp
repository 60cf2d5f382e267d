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
  // The inflow is the one asked for: the mean velocity times the inlet's area.
  EXPECT_NEAR(b.inflow / (0.08 * sim->iolets()[0].area), 1.0, 0.02);
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
