// Walls from anisotropic scans (imaging::wall_from_scan, wall_from_mask): a straight artery of
// radius 2 mm running at 40 degrees through CT slices three times thicker than its pixels (0.3 x
// 0.3 x 0.9 mm). The wall taken from the blurred mask, as before issue 17, keeps the slices as
// terraces; the grey-level wall and the shape-based one must lie on the true cylinder to 0.1 mm,
// and the wall shear stress of a steady flow through the segmented vessel must be uniform along a
// straight stretch (coefficient of variation 5 %, 6 % from the noisy scan's grey levels; 35 % on
// the terraces). Old and new walls are measured and printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>

#include "hemotwin/core/simulation.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/phantom.hpp"
#include "hemotwin/imaging/segment.hpp"
#include "hemotwin/imaging/wall.hpp"

using namespace hemotwin;
using namespace hemotwin::imaging;
namespace fs = std::filesystem;

namespace {

const double kR = 2.0, kLength = 36, kTilt = 40 * std::numbers::pi / 180;
const Vec3 kAxis(std::sin(kTilt), 0, std::cos(kTilt));

Phantom anisotropic_phantom() {
  RenderOptions o;
  o.spacing = Vec3(0.3, 0.3, 0.9);
  o.noise_sigma = 10;
  o.margin = 3;
  return render(VesselModel::straight(Vec3::Zero(), kLength * kAxis, kR), o);
}

struct Fit {
  double mean = 0, p95 = 0, max = 0, bias = 0;
  std::size_t points = 0;
};

// |distance to the axis - R| of the wall's vertices along the middle of the vessel (away from
// its round ends).
Fit against_cylinder(const TriangleMesh& wall) {
  std::vector<double> d;
  for (const Vec3& p : wall.points) {
    const double s = p.dot(kAxis);
    if (s < 8 || s > kLength - 8) continue;
    d.push_back((p - s * kAxis).norm() - kR);
  }
  Fit f;
  for (double& v : d) {
    f.bias += v / double(d.size());
    v = std::abs(v);
  }
  f.points = d.size();
  if (d.empty()) return f;
  for (double v : d) f.mean += v / double(d.size());
  std::sort(d.begin(), d.end());
  f.p95 = d[std::size_t(0.95 * double(d.size() - 1))];
  f.max = d.back();
  return f;
}

void print(const char* what, const Fit& f) {
  std::printf(
      "%-34s %6zu vertices: |r - R| mean %.3f mm, 95th percentile %.3f, max %.3f; r - R mean "
      "%+.3f\n",
      what, f.points, f.mean, f.p95, f.max, f.bias);
}

}  // namespace

TEST(SmoothWall, AnisotropicScanGivesTheCylinderNotItsSlices) {
  const Phantom ph = anisotropic_phantom();
  ThresholdOptions t;
  t.seeds = {0.5 * kLength * kAxis};
  const Segmentation s = threshold_connected(ph.image, t);
  const Fit blurred = against_cylinder(lumen_surface(s.labels, 0, 0.15));  // the former default
  double level = 0;
  const Fit grey = against_cylinder(wall_from_scan(ph.image, s.labels, true, 5, {}, &level));
  std::printf("segmentation threshold %.1f HU; the wall's half-maximum level %.1f HU\n", s.lower,
              level);
  const Fit shape = against_cylinder(wall_from_mask(s.labels));
  const Fit exact = against_cylinder(wall_from_mask(ph.labels));
  print("blurred mask (before issue 17)", blurred);
  print("grey levels (scan)", grey);
  print("shape-based (segmented mask)", shape);
  print("shape-based (exact label map)", exact);
  // The scan's wall and an exact label map's lie on the cylinder within 0.1 mm (95 % of the
  // vertices). The grey-level wall sits 0.05 mm inside: a Gaussian blur of sigma moves the
  // half-maximum edge of a cylinder inwards by about sigma^2 / 2R (0.06 mm for the phantom's 0.5
  // mm point spread). The segmented mask adds its threshold's error (above half maximum here).
  for (const Fit* f : {&grey, &exact}) {
    EXPECT_GT(f->points, 1000u);
    EXPECT_LT(f->mean, 0.06);
    EXPECT_LT(f->p95, 0.1);
  }
  EXPECT_LT(shape.p95, 0.2);
  // The terraces: the former wall strays by more than half a slice's step somewhere.
  EXPECT_GT(blurred.max, 2 * grey.max);
}

