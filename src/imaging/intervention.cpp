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

Centerline parent_across_sac(const Centerline& c, const Vec3& centre, double radius) {
  const std::size_t n = c.points.size();
  if (n < 2) throw Error("the sac needs the parent vessel's centerline");
  std::vector<double> outside;
  std::ptrdiff_t first = -1, last = -1;
  for (std::size_t i = 0; i < n; ++i) {
    if ((c.points[i] - centre).norm() <= radius) {
      if (first < 0) first = std::ptrdiff_t(i);
      last = std::ptrdiff_t(i);
    } else {
      outside.push_back(c.radius[i]);
    }
  }
  if (first < 0 || outside.empty()) return c;
  std::nth_element(outside.begin(), outside.begin() + std::ptrdiff_t(outside.size() / 2),
                   outside.end());
  const double reference = outside[outside.size() / 2];
  // The line bows into the sac where the sac's width draws it: out to where its radius is the
  // vessel's again, then a vessel radius further.
  while (first > 0 && c.radius[std::size_t(first - 1)] > 1.15 * reference) --first;
  while (last + 1 < std::ptrdiff_t(n) && c.radius[std::size_t(last + 1)] > 1.15 * reference) ++last;
  const double sa = std::max(0.0, c.arc_length[std::size_t(first)] - reference);
  const double sb = std::min(c.length(), c.arc_length[std::size_t(last)] + reference);
  if (!(sb > sa)) return c;
  // A cubic Hermite bridge from the point at sa to the one at sb along the line's tangents
  // there, the radius linear between theirs.
  const Vec3 pa = c.point_at(sa), pb = c.point_at(sb);
  const double chord = (pb - pa).norm();
  const Vec3 ta = c.tangent_at(sa) * chord, tb = c.tangent_at(sb) * chord;
  const double ra = c.radius_at(sa), rb = c.radius_at(sb);
  Centerline out;
  auto push = [&](const Vec3& p, double r) {
    out.arc_length.push_back(
        out.points.empty() ? 0.0 : out.arc_length.back() + (p - out.points.back()).norm());
    out.points.push_back(p);
    out.radius.push_back(r);
  };
  std::size_t i = 0;
  for (; i < n && c.arc_length[i] < sa; ++i) push(c.points[i], c.radius[i]);
  const double step = c.length() / double(n - 1);
  const int m = std::max(2, int(std::ceil(chord / step)));
  for (int q = 0; q <= m; ++q) {
    const double t = double(q) / m, t2 = t * t, t3 = t2 * t;
    const Vec3 p = (2 * t3 - 3 * t2 + 1) * pa + (t3 - 2 * t2 + t) * ta + (-2 * t3 + 3 * t2) * pb +
                   (t3 - t2) * tb;
    push(p, ra + (rb - ra) * t);
  }
  for (; i < n; ++i)
    if (c.arc_length[i] > sb) push(c.points[i], c.radius[i]);
  return out;
}

LabelMap sac_region(const LabelMap& labels, const Centerline& parent_line, const Vec3& sac_centre,
                    double sac_radius) {
  if (!(sac_radius > 0)) throw Error("the sac's radius must be positive (mm)");
  const Centerline line = parent_across_sac(parent_line, sac_centre, sac_radius);
  LabelMap rest = labels, sac(labels.grid, 0);
  // The centerline's radius runs half a voxel below the wall (lumen_radius); the parent's own
  // voxels lie within it, so a tenth of a voxel more keeps the parent's wall voxels, which a
  // rotated grid puts at any distance up to the wall, out of the sac.
  const double beyond = 0.6 * labels.grid.spacing.minCoeff();
  std::int64_t inside = 0;
  detail::for_ball(labels.grid, sac_centre, sac_radius, [&](int i, int j, int k) {
    if (labels.at(i, j, k) == 0) return;
    const Vec3 p = labels.grid.point(i, j, k);
    const double s = line.project(p);
    if ((p - line.point_at(s)).norm() > line.radius_at(s) + beyond) {
      rest.at(i, j, k) = 0;
      sac.at(i, j, k) = 1;
      ++inside;
    }
  });
  // A segmented wall is rough: its bumps stand out of the parent's inscribed radius as shells a
  // voxel or two thick along the wall. A morphological opening (6-neighbour cross) leaves them
  // to the parent and keeps the sac's bulk.
  const Grid& g = labels.grid;
  constexpr int kFace[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  auto all_faces = [&](const LabelMap& m, int i, int j, int k) {
    for (const auto& f : kFace) {
      const int a = i + f[0], b = j + f[1], c = k + f[2];
      if (!g.contains(a, b, c) || m.at(a, b, c) == 0) return false;
    }
    return true;
  };
  LabelMap eroded(g, 0);
  detail::for_ball(g, sac_centre, sac_radius + 1e-9, [&](int i, int j, int k) {
    if (sac.at(i, j, k) != 0 && all_faces(sac, i, j, k)) eroded.at(i, j, k) = 1;
  });
  detail::for_ball(g, sac_centre, sac_radius + 1e-9, [&](int i, int j, int k) {
    if (sac.at(i, j, k) == 0 || eroded.at(i, j, k) != 0) return;
    bool near = false;
    for (const auto& f : kFace) {
      const int a = i + f[0], b = j + f[1], c = k + f[2];
      near = near || (g.contains(a, b, c) && eroded.at(a, b, c) != 0);
    }
    if (!near) {
      sac.at(i, j, k) = 0;
      rest.at(i, j, k) = labels.at(i, j, k);
      --inside;
    }
  });
  if (inside == 0)
    throw Error(
        "no lumen inside the sac's ball lies beyond the parent vessel: check the sac's "
        "centre and radius");
  // Lumen cut off from the vessel (the far side of a sac larger than the ball) is sac too.
  const LabelMap kept = largest_component(rest);
  for (std::size_t i = 0; i < rest.data.size(); ++i)
    if (rest.data[i] != 0 && kept.data[i] == 0) sac.data[i] = 1;
  return sac;
}

Intervention exclude_sac(const LabelMap& labels, const Centerline& parent, const Vec3& sac_centre,
                         double sac_radius) {
  const LabelMap sac = sac_region(labels, parent, sac_centre, sac_radius);
  Intervention out;
  out.labels = labels;
  for (std::size_t i = 0; i < sac.data.size(); ++i)
    if (sac.data[i] != 0) {
      out.labels.data[i] = 0;
      ++out.voxels_removed;
    }
  return out;
}

}  // namespace hemotwin::imaging
