// Moving shapes (moving_shapes.hpp): the chamber volume curve (continuous, its rate the
// derivative of its volume, the phases' volumes where they belong), the pulsating sphere (wall
// crossings, wall velocity) and the refusals. The prolate chamber's volumes and wall motion are
// checked in test_chamber_phantom.cpp (validation: it counts cells).
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

TEST(ProlateChamber, RefusesAShorteningBeyondTheEjectionFraction) {
  VolumeCurve curve;  // EF 60 %
  EXPECT_THROW(ProlateChamber(Vec3::Zero(), Vec3::UnitZ(), 55, 25, 0.6, curve, 0.7), Error);
  EXPECT_THROW(ProlateChamber(Vec3::Zero(), Vec3::UnitZ(), 55, 25, 1.2, curve), Error);
  EXPECT_THROW(ProlateChamber(Vec3::Zero(), Vec3::Zero(), 55, 25, 0.6, curve), Error);
}

}  // namespace
