// Virtual interventions on phantom lumens: an angioplasty opens a 70 % stenosis to the vessel's
// reference radius (the new centerline's narrowest radius within one voxel of it, nothing changed
// outside the stretch), and excluding an aneurysm's sac leaves the parent tube.
#include <gtest/gtest.h>

#include <cmath>

#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/centerline.hpp"
#include "hemotwin/imaging/intervention.hpp"
#include "hemotwin/imaging/phantom.hpp"
#include "hemotwin/imaging/segment.hpp"

namespace hemotwin::imaging {
namespace {

LabelMap labels_of(const VesselModel& model, double spacing, const Grid& grid = {}) {
  RenderOptions o;
  o.spacing = Vec3::Constant(spacing);
  o.noise_sigma = 0;
  o.margin = 3;
  o.grid = grid;
  return render(model, o).labels;
}

std::int64_t count(const LabelMap& l) {
  std::int64_t n = 0;
  for (auto v : l.data) n += v != 0;
  return n;
}

TEST(Intervention, AngioplastyOpensTheStenosisToTheReferenceRadius) {
  const double R = 2.0, h = 0.25;
  const LabelMap before =
      labels_of(VesselModel::stenosis(Vec3(0, 0, 0), Vec3(40, 0, 0), R, 0.7, 20, 10), h);
  const Centerline c = centerlines(before, Vec3(2, 0, 0), {Vec3(38, 0, 0)})[0];
  const double throat = c.radius[c.narrowest()];
  // The stretch: the narrowing and a millimetre either side, by distance along the line.
  const double s0 = c.project(Vec3(14, 0, 0)), s1 = c.project(Vec3(26, 0, 0));
  const Intervention plan = open_stenosis(before, c, s0, s1);
  const Centerline after = centerlines(plan.labels, Vec3(2, 0, 0), {Vec3(38, 0, 0)})[0];
  const double opened = after.radius[after.narrowest(s0, s1)];
  std::printf(
      "angioplasty: throat %.3f mm -> %.3f mm; reference %.3f mm (true %.1f), %lld voxels "
      "added\n",
      throat, opened, plan.reference_radius, R, static_cast<long long>(plan.voxels_added));
  EXPECT_NEAR(plan.reference_radius, R, h);  // measured as the centerline measures it
  EXPECT_NEAR(opened, plan.radius, h);       // the target, within one voxel
  EXPECT_LT(throat, 0.7 * R);
  EXPECT_GT(plan.voxels_added, 0);
  EXPECT_EQ(plan.voxels_removed, 0);
  // Nothing outside the balls along the stretch changed.
  for (int k = 0; k < before.grid.size[2]; ++k)
    for (int j = 0; j < before.grid.size[1]; ++j)
      for (int i = 0; i < before.grid.size[0]; ++i) {
        const double x = before.grid.point(i, j, k).x();
        if (x < 14 - plan.radius - h || x > 26 + plan.radius + h)
          ASSERT_EQ(before.at(i, j, k), plan.labels.at(i, j, k)) << i << " " << j << " " << k;
      }
  // A target radius given: opened to it.
  const Intervention narrow = open_stenosis(before, c, s0, s1, 1.5);
  const Centerline n = centerlines(narrow.labels, Vec3(2, 0, 0), {Vec3(38, 0, 0)})[0];
  EXPECT_NEAR(n.radius[n.narrowest(s0, s1)], 1.5, h);
  EXPECT_THROW((void)open_stenosis(before, c, s1, s0), Error);
  EXPECT_THROW((void)open_stenosis(before, c, s0, c.length() + 5), Error);
}

TEST(Intervention, ExcludingTheSacLeavesTheParentVessel) {
  const double R = 1.5, h = 0.25;
  const VesselModel with_sac =
      VesselModel::aneurysm(Vec3(0, 0, 0), Vec3(30, 0, 0), R, 15, Vec3(0, 1, 0), 3.0, 3.5);
  const LabelMap before = labels_of(with_sac, h);
  // The plain tube on the same grid: what the exclusion should leave.
  const LabelMap tube =
      labels_of(VesselModel::straight(Vec3(0, 0, 0), Vec3(30, 0, 0), R), h, before.grid);
  const Centerline c = centerlines(before, Vec3(2, 0, 0), {Vec3(28, 0, 0)})[0];
  const Intervention coil = exclude_sac(before, c, Vec3(15, 3.5, 0), 3.5);
  std::int64_t both = 0;
  for (std::size_t i = 0; i < tube.data.size(); ++i) both += tube.data[i] && coil.labels.data[i];
  const double dice = 2.0 * double(both) / double(count(tube) + count(coil.labels));
  std::printf("sac exclusion: %lld -> %lld voxels (tube %lld), Dice with the tube %.4f\n",
              static_cast<long long>(count(before)), static_cast<long long>(count(coil.labels)),
              static_cast<long long>(count(tube)), dice);
  EXPECT_GT(dice, 0.98);
  EXPECT_NEAR(double(count(coil.labels)) / double(count(tube)), 1.0, 0.03);
  EXPECT_EQ(coil.voxels_added, 0);
  EXPECT_THROW((void)exclude_sac(before, c, Vec3(5, 0, 0), 1.0), Error);  // inside the vessel
}

}  // namespace
}  // namespace hemotwin::imaging
