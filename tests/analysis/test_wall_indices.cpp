// Wall indices on synthetic WSS time series with known answers. Each signal is linear between its
// samples (zero crossings are samples), where the trapezoidal rule is exact, so every index is
// checked to round-off.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hemotwin/analysis/wall_indices.hpp"
#include "hemotwin/core/error.hpp"

using namespace hemotwin;
using namespace hemotwin::analysis;

namespace {

constexpr double tol = 1e-14;

// Samples of a scalar signal along a unit direction, one wall point.
std::vector<std::vector<Vec3>> along(const Vec3& dir, const std::vector<double>& s) {
  std::vector<std::vector<Vec3>> out;
  for (double v : s) out.push_back({v * dir});
  return out;
}

}  // namespace

TEST(WallIndices, SteadyShear) {
  const double a = 1.7;
  const auto w = wall_indices({0, 0.3, 1.0}, along(Vec3(0, 0.6, 0.8), {a, a, a}));
  EXPECT_NEAR(w.tawss[0], a, tol);
  EXPECT_NEAR(w.osi[0], 0.0, tol);
  EXPECT_NEAR(w.rrt[0], 1 / a, tol);
  EXPECT_NEAR(w.ecap[0], 0.0, tol);
  EXPECT_DOUBLE_EQ(w.window, 1.0);
}

TEST(WallIndices, PurelyOscillatingShear) {
  // A triangle wave 0, a, 0, -a, 0 over one period of 0.8 s: int tau = 0, int |tau| = a T / 2.
  const double a = 2.0;
  const auto w = wall_indices({0, 0.2, 0.4, 0.6, 0.8}, along(Vec3::UnitX(), {0, a, 0, -a, 0}), 1);
  EXPECT_NEAR(w.tawss[0], a / 2, tol);
  EXPECT_NEAR(w.osi[0], 0.5, tol);
  EXPECT_EQ(w.rrt[0], std::numeric_limits<double>::infinity());
  EXPECT_NEAR(w.ecap[0], 0.5 / (a / 2), tol);
  ASSERT_EQ(w.peak_wss.size(), 1u);
  EXPECT_NEAR(w.peak_wss[0], a, tol);
}

TEST(WallIndices, ThreeToOneForwardBackward) {
  // Forward triangle of height a over [0, 0.75], backward over [0.75, 1]:
  // int tau = 0.375 a - 0.125 a = 0.25 a, int |tau| = 0.5 a, T = 1.
  const double a = 3.0;
  const auto w = wall_indices({0, 0.375, 0.75, 0.875, 1.0}, along(Vec3::UnitZ(), {0, a, 0, -a, 0}));
  EXPECT_NEAR(w.tawss[0], 0.5 * a, tol);
  EXPECT_NEAR(w.osi[0], 0.25, tol);
  EXPECT_NEAR(w.rrt[0], 4 / a, tol);  // T / |int tau| = 1 / (0.25 a) = 1 / ((1 - 2 OSI) TAWSS)
  EXPECT_NEAR(w.ecap[0], 0.25 / (0.5 * a), tol);
}

TEST(WallIndices, ARotatingShearOfConstantMagnitude) {
  // tau of magnitude 1 turns through a half circle in four steps of 45 degrees.
  std::vector<double> t;
  std::vector<std::vector<Vec3>> s;
  for (int k = 0; k <= 4; ++k) {
    const double th = M_PI / 4 * k;
    t.push_back(0.25 * k);
    s.push_back({Vec3(std::cos(th), std::sin(th), 0)});
  }
  const auto w = wall_indices(t, s);
  // Trapezoids with h = 1/4: int |tau| dt = 1; int tau_x dt = h (1/2 + 1/sqrt2 + 0 - 1/sqrt2 - 1/2)
  // = 0 and int tau_y dt = h (0 + 1/sqrt2 + 1 + 1/sqrt2 + 0).
  const double y = 0.25 * (2 / std::sqrt(2.0) + 1), x = 0.0;
  EXPECT_NEAR(w.tawss[0], 1.0, tol);
  EXPECT_NEAR(w.osi[0], 0.5 * (1 - std::hypot(x, y)), tol);
}

