// A case's geometry from files (imaging::prepare_geometry): a label map whose vessel ends inside
// the scan, cut open by planes the user gives; the openings, their roles and the lattice; errors
// placed at the case's keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/simulation.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/phantom.hpp"

using namespace hemotwin;
using namespace hemotwin::imaging;
namespace fs = std::filesystem;

namespace {

// A folder of this test's own (ctest runs tests side by side).
fs::path folder() {
  return fs::temp_directory_path() /
         (std::string("hemotwin-case-geometry-") +
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

// The carotid phantom's exact label map (its three vessels end in round caps inside the grid).
void write_carotid_labels() {
  fs::create_directories(folder());
  RenderOptions o;
  o.spacing = Vec3::Constant(0.3);
  write_labels(render(VesselModel::carotid_bifurcation(Vec3::Zero(), 0.5), o).labels,
               folder() / "carotid.nrrd");
}

const double kAngle = 25 * std::numbers::pi / 180;
const Vec3 kIca(std::sin(kAngle), std::cos(kAngle), 0),
    kEca(-std::sin(kAngle), std::cos(kAngle), 0);

Case carotid_case() {
  Case c;
  c.source_file = (folder() / "case.toml").string();
  c.geometry.shape = ShapeKind::LabelMap;
  c.geometry.file = "carotid.nrrd";  // relative to the case file's folder
  c.geometry.cells_across = 12;
  // The common carotid 3 mm above its start; each branch 30 mm past the fork, across its axis.
  const Vec3 fork(0, 30, 0);
  c.geometry.cut_points = {Vec3(0.5, 3, 0) * 1e-3, (fork + 30 * kIca) * 1e-3,
                           (fork + 30 * kEca) * 1e-3};
  c.geometry.cut_normals = {Vec3(0, -1, 0), kIca, kEca};
  c.inlet.mean_velocity = 0.01;
  c.time.duration = 0.01;
  return c;
}

std::string message_of(const Case& c) {
  try {
    prepare_geometry(c);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(CaseGeometry, LabelMapCutWhereTheUserSays) {
  write_carotid_labels();
  const Case c = carotid_case();
  const PreparedGeometry g = prepare_geometry(c);
  ASSERT_EQ(g.openings.size(), 3u);
  // Largest first: common carotid (r 3), internal (2.5), external (1.8) carotid; each cut across
  // its vessel, so the section is a circle.
  const double radius[3] = {3.0, 2.5, 1.8};
  const Vec3 normal[3] = {Vec3(0, -1, 0), kIca, kEca};
  for (int i = 0; i < 3; ++i) {
    const auto& o = g.openings[std::size_t(i)];
    std::printf("%s: %s, area %.2f mm^2, radius %.3f (model %.1f), planarity %.1e mm\n",
                o.name.c_str(), o.kind == IoletKind::VelocityInlet ? "inlet" : "outlet", o.area,
                o.radius, radius[i], o.planarity);
    EXPECT_NEAR(o.radius, radius[i], 0.15);  // half a voxel
    EXPECT_LT((o.normal - normal[i]).norm(), 1e-6);
    EXPECT_LT(o.planarity, 1e-6);
  }
  EXPECT_EQ(g.openings[0].kind, IoletKind::VelocityInlet);
  EXPECT_EQ(g.openings[2].kind, IoletKind::PressureOutlet);
  EXPECT_NEAR(g.spacing_mm, 2 * g.openings[0].radius / 12, 1e-12);
  ASSERT_EQ(g.domain.iolets.size(), 3u);

  // It runs: inflow at the common carotid leaves through both branches.
  auto sim = Simulation::create(c, g.domain);
  sim->advance(600);
  const auto d = sim->diagnostics();
  std::printf("flows after 600 steps: %.3e in, %.3e + %.3e out (m^3/s)\n", d.iolet_flow[0],
              d.iolet_flow[1], d.iolet_flow[2]);
  EXPECT_GT(d.iolet_flow[0], 0);
  EXPECT_GT(d.iolet_flow[1], 0);
  EXPECT_GT(d.iolet_flow[2], 0);
}

TEST(CaseGeometry, ASegmentationThatFallsApartIsRefused) {
  // Two arteries side by side that never meet, a seed in each: one lumen cannot hold both.
  VesselModel two = VesselModel::straight(Vec3(0, 0, 0), Vec3(20, 0, 0), 2.0);
  two.add_tube({{Vec3(0, 8, 0), Vec3(20, 8, 0)}, {2.0, 2.0}});
  RenderOptions o;
  o.spacing = Vec3::Constant(0.4);
  fs::create_directories(folder());
  write_image(render(two, o).image, folder() / "two.nii.gz");
  Case c;
  c.source_file = (folder() / "case.toml").string();
  c.geometry.shape = ShapeKind::Scan;
  c.geometry.file = "two.nii.gz";
  c.geometry.seeds = {Vec3(5, 0, 0) * 1e-3, Vec3(5, 8, 0) * 1e-3};
  const std::string msg = message_of(c);
  // The two pieces are the same size: either seed may be the one left out.
  EXPECT_NE(msg.find("key 'geometry.segmentation': the segmentation falls apart: seed(s) "),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("lie in a piece that does not meet the largest one"), std::string::npos)
      << msg;
}

TEST(CaseGeometry, ErrorsNameTheKey) {
  write_carotid_labels();
  Case c = carotid_case();
  c.geometry.cut_points[1] = Vec3(0.02, 0.05, 0.0);  // 20 mm off: outside every vessel
  std::string msg = message_of(c);
  EXPECT_NE(msg.find("key 'geometry.cut_points_mm': cut 2: the plane through (20.00, 50.00, "
                     "0.00)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("cuts no closed cross-section"), std::string::npos) << msg;

  c = carotid_case();
  c.geometry.inlets = {"opening9"};
  msg = message_of(c);
  EXPECT_NE(msg.find("key 'geometry.inlets': 'opening9' is not an opening of this geometry; its "
                     "openings are: opening1 (area"),
            std::string::npos)
      << msg;

  c = carotid_case();
  c.geometry.cut_points.clear();
  c.geometry.cut_normals.clear();
  msg = message_of(c);  // the phantom's vessels end inside the grid: nothing is open
  EXPECT_NE(msg.find("the geometry is closed"), std::string::npos) << msg;

  c = carotid_case();
  c.geometry.spacing = 1.5e-3;  // the external carotid (3.6 mm) is under 3 cells across
  msg = message_of(c);
  EXPECT_NE(msg.find("key 'geometry.file': opening3 at ("), std::string::npos) << msg;
  EXPECT_NE(msg.find("under 3 lattice cells"), std::string::npos) << msg;
  EXPECT_NE(msg.find("if it is a hole in the surface, repair it"), std::string::npos) << msg;

  c = carotid_case();
  c.geometry.file = "missing.nrrd";
  msg = message_of(c);
  EXPECT_NE(msg.find("missing.nrrd"), std::string::npos) << msg;
  EXPECT_NE(msg.find("geometry.file"), std::string::npos) << msg;
}

// A surface written in metres (as other codes write them) is read with geometry.file_unit =
// "m" into the same openings as in mm; read as mm, it is refused naming that key.
TEST(CaseGeometry, SurfaceInMetres) {
  write_carotid_labels();
  Case c = carotid_case();
  const PreparedGeometry mm = prepare_geometry(c);  // cut open: three openings, in mm
  TriangleMesh metres = mm.wall;
  for (auto& p : metres.points) p *= 1e-3;
  write_surface(metres, folder() / "carotid_m.stl");
  Case s = carotid_case();
  s.geometry.shape = ShapeKind::Surface;
  s.geometry.file = "carotid_m.stl";
  s.geometry.cut_points.clear();
  s.geometry.cut_normals.clear();
  std::string msg = message_of(s);
  EXPECT_NE(msg.find("key 'geometry.file_unit'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("metres"), std::string::npos) << msg;
  s.geometry.file_unit = 1000;
  const PreparedGeometry m = prepare_geometry(s);
  ASSERT_EQ(m.openings.size(), mm.openings.size());
  for (std::size_t k = 0; k < m.openings.size(); ++k) {
    EXPECT_NEAR(m.openings[k].radius, mm.openings[k].radius, 1e-6 * mm.openings[k].radius) << k;
    EXPECT_LT((m.openings[k].centre - mm.openings[k].centre).norm(), 1e-6);
  }
  EXPECT_NEAR(m.spacing_mm, mm.spacing_mm, 1e-6 * mm.spacing_mm);  // STL stores floats
  fs::remove_all(folder());
}

// The expected peak velocity of a file geometry comes from its centerlines: the carotid phantom
// with a 60 % stenosis of its internal carotid 10 mm past the fork (radius 2.5 -> 1.0 mm). The
// narrowest stretch of the path to that outlet is the throat, carrying that outlet's flow; the
// time step is set by the parabolic peak there, and the set-up says so.
TEST(CaseGeometry, PeakVelocityExpectedInTheStenosisThroat) {
  fs::create_directories(folder());
  RenderOptions o;
  o.spacing = Vec3::Constant(0.25);
  write_labels(render(VesselModel::carotid_bifurcation(Vec3::Zero(), 0.6), o).labels,
               folder() / "carotid.nrrd");
  Case c = carotid_case();
  c.geometry.cells_across = 24;  // dx 0.25 mm: the throat 8 cells across
  const PreparedGeometry g = prepare_geometry(c);
  ASSERT_EQ(g.openings.size(), 3u);
  const Vec3 throat = (Vec3(0, 30, 0) + 10 * kIca) * 1e-3;
  const Constriction* at_throat = nullptr;
  for (const auto& x : g.domain.constrictions) {
    std::printf("constriction on %s at (%.2f, %.2f, %.2f) mm: radius %.3f mm, carries",
                x.path.c_str(), x.point.x() * 1e3, x.point.y() * 1e3, x.point.z() * 1e3,
                x.radius * 1e3);
    for (const auto& n : x.outlets) std::printf(" %s", n.c_str());
    std::printf("\n");
    if (x.outlets == std::vector<std::string>{"opening2"}) at_throat = &x;
  }
  ASSERT_NE(at_throat, nullptr) << "no constriction on the internal carotid alone";
  EXPECT_NEAR(at_throat->radius * 1e3, 1.0, 0.1);
  EXPECT_LT((at_throat->point - throat).norm() * 1e3, 1.5);
  // The common carotid carries both outlets: its narrowest stretch is near its own radius.
  const auto both = std::find_if(
      g.domain.constrictions.begin(), g.domain.constrictions.end(), [](const Constriction& x) {
        return x.outlets == std::vector<std::string>{"opening2", "opening3"};
      });
  ASSERT_NE(both, g.domain.constrictions.end());
  EXPECT_NEAR(both->radius * 1e3, 3.0, 0.3);

  c.inlet.mean_velocity = 0.2;
  c.blood.viscosity = 0.05;  // 14 times blood's: a relaxation time TRT accepts at the throat's step
  auto sim = Simulation::create(c, g.domain);
  const std::string& note = sim->notes().at(0);
  std::printf("%s\n", note.c_str());
  EXPECT_NE(note.find("narrowest section"), std::string::npos) << note;
  EXPECT_NE(note.find("opening1 -> opening2"), std::string::npos) << note;
  // Murray's share of the internal carotid, 2.5^3 / (2.5^3 + 1.8^3), of the inflow through the
  // throat, parabolic: the Mach number 0.1 of that speed sets the time step.
  const double r2 = g.openings[1].radius, r3 = g.openings[2].radius;
  const double share = std::pow(r2, 3) / (std::pow(r2, 3) + std::pow(r3, 3));
  const double inflow = 0.2 * std::numbers::pi * std::pow(g.openings[0].radius * 1e-3, 2);
  const double peak = 2 * inflow * share / (std::numbers::pi * std::pow(at_throat->radius, 2));
  EXPECT_NEAR(sim->units().dt(), Units::time_step_for_mach(sim->units().dx(), peak, 0.1),
              1e-6 * sim->units().dt());
  fs::remove_all(folder());
}
