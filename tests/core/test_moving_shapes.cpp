// Moving shapes (moving_shapes.hpp): the chamber volume curve (continuous, its rate the
// derivative of its volume, the phases' volumes where they belong), the pulsating sphere and the
// prolate left-ventricle phantom (their snapshots' volumes and wall crossings, their wall
// velocities carrying wall points onto the next snapshot's wall), and their refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/moving_shapes.hpp"

using namespace hemotwin;

namespace {

TEST(VolumeCurve, IsACycleWhoseRateIsItsDerivative) {
  VolumeCurve c;
  c.period = 0.8;
  c.validate();
  EXPECT_DOUBLE_EQ(c.ejection_fraction(), 0.6);
  EXPECT_DOUBLE_EQ(c.volume(0), c.end_diastolic);
  EXPECT_DOUBLE_EQ(c.volume(c.ejection_end * c.period), c.end_systolic);
  const double sv = c.end_diastolic - c.end_systolic;
  EXPECT_NEAR(c.volume(c.e_wave_end * c.period), c.end_systolic + c.e_share * sv, 1e-9);
  EXPECT_NEAR(c.volume(0.99 * c.period), c.end_diastolic, 1e-9);  // isovolumic contraction
  EXPECT_NEAR(c.volume(c.period + 0.1), c.volume(0.1), 1e-9);     // periodic
  const int n = 4000;
  const double h = c.period / n, eps = 1e-7;
  double net = 0, worst = 0, jump = 0;
  for (int k = 0; k < n; ++k) {
    const double t = k * h;
    const double fd = (c.volume(t + eps) - c.volume(t - eps)) / (2 * eps);
    worst = std::max(worst, std::abs(fd - c.rate(t)));
    jump = std::max(jump, std::abs(c.volume(t + h) - c.volume(t)));
    net += c.rate(t + 0.5 * h) * h;  // midpoint rule
  }
  EXPECT_LT(worst, 1e-5 * sv / c.period) << "the rate is not the volume's derivative";
  EXPECT_LT(jump, 0.01 * sv) << "the volume jumps";
  EXPECT_NEAR(net, 0, 1e-5 * sv) << "a cycle does not return to its volume";
  const double peak_ejection = -c.rate(0.5 * c.ejection_end * c.period);
  EXPECT_NEAR(peak_ejection, sv * std::numbers::pi / 2 / (c.ejection_end * c.period), 1e-9);
}

TEST(VolumeCurve, RefusesWhatIsNotACycle) {
  VolumeCurve c;
  c.end_systolic = 130;
  EXPECT_THROW(c.validate(), Error);
  c = {};
  c.e_wave_end = 0.3;  // before the filling starts
  EXPECT_THROW(c.validate(), Error);
  c = {};
  c.e_share = 0.8, c.diastasis_share = 0.3;
  EXPECT_THROW(c.validate(), Error);
}

TEST(PulsatingSphere, WallCrossingsAndVelocityFollowTheRadius) {
  const Vec3 c(10, 10, 10);
  const PulsatingSphere s(c, 4, 1, 2.0, Eigen::AlignedBox3d(Vec3::Zero(), Vec3::Constant(20)));
  for (double t : {0.0, 0.3, 0.5, 1.1, 1.7}) {
    const auto shape = s.at(t);
    const double r = s.radius(t);
    EXPECT_FALSE(shape->contains(c + Vec3(r - 1e-9, 0, 0)));
    EXPECT_TRUE(shape->contains(c + Vec3(0, r + 1e-9, 0)));
    // From outside towards the centre, the wall at exactly the radius.
    const Vec3 p = c + Vec3(0, 0, r + 0.7);
    EXPECT_NEAR(shape->intersect(p, Vec3(0, 0, -1)), 0.7, 1e-12);
    // A wall point carried by the wall's velocity stays on the wall (to second order in dt).
    const Vec3 w = c + r * Vec3(1, 2, 2) / 3;
    const double dt = 1e-4;
    const Vec3 moved = w + dt * s.wall_velocity(w, t);
    EXPECT_NEAR((moved - c).norm(), s.radius(t + dt), 1e-7);
  }
  EXPECT_THROW(PulsatingSphere(c, 1, 1, 1, Eigen::AlignedBox3d(Vec3::Zero(), Vec3::Constant(20))),
               Error);
  EXPECT_THROW(PulsatingSphere(c, 4, 1, 1, Eigen::AlignedBox3d(Vec3::Zero(), Vec3::Constant(12))),
               Error);
}

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

TEST(ProlateChamber, RefusesAShorteningBeyondTheEjectionFraction) {
  VolumeCurve curve;  // EF 60 %
  EXPECT_THROW(ProlateChamber(Vec3::Zero(), Vec3::UnitZ(), 55, 25, 0.6, curve, 0.7), Error);
  EXPECT_THROW(ProlateChamber(Vec3::Zero(), Vec3::UnitZ(), 55, 25, 1.2, curve), Error);
  EXPECT_THROW(ProlateChamber(Vec3::Zero(), Vec3::Zero(), 55, 25, 0.6, curve), Error);
}

}  // namespace