TEST(SmoothWall, WallShearStressAlongAStraightStretchIsUniform) {
  const fs::path dir = fs::temp_directory_path() / "hemotwin-smooth-wall";
  fs::create_directories(dir);
  const Phantom ph = anisotropic_phantom();
  write_image(ph.image, dir / "scan.nii.gz");
  write_labels(ph.labels, dir / "labels.nrrd");
  Case c;
  c.source_file = (dir / "case.toml").string();
  c.backend = BackendKind::Cpu;
  c.geometry.shape = ShapeKind::Scan;
  c.geometry.file = "scan.nii.gz";
  c.geometry.seeds = {0.5 * kLength * kAxis * 1e-3};
  // The region of interest cuts the vessel across z, 5 mm in from its round ends.
  c.geometry.has_roi = true;
  c.geometry.roi_min = Vec3(-10, -10, 5 * std::cos(kTilt)) * 1e-3;
  c.geometry.roi_max = Vec3(40, 10, (kLength - 5) * std::cos(kTilt)) * 1e-3;
  c.geometry.cells_across = 16;
  c.geometry.extension = 1;
  // Lattice numbers: dx ~ 0.25 mm, tau 0.6, a mean velocity across the vessel of 0.027 (peak
  // Mach 0.09). The lattice's compressibility makes the velocity, and the wall shear stress, grow
  // along the vessel as the density falls with the pressure: 3 x the drop, 1 % over the stretch
  // measured at tau 0.6 (it was 3 % at tau 0.8).
  const double dx = 0.25e-3, dt = 7.5e-5;
  c.time.time_step = dt;
  c.blood.viscosity = 1060 * (0.1 / 3) * dx * dx / dt;
  c.inlet.mean_velocity = 0.07;  // over the oblique opening: 0.09 m/s across the vessel
  c.time.duration = 9000 * dt;
  c.output.check_every = 500;
  double cov[3] = {0, 0, 0};
  for (int old = 0; old < 3; ++old) {
    c.geometry.smoothing = old == 1 ? 0.15e-3 : 0.0;  // the former default: half a pixel
    if (old == 2) {  // the exact label map, by shape-based interpolation, cut where the ROI cut
      c.geometry.shape = ShapeKind::LabelMap;
      c.geometry.file = "labels.nrrd";
      c.geometry.cut_points = {5 * kAxis * 1e-3, (kLength - 5) * kAxis * 1e-3};
      c.geometry.cut_normals = {Vec3(0, 0, -1), Vec3(0, 0, 1)};
    }
    const PreparedGeometry g = prepare_geometry(c);
    auto sim = Simulation::create(c, g.domain);
    sim->advance(sim->total_steps());
    const WallShearField w = sim->wall_shear();
    std::vector<double> tawss;
    for (std::size_t k = 0; k < w.point.size(); ++k) {
      const Vec3 p = w.point[k] * 1e3;
      const double s = p.dot(kAxis);
      if (s < 14 || s > kLength - 14) continue;  // the middle, two diameters from the openings
      tawss.push_back(w.wss[k].norm());
    }
    ASSERT_GT(tawss.size(), 200u);
    double mean = 0, var = 0;
    for (double v : tawss) mean += v / double(tawss.size());
    for (double v : tawss) var += (v - mean) * (v - mean) / double(tawss.size());
    cov[old] = std::sqrt(var) / mean;
    // Poiseuille's wall shear stress for the inflow, 4 mu Q / (pi R^3).
    const double q = 0.07 * std::numbers::pi * std::pow(g.openings[0].radius * 1e-3, 2);
    const double expected = 4 * c.blood.viscosity * q / (std::numbers::pi * std::pow(kR * 1e-3, 3));
    std::printf(
        "%s: %zu wall points, WSS mean %.3f Pa (Poiseuille %.3f), coefficient of "
        "variation %.2f %%\n",
        old == 1 ? "blurred-mask wall (before)"
                 : (old == 2 ? "exact label map's wall" : "grey-level wall"),
        tawss.size(), mean, expected, 100 * cov[old]);
    if (old != 1) EXPECT_NEAR(mean / expected, 1.0, 0.1);
  }
  // The label map's wall is uniform within 5 % and the scan's within 6 % (the lattice's own
  // scatter on an exact 256-sided tube at this resolution and tilt is 3.5 %; the rest is what the
  // scan's noise leaves of the wall); the terraced wall was 35 %.
  EXPECT_LT(cov[0], 0.06);
  EXPECT_LT(cov[2], 0.05);
  EXPECT_GT(cov[1], 4 * cov[0]);
  fs::remove_all(dir);
}
