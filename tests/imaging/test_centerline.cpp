// Centerlines of phantom lumens against the phantoms' own axes and radii: a straight tube along an
// oblique axis, a curved tube, a 50 % stenosis (the narrowest radius and where it lies), and the
// carotid bifurcation (one line to each branch, sharing the trunk).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/centerline.hpp"
#include "hemotwin/imaging/phantom.hpp"

namespace hemotwin::imaging {
namespace {

LabelMap labels_of(const VesselModel& model, double spacing) {
  RenderOptions o;
  o.spacing = Vec3::Constant(spacing);
  o.noise_sigma = 0;
  o.margin = 2;
  return render(model, o).labels;
}

/// Distance from p to the polyline through `points`.
double distance_to(const std::vector<Vec3>& points, const Vec3& p) {
  double best = 1e300;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    const Vec3 d = points[i + 1] - points[i];
    const double t = std::clamp((p - points[i]).dot(d) / d.squaredNorm(), 0.0, 1.0);
    best = std::min(best, (points[i] + t * d - p).norm());
  }
  return best;
}

TEST(Centerline, ObliqueStraightTubeFollowsTheAxisWithItsRadius) {
  const Vec3 a(0, 0, 0), b(24, 10, 6);
  const double R = 2.0, h = 0.4;
  const LabelMap labels = labels_of(VesselModel::straight(a, b, R), h);
  const Vec3 e = (b - a).normalized();
  // Source and target a radius inside the ends (the ends are flat caps).
  const auto lines = centerlines(labels, a + R * e, {b - R * e});
  ASSERT_EQ(lines.size(), 1u);
  const Centerline& c = lines[0];
  double worst = 0, rms = 0, r_err = 0;
  int n = 0;
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    // Away from the caps, where the inscribed ball is the tube's.
    const double s = (c.points[i] - a).dot(e);
    if (s < 2 * R || s > (b - a).norm() - 2 * R) continue;
    const double d = distance_to({a, b}, c.points[i]);
    worst = std::max(worst, d);
    rms += d * d;
    r_err += c.radius[i] - R;
    ++n;
  }
  rms = std::sqrt(rms / n);
  r_err /= n;
  std::printf(
      "straight: %zu points, axis distance rms %.3f max %.3f mm, mean radius error %+.3f mm "
      "(voxel %.1f mm)\n",
      c.points.size(), rms, worst, r_err, h);
  // The path within half a voxel of the axis; the radius within one voxel (the wall lies
  // somewhere between the last lumen voxel and the first background one: the estimate runs low
  // by up to about half a voxel).
  EXPECT_LT(worst, 0.5 * h);
  EXPECT_LT(std::abs(r_err), h);
  EXPECT_NEAR(c.length(), (b - a).norm() - 2 * R, h);
  // Interpolation along the arc.
  EXPECT_LT((c.point_at(0) - c.points.front()).norm(), 1e-12);
  EXPECT_LT((c.tangent_at(0.5 * c.length()) - e).norm(), 0.05);
  EXPECT_NEAR(c.project(c.point_at(3.0)), 3.0, 1e-6);
}

TEST(Centerline, CurvedTubeStaysWithinHalfAVoxelOfItsArc) {
  const double bend = 15, R = 1.5, h = 0.3, angle = std::numbers::pi / 2;
  const VesselModel model =
      VesselModel::curved(Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 1, 0), bend, angle, R);
  const LabelMap labels = labels_of(model, h);
  const auto& truth = model.tubes().front().points;
  const Vec3 start = truth.front() + R * (truth[1] - truth[0]).normalized();
  const Vec3 end = truth.back() - R * (truth.back() - truth[truth.size() - 2]).normalized();
  const auto lines = centerlines(labels, start, {end});
  const Centerline& c = lines[0];
  double worst = 0;
  for (std::size_t i = 0; i < c.points.size(); ++i)
    if (c.arc_length[i] > 2 * R && c.arc_length[i] < c.length() - 2 * R)
      worst = std::max(worst, distance_to(truth, c.points[i]));
  std::printf("curved: max distance from the arc %.3f mm (voxel %.1f mm), length %.2f of %.2f mm\n",
              worst, h, c.length(), bend * angle - 2 * R);
  EXPECT_LT(worst, 0.5 * h);
  EXPECT_NEAR(c.length(), bend * angle - 2 * R, 2 * h);
}

TEST(Centerline, StenosisNarrowestRadiusAndItsPlace) {
  const double R = 2.0, severity = 0.5, h = 0.25;
  const LabelMap labels =
      labels_of(VesselModel::stenosis(Vec3(0, 0, 0), Vec3(30, 0, 0), R, severity, 15, 10), h);
  const auto lines = centerlines(labels, Vec3(2, 0, 0), {Vec3(28, 0, 0)});
  const Centerline& c = lines[0];
  const std::size_t k = c.narrowest();
  std::printf(
      "stenosis: narrowest radius %.3f mm at x = %.2f mm (true %.3f at 15), upstream %.3f\n",
      c.radius[k], c.points[k].x(), R * (1 - severity), c.radius_at(5.0));
  EXPECT_NEAR(c.radius[k], R * (1 - severity), h);
  EXPECT_NEAR(c.points[k].x(), 15.0, 1.0);
  EXPECT_NEAR(c.radius_at(5.0), R, h);
}

TEST(Centerline, CarotidBifurcationHasOneLineToEachBranch) {
  const VesselModel model = VesselModel::carotid_bifurcation(Vec3(0, 0, 0), 0.5);
  const LabelMap labels = labels_of(model, 0.4);
  const auto& tubes = model.tubes();  // common, internal (stenosed), external
  const Vec3 source = tubes[0].points.front() + Vec3(0, 3, 0);
  const Vec3 ica_end = tubes[1].points.back(), eca_end = tubes[2].points.back();
  const auto lines = centerlines(labels, source, {ica_end, eca_end});
  ASSERT_EQ(lines.size(), 2u);
  // Both follow the common carotid, then part.
  EXPECT_LT((lines[0].point_at(10) - lines[1].point_at(10)).norm(), 0.3);
  EXPECT_GT((lines[0].points.back() - lines[1].points.back()).norm(), 20);
  // The internal carotid's stenosis (50 % of 2.5 mm) is its narrowest point past the fork.
  const double fork = lines[0].project(tubes[0].points.back());
  const std::size_t k = lines[0].narrowest(fork + 3, lines[0].length() - 3);
  std::printf("carotid: ICA narrowest %.3f mm (true 1.25), ECA median radius %.3f (true 1.8)\n",
              lines[0].radius[k], lines[1].radius_at(lines[1].length() - 15));
  EXPECT_NEAR(lines[0].radius[k], 1.25, 0.4);
  EXPECT_NEAR(lines[1].radius_at(lines[1].length() - 15), 1.8, 0.4);
}

TEST(Centerline, PointsOutsideTheLumenAreRefusedByName) {
  const LabelMap labels = labels_of(VesselModel::straight(Vec3(0, 0, 0), Vec3(10, 0, 0), 1.5), 0.5);
  try {
    (void)centerlines(labels, Vec3(5, 0, 0), {Vec3(5, 6, 0)});
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("target 0 (5, 6, 0) mm lies outside the lumen"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)centerlines(labels, Vec3(5, 0, 0), {}), Error);
}

}  // namespace
}  // namespace hemotwin::imaging