TEST(WallIndices, SeveralPointsAndNoShear) {
  std::vector<std::vector<Vec3>> s(3, std::vector<Vec3>(2, Vec3::Zero()));
  for (auto& sample : s) sample[1] = Vec3(0.5, 0, 0);
  const auto w = wall_indices({0, 1, 2}, s);
  EXPECT_EQ(w.tawss[0], 0.0);
  EXPECT_EQ(w.osi[0], 0.0);  // no shear: not oscillatory
  EXPECT_EQ(w.ecap[0], std::numeric_limits<double>::infinity());
  EXPECT_NEAR(w.tawss[1], 0.5, tol);
}

TEST(WallIndices, DerivedFromStoredAverages) {
  const auto w = derived_indices({2.0, 0.5, 1.0}, {0.0, 0.25, 0.5});
  EXPECT_NEAR(w.rrt[0], 0.5, tol);
  EXPECT_NEAR(w.rrt[1], 4.0, tol);
  EXPECT_EQ(w.rrt[2], std::numeric_limits<double>::infinity());
  EXPECT_NEAR(w.ecap[1], 0.5, tol);
}

TEST(WallIndices, AreaFractionsAndRegionStatistics) {
  // Four points, areas 1, 2, 3, 4: TAWSS 0.1, 0.3, 0.5, 2.0; OSI 0.3, 0.1, 0.25, 0.
  const auto w = derived_indices({0.1, 0.3, 0.5, 2.0}, {0.3, 0.1, 0.25, 0.0});
  const std::vector<double> area{1, 2, 3, 4};
  const auto f = area_fractions(w, area);
  EXPECT_NEAR(f.low_tawss, 3.0 / 10, tol);  // points 0 and 1 below 0.4 Pa
  EXPECT_NEAR(f.high_osi, 4.0 / 10, tol);   // points 0 and 2 above 0.2
  EXPECT_EQ(f.points, 4u);
  const auto region = area_fractions(w, area, {1.0, 0.2}, {false, true, true, false});
  EXPECT_NEAR(region.low_tawss, 1.0, tol);
  EXPECT_NEAR(region.high_osi, 3.0 / 5, tol);
  const auto s = region_stats(w.tawss, area);
  EXPECT_NEAR(s.mean, (0.1 + 0.6 + 1.5 + 8.0) / 10, tol);
  EXPECT_EQ(s.min, 0.1);
  EXPECT_EQ(s.max, 2.0);
  EXPECT_EQ(s.p5, 0.1);   // cumulative area 1 of 10 reaches 5 %
  EXPECT_EQ(s.p50, 0.5);  // 1 + 2 = 3 < 5 <= 6
  EXPECT_EQ(s.p95, 2.0);
  EXPECT_EQ(region_stats(w.osi, {}, {true, false, false, false}).p50, 0.3);
}

TEST(WallIndices, BadSeriesAreRefusedSayingWhat) {
  const auto refuses = [](const std::vector<double>& t, const std::vector<std::vector<Vec3>>& s,
                          const std::string& words) {
    try {
      wall_indices(t, s);
      ADD_FAILURE() << "accepted: " << words;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  const std::vector<Vec3> one{Vec3::UnitX()};
  refuses({0}, {one}, "at least two");
  refuses({0, 1}, {one}, "2 times but 1 WSS samples");
  refuses({0, 1, 1}, {one, one, one}, "must increase");
  refuses({0, 1}, {one, {}}, "sample 1 has 0 wall points");
  refuses({0, 1}, {one, {Vec3(NAN, 0, 0)}}, "not finite");
  EXPECT_THROW(area_fractions(derived_indices({1}, {0}), {1, 2}), Error);
}
