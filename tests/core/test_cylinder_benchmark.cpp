// The Schaefer-Turek benchmark 3D-1Z (Schaefer & Turek 1996; DFG benchmark "flow around a
// cylinder"): a square channel 0.41 m across with a cylinder of diameter D = 0.1 m spanning it,
// its axis 0.5 m downstream of the inlet and 0.2 m from one wall; the inflow
// U(y, z) = 16 U_m y z (H - y) (H - z) / H^4 with U_m = 0.45 m/s, nu = 1e-3 m^2/s: Re = U_mean D /
// nu = 20 (U_mean = 4/9 U_m), a steady flow. The drag coefficient c_D = 2 F_D / (rho U_mean^2 D H)
// must fall within the benchmark's bounds, read from ../shared/data/validation/
// schafer_turek_1996_cylinder.csv (6.05 to 6.25; FEATFLOW's reference 6.18533), with the force by
// momentum exchange on the cylinder's interpolated (Bouzidi) wall links (Engine::wall_force).
//
// The lattice: D = 10 cells (H = 41), the duct's analytic profile at the inlet
// (IoletPlane::profile), TRT, float. The channel is cut to 10 D behind the cylinder (the
// benchmark's is 20 D; at Re 20 the wake has closed within 1.5 D).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/shapes.hpp"

using namespace hemotwin;
namespace fs = std::filesystem;

namespace {

struct Bounds {
  double lower = 0, upper = 0, reference = 0;
};

// The 3D-1Z row for `quantity` from the shared validation table.
Bounds benchmark_bounds(const fs::path& csv, const std::string& quantity) {
  std::ifstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream row(line);
    std::string cell[5];
    for (auto& c : cell) std::getline(row, c, ',');
    if (cell[0] == "3D-1Z" && cell[1] == quantity)
      return {std::stod(cell[2]), std::stod(cell[3]), std::stod(cell[4])};
  }
  return {};
}

}  // namespace

TEST(SchaeferTurek, Cylinder3D1ZDragWithinTheBenchmarkBounds) {
  const fs::path csv =
      fs::path(HEMOTWIN_SHARED_DATA_DIR) / "validation" / "schafer_turek_1996_cylinder.csv";
  if (!fs::exists(csv))
    GTEST_SKIP() << "real data not found: " << csv.string()
                 << " (../shared/data is absent on this machine; this test needs it)";
  const Bounds cd = benchmark_bounds(csv, "cD");
  ASSERT_GT(cd.upper, cd.lower) << "no 3D-1Z cD row in " << csv;

  // Lattice units: dx = 1, rho = 1. The benchmark's lengths in units of D.
  const double D = 10, H = 4.1 * D, x0 = 0.3;  // x0: the inlet plane
  const double xc = x0 + 5 * D, yc = 2.0 * D, length = 15 * D;
  const double Um = 0.05, U = 4.0 / 9.0 * Um, nu = U * D / 20.0;
  auto duct = std::make_shared<BoxShape>(Vec3(x0 - 3, 0, 0), Vec3(x0 + length + 3, H, H));
  auto shape = std::make_shared<CylinderObstacle>(duct, Vec3(xc, yc, 0), Vec3(0, 0, 1), D / 2);
  DomainSpec spec = DomainSpec::around(shape, 1.0);
  const auto profile = [H](const Vec3& p) {
    return 16 * p.y() * p.z() * (H - p.y()) * (H - p.z()) / std::pow(H, 4);
  };
  const double r_eff = H / std::sqrt(std::numbers::pi);  // the area H^2 as a circle's
  IoletPlane in{"inlet0", IoletKind::VelocityInlet, Vec3(x0, H / 2, H / 2), Vec3(-1, 0, 0), true,
                r_eff};
  in.circular = false;
  in.profile = profile;
  IoletPlane out{
      "outlet0", IoletKind::PressureOutlet, Vec3(x0 + length, H / 2, H / 2), Vec3(1, 0, 0), false,
      r_eff};
  out.circular = false;
  spec.iolets = {in, out};
  Engine<float, D3Q19> e(
      spec, {BackendKind::Cpu, CollisionModel::Trt, 3 * nu + 0.5, 3.0 / 16, WallMethod::Bouzidi});
  e.set_iolet_values({U, 1.0});
  // Start from the duct's flow (the cylinder's cells are solid).
  const auto& lat = e.lattice();
  const std::int64_t stored = std::int64_t(lat.brick_count()) * kernels::B3;
  std::vector<double> u(3 * std::size_t(stored), 0.0);
  for (std::int64_t c = 0; c < stored; ++c)
    if (lat.is_fluid(c)) u[3 * std::size_t(c)] = Um * profile(lat.position(c));
  e.initialise({}, u);

  const auto on_cylinder = [&](const Vec3& p) { return shape->on_obstacle(p, 1e-6 * D); };
  // c_D and c_L with the mean velocity the inlet delivers: its links carry 0.17 % more than U H^2
  // here (the Bouzidi part of the links the inlet plane cuts), which c_D would otherwise count
  // twice (measured at U: 6.2428).
  double scale = 2.0 / (U * U * D * H);
  // Steady once the drag has changed by less than 1e-4 of itself over four chunks in a row (the
  // start-up's pressure waves die away slowly between inlet and outlet).
  double drag = 0, previous = 0, lift = 0;
  std::int64_t steps = 0;
  const int chunk = 500;
  for (int quiet = 0; steps < 60000 && quiet < 4;) {
    e.run(chunk);
    steps += chunk;
    const double delivered = e.diagnostics().iolet_flow[0] / (H * H);
    scale = 2.0 / (delivered * delivered * D * H);
    const Vec3 f = e.wall_force(on_cylinder);
    drag = scale * f.x();
    lift = scale * f.y();
    quiet = std::abs(drag - previous) < 1e-4 * std::abs(drag) ? quiet + 1 : 0;
    previous = drag;
  }
  const auto d = e.diagnostics();
  ASSERT_EQ(d.bad_cell, -1);
  std::printf(
      "Schaefer-Turek 3D-1Z, D = %g cells, tau %.4f, %lld fluid cells: c_D = %.4f (bounds %.2f to "
      "%.2f, reference %.5f), c_L = %.4f, after %lld steps; inflow %.5e (U H^2 = %.5e)\n",
      D, 3 * nu + 0.5, static_cast<long long>(lat.fluid_cells()), drag, cd.lower, cd.upper,
      cd.reference, lift, static_cast<long long>(steps), d.iolet_flow[0], U * H * H);
  EXPECT_GE(drag, cd.lower);
  EXPECT_LE(drag, cd.upper);
  // Measured: 6.2219 at D = 10 (and, normalised by U, 6.2428; 6.2465 at D = 12; 6.2390 with the
  // benchmark's full 20 D behind the cylinder; 6.2444 at half the Mach number): 0.6 % above
  // FEATFLOW's reference. c_L (0.0132) lies outside its bounds (0.008 to 0.010) at this
  // resolution and is not checked: a lift of 0.2 % of the drag needs a much finer lattice.
  // The inlet delivers U_mean H^2 (its links, scaled for those the walls cut off).
  EXPECT_NEAR(d.iolet_flow[0] / (U * H * H), 1.0, 0.015);
}
