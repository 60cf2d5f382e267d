// Real scans from ../shared/data (label realdata): a time-of-flight MR angiogram of the circle
// of Willis and a head CT angiogram segment from one seed into one connected vessel tree
// (volume, bounding box and the openings where the tree leaves the scan go to the log); a
// heart label map from a chest CT (DeepCAC, NRRD) becomes a closed surface. No reference
// segmentation exists for these scans, so the checks are on what a correct result must show.
// Skipped, with a message, where ../shared/data is absent.
#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "hemotwin/geometry/surface_shape.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/segment.hpp"
#include "hemotwin/imaging/vessel_ends.hpp"

using namespace hemotwin;
using namespace hemotwin::imaging;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(HEMOTWIN_SHARED_DATA_DIR);

#define REQUIRE_FILE(path)                                   \
  if (!fs::exists(path))                                     \
  GTEST_SKIP() << "real data not found: " << (path).string() \
               << " (../shared/data is absent on this machine; this test needs it)"

struct TreeReport {
  std::int64_t voxels = 0, largest = 0;
  double volume = 0;
  Eigen::AlignedBox3d box;
  std::size_t openings = 0;
};

TreeReport segment_tree(const char* what, const fs::path& file, const Vec3& seed,
                        std::optional<double> lower) {
  const Image scan = read_image(file);
  ThresholdOptions t;
  t.seeds = {seed};
  t.lower = lower;
  if (lower) t.upper = 1e6;
  const auto t0 = std::chrono::steady_clock::now();
  const Segmentation s = threshold_connected(scan, t);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  TreeReport r;
  r.voxels = s.voxels;
  r.volume = s.volume_mm3;
  const LabelMap one = largest_component(s.labels);
  for (const auto v : one.data) r.largest += v != 0;
  const Grid& g = s.labels.grid;
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i)
        if (s.labels.at(i, j, k)) r.box.extend(g.point(i, j, k));
  // Where the tree leaves the scan, its surface is open: those are its inlets and outlets.
  const TriangleMesh wall = isosurface(lumen_field(s.labels, 0.5 * g.spacing.minCoeff()), 0.5);
  const auto open = find_openings(wall);
  r.openings = open.size();
  std::printf(
      "%s: range [%.1f, %.1f], %lld voxels (largest component %lld), %.1f mm^3 in "
      "%.1f s; bounding box LPS (%.1f, %.1f, %.1f) to (%.1f, %.1f, %.1f) mm, size "
      "%.1f x %.1f x %.1f mm; wall %zu triangles, %zu openings at the scan's edge\n",
      what, s.lower, s.upper, (long long)r.voxels, (long long)r.largest, r.volume, seconds,
      r.box.min().x(), r.box.min().y(), r.box.min().z(), r.box.max().x(), r.box.max().y(),
      r.box.max().z(), r.box.sizes().x(), r.box.sizes().y(), r.box.sizes().z(),
      wall.triangles.size(), open.size());
  for (const auto& o : open)
    std::printf("  %s: centre (%.1f, %.1f, %.1f), area %.2f mm^2, radius %.2f mm\n", o.name.c_str(),
                o.centre.x(), o.centre.y(), o.centre.z(), o.area, o.radius);
  return r;
}

}  // namespace

TEST(RealScan, TimeOfFlightAngiogramSegmentsIntoOneTree) {
  // chris_MRA.nii.gz: 3-D TOF MRA, 0.52 x 0.52 x 0.65 mm, background suppressed to 0. The seed
  // is the brightest spot near the image centre (a carotid siphon); the range starts at the
  // scan's 99.5th percentile (59): TOF vessels run from ~60 to 254.
  const fs::path file = kData / "niivue-images" / "chris_MRA.nii.gz";
  REQUIRE_FILE(file);
  const TreeReport r = segment_tree("TOF MRA", file, Vec3(10.74, -34.76, -18.68), 59.0);
  EXPECT_EQ(r.largest, r.voxels);  // one connected tree
  // A circle of Willis spans both hemispheres (~70-100 mm left-right and front-back), and its
  // arteries hold a few cm^3: a single vessel or a leak into tissue would miss these ranges.
  EXPECT_GT(r.box.sizes().x(), 70);
  EXPECT_GT(r.box.sizes().y(), 60);
  EXPECT_GT(r.volume, 1500);
  EXPECT_LT(r.volume, 15000);
  EXPECT_GE(r.openings, 2u);  // at least the arteries that enter through the scan's base
}

