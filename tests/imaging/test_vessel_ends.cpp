// Openings from the centerlines: a carotid whose branches leave the field of view at 25 degrees to
// its faces gets cuts across each vessel, perpendicular to its own axis, not along the faces.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/phantom.hpp"
#include "hemotwin/imaging/segment.hpp"
#include "hemotwin/imaging/vessel_ends.hpp"

using namespace hemotwin;
using namespace hemotwin::imaging;

namespace {

const double kAngle = 25 * std::numbers::pi / 180;

double degrees(const Vec3& a, const Vec3& b) {
  return std::acos(std::clamp(a.normalized().dot(b.normalized()), -1.0, 1.0)) * 180 /
         std::numbers::pi;
}

}  // namespace

TEST(VesselEnds, CutsAcrossEachVesselWhereItLeavesTheScanObliquely) {
  // The carotid phantom on a field of view its branches leave through the face y = 62 mm at 25
  // degrees (the common carotid leaves y = 2 mm straight), segmented from a seed.
  RenderOptions o;
  o.grid.size = {121, 151, 31};
  o.grid.spacing = Vec3::Constant(0.4);
  o.grid.origin = Vec3(-24, 2, -6);
  const Phantom ph = render(VesselModel::carotid_bifurcation(Vec3(0, 0, 0), 0.5), o);
  ThresholdOptions t;
  t.seeds = {Vec3(0, 5, 0)};
  const LabelMap lumen = threshold_connected(ph.image, t).labels;

  const auto ends = vessel_ends(lumen);
  ASSERT_EQ(ends.size(), 3u);
  const auto cuts = open_vessels(lumen, {.radii_in = 2.0}).cuts;
  ASSERT_EQ(cuts.size(), 3u);
  // The vessels' axes: the common carotid along -y out of its end, the branches along
  // (+-sin 25, cos 25, 0) out of theirs.
  const Vec3 axis[3] = {Vec3(0, -1, 0), Vec3(std::sin(kAngle), std::cos(kAngle), 0),
                        Vec3(-std::sin(kAngle), std::cos(kAngle), 0)};
  const double radius[3] = {3.0, 2.5, 1.8};
  TriangleMesh wall = lumen_surface(lumen);
  for (const auto& c : cuts) {
    // Which vessel: the axis the end's offset from the bifurcation runs along.
    int v = c.end.centre.y() < 30 ? 0 : (c.end.centre.x() > 0 ? 1 : 2);
    const double off = degrees(c.normal, axis[v]),
                 face = degrees(Vec3(0, c.end.upper ? 1 : -1, 0), axis[v]);
    std::printf(
        "end at (%.1f, %.1f, %.1f) mm (section %.1f mm^2): cut at (%.2f, %.2f, %.2f) mm, "
        "radius %.2f mm, normal %.1f deg off the vessel's axis (the face: %.1f deg)\n",
        c.end.centre.x(), c.end.centre.y(), c.end.centre.z(), c.end.area, c.point.x(), c.point.y(),
        c.point.z(), c.radius, off, face);
    EXPECT_LT(off, 10.0);
    // The centerline's radius (the inscribed ball, less half a voxel) runs a voxel under the
    // model's at most; the openings' areas below are the sharper check.
    EXPECT_NEAR(c.radius, radius[v], 0.4 + 0.1);
    // Two radii in from where it leaves.
    const double in = v == 0 ? c.point.y() - 2 : (62 - c.point.y()) / std::cos(kAngle);
    EXPECT_NEAR(in, 2 * radius[v], 1.5) << v;
    wall = cut_surface(wall, c.point, c.normal);
  }
  // Cut there, the wall's openings lie across the vessels: their normals within 10 degrees of
  // the axes, their areas the vessels' circles (not the faces' ellipses).
  const auto open = find_openings(wall);
  ASSERT_EQ(open.size(), 3u);
  for (const auto& op : open) {
    int v = op.centre.y() < 30 ? 0 : (op.centre.x() > 0 ? 1 : 2);
    std::printf("%s: normal %.1f deg off the axis, area %.2f mm^2 (circle %.2f)\n", op.name.c_str(),
                degrees(op.normal, axis[v]), op.area, std::numbers::pi * radius[v] * radius[v]);
    EXPECT_LT(degrees(op.normal, axis[v]), 10.0);
    EXPECT_NEAR(op.area / (std::numbers::pi * radius[v] * radius[v]), 1.0, 0.2);
  }
}

