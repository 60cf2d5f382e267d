// The prolate left-ventricle phantom (moving_shapes.hpp): its snapshots hold the volume curve's
// volume (cells counted) and its wall velocity carries wall points onto the next snapshot's wall.
#include <gtest/gtest.h>

#include <cmath>

#include "hemotwin/core/moving_shapes.hpp"

using namespace hemotwin;

namespace {

// The volume of a shape by counting the centres of cells of side h in its bounds.
double counted_volume(const Shape& s, double h) {
  const auto box = s.bounds();
  const Eigen::Array3i n = ((box.max() - box.min()) / h).array().ceil().cast<int>();
  long long inside = 0;
  for (int k = 0; k < n[2]; ++k)
    for (int j = 0; j < n[1]; ++j)
      for (int i = 0; i < n[0]; ++i)
        inside += s.contains(box.min() + h * Vec3(i + 0.5, j + 0.5, k + 0.5));
  return double(inside) * h * h * h;
}

TEST(ProlateChamber, VolumeFollowsTheCurveAndTheWallMovesWithItsVelocity) {
  // A left ventricle at end-diastole: 8.25 cm from apex to base (long semi-axis 5.5 cm, the base
  // half of it above the centre), 5 cm wide: 121.5 mL; a cycle of 0.8 s (75 beats a minute).
  VolumeCurve curve;
  curve.period = 0.8;
  const Vec3 base(0, 0, 0), axis = Vec3(1, 1, 3).normalized();
  const ProlateChamber lv(base, axis, 55, 25, 0.5, curve, 0.15);  // mm
  EXPECT_NEAR(lv.end_diastolic_volume() / 1000, 121.5, 0.1);      // mL
  EXPECT_NEAR(lv.curve().ejection_fraction(), 0.6, 1e-12);
  for (double t : {0.0, 0.13, 0.256, 0.45, 0.6, 0.7}) {
    const auto shape = lv.at(t);
    EXPECT_TRUE(lv.envelope().contains(shape->bounds())) << t;
    const double counted = counted_volume(*shape, 1.0);
    EXPECT_NEAR(counted / lv.volume(t), 1, 0.01) << "t = " << t;
    // Wall points on rays from inside: each, carried by the wall's velocity, lies on the wall
    // of the next snapshot (its ray from the same interior point meets it there).
    const auto [axial, radial] = lv.scales(t);
    const Vec3 inside = base - 0.5 * axial * 55 * axis;
    const double dt = 1e-5;
    const auto next = lv.at(t + dt);
    for (const Vec3& dir : {Vec3(1, 0, 0), Vec3(0, -1, 0.2), Vec3(-0.3, 0.1, -1)}) {
      const Vec3 d = 200 * dir.normalized();
      const double f = shape->intersect(inside, d);
      ASSERT_LE(f, 1.0);
      const Vec3 wall = inside + f * d;
      const Vec3 moved = wall + dt * lv.wall_velocity(wall, t);
      // The moved point, seen along the same ray from the moved interior point.
      const Vec3 moved_inside = inside + dt * lv.wall_velocity(inside, t);
      const Vec3 ray = moved - moved_inside;
      EXPECT_NEAR(next->intersect(moved_inside, 1.001 * ray), 1 / 1.001, 1e-6)
          << "t = " << t << ", direction " << dir.transpose();
    }
    EXPECT_GT(radial, 0);
  }
  // The base plane stays: a point on its inner side moves within it.
  const Vec3 on_base = base + 10 * axis.cross(Vec3::UnitX()).normalized();
  EXPECT_NEAR(lv.wall_velocity(on_base, 0.1).dot(axis), 0, 1e-12);
}

}  // namespace