TEST(RealScan, HeadCtAngiogramSegmentsIntoOneTree) {
  // CT_AVM.nii.gz: head CT angiogram (bone subtracted) of an arteriovenous malformation,
  // 0.72 x 0.72 x 1 mm. Seed at the brightest spot near the centre (the malformation's nidus);
  // the range comes from the seed and the background (automatic).
  const fs::path file = kData / "niivue-images" / "CT_AVM.nii.gz";
  REQUIRE_FILE(file);
  const TreeReport r = segment_tree("CTA", file, Vec3(-3.64, 4.81, 17.89), std::nullopt);
  EXPECT_EQ(r.largest, r.voxels);
  EXPECT_GT(r.box.sizes().minCoeff(), 80);  // a tree through the head, not the nidus alone
  EXPECT_GT(r.volume, 5000);
  EXPECT_LT(r.volume, 60000);
}

TEST(RealScan, HeartLabelMapBecomesAClosedSurface) {
  // 0187_msk.nrrd: a manual heart mask of a chest CT (512 x 512 x 143, 0.68 x 0.68 x 2.5 mm,
  // labels 1 and 2). The mask runs to the scan's edge; closed there, its surface encloses the
  // mask's volume.
  const fs::path file = kData / "deepcac-heart-masks" / "0187_msk.nrrd";
  REQUIRE_FILE(file);
  const LabelMap mask = largest_component(read_labels(file));
  std::int64_t voxels = 0;
  for (const auto v : mask.data) voxels += v != 0;
  const double mask_volume = double(voxels) * mask.grid.voxel_volume();
  const auto t0 = std::chrono::steady_clock::now();
  const TriangleMesh heart =
      isosurface(lumen_field(mask, 1.0), 0.5, {.smoothing = 20, .closed = true});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "heart: mask %.1f cm^3, surface %zu triangles, %.1f cm^2, encloses %.1f cm^3 "
      "(%.2f s)\n",
      mask_volume / 1000, heart.triangles.size(), heart.area() / 100, heart.signed_volume() / 1000,
      seconds);
  EXPECT_EQ(heart.boundary_edges(), 0);
  EXPECT_TRUE(find_openings(heart).empty());
  EXPECT_NEAR(heart.signed_volume() / mask_volume, 1.0, 0.03);
  EXPECT_NO_THROW(SurfaceShape{heart});
}

TEST(RealScan, TimeOfFlightAngiogramOpensAcrossItsVessels) {
  // The TOF tree above, opened where its vessels leave the scan by cuts across them, two radii
  // in, perpendicular to their centerlines (geometry.trim_radii): one opening per end, each
  // facing along its vessel (within 10 degrees of the centerline's tangent), none left where the
  // scan's faces cut the vessels.
  const fs::path file = kData / "niivue-images" / "chris_MRA.nii.gz";
  REQUIRE_FILE(file);
  ThresholdOptions t;
  t.seeds = {Vec3(10.74, -34.76, -18.68)};
  t.lower = 59.0;
  t.upper = 1e6;
  const LabelMap lumen = largest_component(threshold_connected(read_image(file), t).labels);
  const auto ends = vessel_ends(lumen);
  const auto cuts = open_vessels(lumen, {.radii_in = 2.0}).cuts;
  ASSERT_EQ(cuts.size(), ends.size());
  ASSERT_GE(cuts.size(), 2u);
  for (const auto& c : cuts) {
    Vec3 face = Vec3::Zero();
    face[c.end.axis] = c.end.upper ? 1 : -1;
    std::printf(
        "  end at (%.1f, %.1f, %.1f) mm: the scan's face is %.1f deg off the vessel's "
        "centerline there\n",
        c.end.centre.x(), c.end.centre.y(), c.end.centre.z(),
        std::acos(std::clamp(face.dot(c.normal), -1.0, 1.0)) * 180 / M_PI);
  }
  TriangleMesh wall = lumen_surface(lumen);
  const std::size_t before = find_openings(wall).size();
  for (const auto& c : cuts) wall = cut_surface(wall, c.point, c.normal);
  const auto open = find_openings(wall);
  std::printf("TOF MRA: %zu ends on the scan's faces, %zu openings there before, %zu after\n",
              ends.size(), before, open.size());
  ASSERT_EQ(open.size(), cuts.size());
  for (const auto& o : open) {
    const CenterlineCut* nearest = &cuts[0];
    for (const auto& c : cuts)
      if ((c.point - o.centre).norm() < (nearest->point - o.centre).norm()) nearest = &c;
    const double angle =
        std::acos(std::clamp(o.normal.dot(nearest->normal), -1.0, 1.0)) * 180 / M_PI;
    std::printf(
        "  %s: centre (%.1f, %.1f, %.1f) mm, %.1f mm from its cut, radius %.2f mm, normal "
        "%.1f deg off the centerline\n",
        o.name.c_str(), o.centre.x(), o.centre.y(), o.centre.z(),
        (nearest->point - o.centre).norm(), o.radius, angle);
    EXPECT_LT((nearest->point - o.centre).norm(), nearest->radius + 1.0);
    EXPECT_LT(angle, 10.0);
  }
}

