#include "hemotwin/imaging/intervention.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/segment.hpp"
#include "voxel_ball.hpp"

namespace hemotwin::imaging {

namespace {

/// The median of the line's radii with arc length in [a, b]; NaN when none lies there.
double median_radius(const Centerline& c, double a, double b) {
  std::vector<double> r;
  for (std::size_t i = 0; i < c.radius.size(); ++i)
    if (c.arc_length[i] >= a && c.arc_length[i] <= b) r.push_back(c.radius[i]);
  if (r.empty()) return std::nan("");
  std::nth_element(r.begin(), r.begin() + std::ptrdiff_t(r.size() / 2), r.end());
  return r[r.size() / 2];
}

}  // namespace

Intervention open_stenosis(const LabelMap& labels, const Centerline& c, double s0, double s1,
                           double radius, std::uint8_t label) {
  if (c.points.size() < 2) throw Error("open_stenosis needs a centerline of two points or more");
  if (!(s0 >= 0 && s1 > s0 && s1 <= c.length() + 1e-9))
    throw Error("the stretch to open, [" + std::to_string(s0) + ", " + std::to_string(s1) +
                "] mm, must lie on the centerline, [0, " + std::to_string(c.length()) + "] mm");
  if (!(radius >= 0))
    throw Error("the target radius must be positive (mm), or 0 for the reference");
  if (label == 0) throw Error("the lumen label must not be 0");
  Intervention out;
  const double len = s1 - s0;
  const double before = median_radius(c, std::max(0.0, s0 - len), s0);
  const double after = median_radius(c, s1, std::min(c.length(), s1 + len));
  out.reference_radius = std::isnan(before)  ? after
                         : std::isnan(after) ? before
                                             : 0.5 * (before + after);
  out.radius = radius > 0 ? radius : out.reference_radius;
  if (!(out.radius > 0))
    throw Error("no reference radius either side of the stretch; give the target radius");
  out.labels = labels;
  LabelMap& l = out.labels;
  // Balls along the stretch, closer together than a voxel so that their union is a smooth tube.
  const double step = 0.25 * labels.grid.spacing.minCoeff();
  const int n = std::max(1, int(std::ceil(len / step)));
  for (int q = 0; q <= n; ++q)
    detail::for_ball(l.grid, c.point_at(s0 + len * q / n), out.radius, [&](int i, int j, int k) {
      if (l.at(i, j, k) == 0) {
        l.at(i, j, k) = label;
        ++out.voxels_added;
      }
    });
  return out;
}

Intervention exclude_sac(const LabelMap& labels, const Centerline& parent, const Vec3& sac_centre,
                         double sac_radius) {
  if (parent.points.size() < 2) throw Error("exclude_sac needs the parent vessel's centerline");
  if (!(sac_radius > 0)) throw Error("the sac's radius must be positive (mm)");
  Intervention out;
  out.labels = labels;
  LabelMap& l = out.labels;
  const double half = 0.5 * labels.grid.spacing.minCoeff();
  detail::for_ball(l.grid, sac_centre, sac_radius, [&](int i, int j, int k) {
    if (l.at(i, j, k) == 0) return;
    const Vec3 p = l.grid.point(i, j, k);
    const double s = parent.project(p);
    if ((p - parent.point_at(s)).norm() > parent.radius_at(s) + half) {
      l.at(i, j, k) = 0;
      ++out.voxels_removed;
    }
  });
  if (out.voxels_removed == 0)
    throw Error(
        "no lumen inside the sac's ball lies beyond the parent vessel: check the sac's "
        "centre and radius");
  // Lumen cut off from the vessel (the far side of a sac larger than the ball) goes too.
  const LabelMap kept = largest_component(l);
  for (std::size_t i = 0; i < l.data.size(); ++i)
    if (l.data[i] != 0 && kept.data[i] == 0) {
      l.data[i] = 0;
      ++out.voxels_removed;
    }
  return out;
}

}  // namespace hemotwin::imaging