TEST(VesselEnds, ALumenInsideItsGridOrABranchTooShortIsRefused) {
  RenderOptions o;
  o.spacing = Vec3::Constant(0.5);
  const Phantom ph = render(VesselModel::carotid_bifurcation(Vec3(0, 0, 0), 0.0), o);
  try {  // the default grid holds the whole phantom with a margin: no ends
    (void)open_vessels(ph.labels);
    FAIL() << "a lumen inside its grid was given cuts";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cut_points_mm"), std::string::npos) << e.what();
  }
  RenderOptions near;
  near.grid.size = {121, 151, 31};
  near.grid.spacing = Vec3::Constant(0.4);
  near.grid.origin = Vec3(-24, 2, -6);
  const Phantom cut = render(VesselModel::carotid_bifurcation(Vec3(0, 0, 0), 0.0), near);
  try {  // 20 radii in from each end reaches past the bifurcation
    (void)open_vessels(cut.labels, {.radii_in = 20});
    FAIL() << "a cut beyond the middle of a branch was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("too short to trim"), std::string::npos) << e.what();
  }
  try {  // every branch thinner than 3.5 mm: no outlet would be left
    (void)open_vessels(cut.labels, {.radii_in = 2, .min_radius = 3.5});
    FAIL() << "dropping every branch was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("at least one outlet"), std::string::npos) << e.what();
  }
}

TEST(VesselEnds, SideBranchesThinnerThanTheRadiusKeptAreTakenOut) {
  // The carotid phantom leaving its field of view as above; the external carotid (radius 1.8 mm)
  // is below the 2 mm kept: it goes from where it leaves the bifurcation to its end, the common
  // and internal carotids stay whole, and the cut wall has their two openings only.
  RenderOptions o;
  o.grid.size = {121, 151, 31};
  o.grid.spacing = Vec3::Constant(0.4);
  o.grid.origin = Vec3(-24, 2, -6);
  const VesselModel model = VesselModel::carotid_bifurcation(Vec3(0, 0, 0), 0.0);
  const Phantom ph = render(model, o);
  ThresholdOptions t;
  t.seeds = {Vec3(0, 5, 0)};
  const LabelMap lumen = threshold_connected(ph.image, t).labels;
  VesselModel parents;  // the common and internal carotids alone
  parents.add_tube(model.tubes()[0]).add_tube(model.tubes()[1]);

  const VesselOpenings v = open_vessels(lumen, {.radii_in = 2.0, .min_radius = 2.0});
  ASSERT_EQ(v.dropped.size(), 1u);
  const DroppedBranch& d = v.dropped[0];
  std::printf(
      "dropped: radius %.2f mm, leaving at (%.1f, %.1f, %.1f) mm, junction (%.1f, %.1f, "
      "%.1f) mm\n",
      d.radius, d.end.centre.x(), d.end.centre.y(), d.end.centre.z(), d.junction.x(),
      d.junction.y(), d.junction.z());
  EXPECT_LT(d.end.centre.x(), 0);    // the external carotid's end
  EXPECT_NEAR(d.radius, 1.8, 0.15);  // its section's, not the inscribed ball's
  ASSERT_EQ(v.cuts.size(), 2u);
  EXPECT_EQ(vessel_ends(v.lumen).size(), 2u);

  // Nothing added; every voxel a voxel or more inside the parents kept; what stays of the
  // branch is a stub on the parent's wall.
  const double h = 0.4, voxel = h * h * h;
  int added = 0, lost = 0, stub = 0;
  double highest = 0;
  for (int z = 0; z < o.grid.size[2]; ++z)
    for (int y = 0; y < o.grid.size[1]; ++y)
      for (int x = 0; x < o.grid.size[0]; ++x) {
        const bool was = lumen.at(x, y, z), is = v.lumen.at(x, y, z);
        const double dp = parents.distance(lumen.grid.point(x, y, z));
        added += is && !was;
        lost += was && !is && dp < -h;
        if (is && dp > h) {
          ++stub;
          highest = std::max(highest, dp);
        }
      }
  std::printf("voxels added %d, lost inside the parents %d; stub %.1f mm^3, %.2f mm high\n", added,
              lost, stub * voxel, highest);
  EXPECT_EQ(added, 0);
  EXPECT_EQ(lost, 0);
  EXPECT_LT(highest, 1.8);                                      // under the branch's radius
  EXPECT_LT(stub * voxel, std::numbers::pi * 1.8 * 1.8 * 1.8);  // a stub a radius long at most

  TriangleMesh wall = lumen_surface(v.lumen);
  for (const auto& c : v.cuts) wall = cut_surface(wall, c.point, c.normal);
  EXPECT_EQ(find_openings(wall).size(), 2u);
  // Without cuts (radii_in 0) the branch still goes; the other ends stay at the faces.
  const VesselOpenings uncut = open_vessels(lumen, {.radii_in = 0, .min_radius = 2.0});
  EXPECT_TRUE(uncut.cuts.empty());
  EXPECT_EQ(uncut.dropped.size(), 1u);
  EXPECT_EQ(uncut.lumen.data, v.lumen.data);
  // Just under the branch's radius, it stays an outlet.
  EXPECT_TRUE(open_vessels(lumen, {.radii_in = 2.0, .min_radius = 1.6}).dropped.empty());
}