TEST(RealScan, TimeOfFlightAngiogramCroppedKeepsItsCarotidsAndDropsTheSmallBranches) {
  // The TOF tree above cropped to |x| <= 35 mm (a region of interest about the circle of Willis):
  // the internal carotids leave through its base and the middle cerebral arteries' branches
  // through its sides. With geometry.min_branch_radius_mm = 1.5 the branches (radius about 1 mm)
  // are taken out and the two carotids stay, joined, as the only openings.
  const fs::path file = kData / "niivue-images" / "chris_MRA.nii.gz";
  REQUIRE_FILE(file);
  ThresholdOptions t;
  t.seeds = {Vec3(10.74, -34.76, -18.68)};
  t.lower = 59.0;
  t.upper = 1e6;
  const Image roi = crop(read_image(file), Box{Vec3(-35, -100, -100), Vec3(35, 100, 100)});
  const LabelMap lumen = largest_component(threshold_connected(roi, t).labels);
  const auto ends = vessel_ends(lumen);
  ASSERT_GE(ends.size(), 4u);
  const auto openings_of = [](const VesselOpenings& v) {
    TriangleMesh wall = lumen_surface(v.lumen);
    for (const auto& c : v.cuts) wall = cut_surface(wall, c.point, c.normal);
    return find_openings(wall);
  };
  // Every end kept, each gets its cut (moved in until clear of the face where a branch runs
  // along it first). The cut wall then has one more opening than ends: two thin branches that
  // leave side by side, grazing the face, are not yet separated well (issue 17's note).
  const VesselOpenings all = open_vessels(lumen, {.radii_in = 2.0});
  EXPECT_TRUE(all.dropped.empty());
  EXPECT_EQ(all.cuts.size(), ends.size());

  const VesselOpenings v = open_vessels(lumen, {.radii_in = 2.0, .min_radius = 1.5});
  std::printf("TOF MRA, |x| <= 35 mm: %zu ends on the region's faces; %zu kept, %zu dropped\n",
              ends.size(), v.cuts.size(), v.dropped.size());
  for (const auto& d : v.dropped) {
    std::printf("  dropped: radius %.2f mm, leaving at (%.1f, %.1f, %.1f) mm\n", d.radius,
                d.end.centre.x(), d.end.centre.y(), d.end.centre.z());
    EXPECT_GT(d.radius, 0.6);  // a middle cerebral artery's branch, not noise
    EXPECT_LT(d.radius, 1.5);
  }
  EXPECT_EQ(v.cuts.size(), 2u);
  EXPECT_EQ(v.cuts.size() + v.dropped.size(), ends.size());
  EXPECT_EQ(vessel_ends(v.lumen).size(), 2u);  // both carotids, still joined
  const auto open = openings_of(v);
  ASSERT_EQ(open.size(), 2u);
  for (const auto& o : open) {
    const CenterlineCut* nearest = &v.cuts[0];
    for (const auto& c : v.cuts)
      if ((c.point - o.centre).norm() < (nearest->point - o.centre).norm()) nearest = &c;
    const double angle =
        std::acos(std::clamp(o.normal.dot(nearest->normal), -1.0, 1.0)) * 180 / M_PI;
    std::printf("  %s: radius %.2f mm, normal %.1f deg off the centerline\n", o.name.c_str(),
                o.radius, angle);
    EXPECT_GT(o.radius, 1.8);  // an internal carotid
    EXPECT_LT(angle, 10.0);
  }
}
