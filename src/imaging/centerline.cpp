#include "hemotwin/imaging/centerline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <type_traits>

#include "hemotwin/core/error.hpp"
#include "raw.hpp"
#include "text.hpp"
#include "voxel_ball.hpp"

namespace hemotwin::imaging {

namespace {

LabelMap lumen_mask(const LabelMap& labels, int label) {
  LabelMap m(labels.grid, 0);
  for (std::size_t i = 0; i < labels.data.size(); ++i)
    m.data[i] = (label == 0 ? labels.data[i] != 0 : labels.data[i] == label) ? 1 : 0;
  return m;
}

/// Trilinear interpolation of a voxel field (scalar or vector) at a physical point, clamped to
/// the grid.
template <class T>
auto sample(const Volume<T>& v, const Vec3& p) {
  using Out = std::conditional_t<std::is_arithmetic_v<T>, double, T>;
  const Vec3 c = v.grid.index(p);
  int i0[3];
  double t[3];
  for (int a = 0; a < 3; ++a) {
    const double x = std::clamp(c[a], 0.0, double(v.grid.size[a] - 1));
    i0[a] = std::min(int(std::floor(x)), std::max(v.grid.size[a] - 2, 0));
    t[a] = v.grid.size[a] > 1 ? x - i0[a] : 0.0;
  }
  Out out{};
  if constexpr (!std::is_arithmetic_v<T>) out = T::Zero();
  for (int dz = 0; dz < 2; ++dz)
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx) {
        const int i = std::min(i0[0] + dx, v.grid.size[0] - 1);
        const int j = std::min(i0[1] + dy, v.grid.size[1] - 1);
        const int k = std::min(i0[2] + dz, v.grid.size[2] - 1);
        const double w = (dx ? t[0] : 1 - t[0]) * (dy ? t[1] : 1 - t[1]) * (dz ? t[2] : 1 - t[2]);
        out += w * v.at(i, j, k);
      }
  return out;
}

/// The lumen voxel nearest to p within `reach` mm; throws naming `what` when there is none.
Index3 snap(const LabelMap& mask, const Vec3& p, double reach, const std::string& what) {
  const Grid& g = mask.grid;
  const Index3 n = g.nearest(p);
  if (g.contains(n[0], n[1], n[2]) && mask.at(n[0], n[1], n[2])) return n;
  Index3 best{-1, -1, -1};
  double best_d = std::numeric_limits<double>::infinity();
  detail::for_ball(g, p, reach, [&](int i, int j, int k) {
    const double d = (g.point(i, j, k) - p).norm();
    if (mask.at(i, j, k) && d < best_d) {
      best_d = d;
      best = {i, j, k};
    }
  });
  if (best[0] < 0)
    throw Error("the " + what + " " + detail::mm_text(p) +
                " lies outside the lumen (no lumen voxel within " + std::to_string(reach) +
                " mm); give a point inside the vessel");
  return best;
}

bool reached(const Volume<float>& time, const LabelMap& mask, float unreached, int i, int j,
             int k) {
  return time.grid.contains(i, j, k) && mask.at(i, j, k) && time.at(i, j, k) < 0.5f * unreached;
}

/// The gradient of the arrival time (physical, per mm) at every reached voxel: central
/// differences where both neighbours along an axis were reached, one-sided where one was.
Volume<Vec3> arrival_gradient(const Volume<float>& time, const LabelMap& mask, float unreached) {
  const Grid& g = time.grid;
  Volume<Vec3> out(g, Vec3::Zero());
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i) {
        if (!reached(time, mask, unreached, i, j, k)) continue;
        Vec3 d = Vec3::Zero();
        const int at[3] = {i, j, k};
        for (int a = 0; a < 3; ++a) {
          int lo[3] = {at[0], at[1], at[2]}, hi[3] = {at[0], at[1], at[2]};
          --lo[a];
          ++hi[a];
          const bool l = reached(time, mask, unreached, lo[0], lo[1], lo[2]);
          const bool u = reached(time, mask, unreached, hi[0], hi[1], hi[2]);
          const double t0 = time.at(i, j, k);
          if (l && u)
            d[a] = (time.at(hi[0], hi[1], hi[2]) - time.at(lo[0], lo[1], lo[2])) / 2;
          else if (u)
            d[a] = time.at(hi[0], hi[1], hi[2]) - t0;
          else if (l)
            d[a] = t0 - time.at(lo[0], lo[1], lo[2]);
          d[a] /= g.spacing[a];
        }
        out.at(i, j, k) = g.direction * d;
      }
  return out;
}

/// The radius of the largest ball about p inside the lumen: the distance from p itself to the
/// nearest background voxel centre, less half a voxel (the wall lies between that centre and the
/// lumen's), searched within `guess` plus two voxels. Interpolating the voxels' radii instead
/// would cut the ridge of the field (a cone about the axis) by another half voxel.
double inscribed_radius(const LabelMap& mask, const Vec3& p, double guess) {
  const Grid& g = mask.grid;
  const double reach = guess + 2 * g.spacing.maxCoeff();
  double best = reach * reach;
  detail::for_ball(
      g, p, reach,
      [&](int i, int j, int k) {
        if (!g.contains(i, j, k) || !mask.at(i, j, k))  // beyond the grid counts as background
          best = std::min(best, (g.point(i, j, k) - p).squaredNorm());
      },
      /*clip=*/false);
  return std::max(std::sqrt(best) - 0.5 * g.spacing.minCoeff(), 0.0);
}

/// The minimal path from voxel `from` down the arrival time to voxel `to`: gradient descent in
/// steps of a quarter voxel on the interpolated gradient (sub-voxel, so the path is not pulled to
/// the grid's directions), ending once within a voxel of `to`. Where the gradient gives out (a
/// flat or ragged spot), one step of discrete descent over the 26 neighbours takes over.
std::vector<Vec3> descend(const Volume<float>& time, const Volume<Vec3>& gradient,
                          const LabelMap& mask, float unreached, Index3 from, const Index3& to) {
  const Grid& g = time.grid;
  const double h = g.spacing.minCoeff();
  const Vec3 end = g.point(to[0], to[1], to[2]);
  Vec3 p = g.point(from[0], from[1], from[2]);
  std::vector<Vec3> path{p};
  // Generous: a path can wind, but never past every voxel of the lumen.
  const std::size_t max_steps = 8 * std::size_t(g.voxels()) + 1000;
  double lowest = sample(time, p);
  int stalled = 0;  // gradient steps since the arrival time last fell
  for (std::size_t n = 0; n < max_steps; ++n) {
    if ((p - end).norm() <= h) {
      path.push_back(end);
      return path;
    }
    const Vec3 d = sample(gradient, p);
    const Index3 v = g.nearest(p);
    const bool inside = g.contains(v[0], v[1], v[2]) && mask.at(v[0], v[1], v[2]);
    const double t = sample(time, p);
    if (t < lowest) {
      lowest = t;
      stalled = 0;
    }
    if (d.norm() > 1e-12 && inside && ++stalled < 8) {
      const Vec3 q = p - 0.25 * h * d.normalized();
      const Index3 w = g.nearest(q);
      if (reached(time, mask, unreached, w[0], w[1], w[2])) {
        p = q;
        path.push_back(p);
        continue;
      }
    }
    // Discrete descent from the nearest reached voxel.
    Index3 cur = v;
    if (!reached(time, mask, unreached, cur[0], cur[1], cur[2])) cur = from;
    Index3 next = cur;
    double best = time.at(cur[0], cur[1], cur[2]);
    for (int dz = -1; dz <= 1; ++dz)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int i = cur[0] + dx, j = cur[1] + dy, k = cur[2] + dz;
          if (!reached(time, mask, unreached, i, j, k)) continue;
          if (time.at(i, j, k) < best) {
            best = time.at(i, j, k);
            next = {i, j, k};
          }
        }
    if (next == cur) {
      if (cur == to) {
        path.push_back(end);
        return path;
      }
      throw Error("internal: the centerline's descent stalled at " +
                  detail::mm_text(g.point(cur[0], cur[1], cur[2])));
    }
    from = next;
    p = g.point(next[0], next[1], next[2]);
    path.push_back(p);
    lowest = sample(time, p);
    stalled = 0;
  }
  throw Error("internal: the centerline's descent did not reach the source");
}

}  // namespace

Volume<float> lumen_radius(const LabelMap& labels, int label) {
  const LabelMap mask = lumen_mask(labels, label);
  LabelMap background(mask.grid, 0);
  for (std::size_t i = 0; i < mask.data.size(); ++i) background.data[i] = mask.data[i] ? 0 : 1;
  std::vector<float> d = itk_ops::distance_to_mask(detail::to_raw(background));
  const double half = 0.5 * mask.grid.spacing.minCoeff();
  Volume<float> r(mask.grid, 0.0f);
  for (std::size_t i = 0; i < d.size(); ++i)
    r.data[i] = mask.data[i] ? float(std::max(d[i] - half, half)) : 0.0f;
  return r;
}

std::vector<Centerline> centerlines(const LabelMap& labels, const Vec3& source,
                                    const std::vector<Vec3>& targets, const CenterlineOptions& o) {
  if (labels.grid.voxels() == 0 || labels.data.size() != std::size_t(labels.grid.voxels()))
    throw Error("centerlines need a label map");
  if (targets.empty()) throw Error("centerlines need at least one target point");
  if (!(o.speed_power > 0) || o.smoothing < 0 || o.step < 0 || o.snap < 0)
    throw Error("centerline options: speed_power > 0, smoothing >= 0, step >= 0, snap >= 0");
  const Grid& g = labels.grid;
  const double h = g.spacing.minCoeff();
  const LabelMap mask = lumen_mask(labels, o.label);
  const Volume<float> r = lumen_radius(labels, o.label);
  const double r_max = *std::max_element(r.data.begin(), r.data.end());
  if (!(r_max > 0))
    throw Error("the label map holds no lumen" + std::string(o.label ? " with that label" : ""));

  const double reach = o.snap > 0 ? o.snap : 2 * g.spacing.maxCoeff();
  const Index3 seed = snap(mask, source, reach, "source");
  std::vector<Index3> goals;
  for (std::size_t k = 0; k < targets.size(); ++k)
    goals.push_back(snap(mask, targets[k], reach, "target " + std::to_string(k)));

  Volume<float> speed(g, 0.0f);
  for (std::size_t i = 0; i < r.data.size(); ++i)
    if (mask.data[i])
      speed.data[i] = float(std::max(std::pow(r.data[i] / r_max, o.speed_power), 1e-3));
  float unreached = 0;
  Volume<float> time(g, 0.0f);
  time.data = itk_ops::arrival_time(detail::to_raw(speed), seed, goals, unreached);

  const Volume<Vec3> gradient = arrival_gradient(time, mask, unreached);
  const double step = o.step > 0 ? o.step : 0.5 * h;
  std::vector<Centerline> out;
  for (std::size_t k = 0; k < goals.size(); ++k) {
    const Index3 cur = goals[k];
    if (!(time.at(cur[0], cur[1], cur[2]) < 0.5f * unreached))
      throw Error("target " + std::to_string(k) + " " + detail::mm_text(targets[k]) +
                  " is not connected to the source " + detail::mm_text(source) +
                  " through the lumen");
    std::vector<Vec3> path = descend(time, gradient, mask, unreached, cur, seed);
    std::reverse(path.begin(), path.end());
    // Laplacian smoothing, ends fixed: takes out the voxel steps.
    for (int it = 0; it < o.smoothing && path.size() > 2; ++it) {
      std::vector<Vec3> next = path;
      for (std::size_t i = 1; i + 1 < path.size(); ++i)
        next[i] = 0.5 * path[i] + 0.25 * (path[i - 1] + path[i + 1]);
      path = std::move(next);
    }
    // Resampled at `step` along the arc.
    std::vector<double> s(path.size(), 0.0);
    for (std::size_t i = 1; i < path.size(); ++i) s[i] = s[i - 1] + (path[i] - path[i - 1]).norm();
    Centerline c;
    const int n = std::max(1, int(std::ceil(s.back() / step)));
    std::size_t seg = 0;
    for (int q = 0; q <= n; ++q) {
      const double sq = s.back() * q / n;
      while (seg + 2 < s.size() && s[seg + 1] < sq) ++seg;
      const double len = s.size() > 1 ? s[seg + 1] - s[seg] : 0.0;
      const double t = len > 0 ? std::clamp((sq - s[seg]) / len, 0.0, 1.0) : 0.0;
      const Vec3 p = s.size() > 1 ? Vec3((1 - t) * path[seg] + t * path[seg + 1]) : path[0];
      c.points.push_back(p);
      c.arc_length.push_back(sq);
      c.radius.push_back(inscribed_radius(mask, p, sample(r, p)));
    }
    out.push_back(std::move(c));
  }
  return out;
}

// ---- Centerline
// ----------------------------------------------------------------------------------

namespace {

/// The segment [i, i + 1] holding arc length s, and the fraction along it.
std::pair<std::size_t, double> locate(const Centerline& c, double s) {
  if (c.points.size() < 2) return {0, 0.0};
  s = std::clamp(s, 0.0, c.length());
  const auto it = std::upper_bound(c.arc_length.begin(), c.arc_length.end(), s);
  std::size_t i = std::size_t(std::max<std::ptrdiff_t>(it - c.arc_length.begin() - 1, 0));
  i = std::min(i, c.points.size() - 2);
  const double len = c.arc_length[i + 1] - c.arc_length[i];
  return {i, len > 0 ? (s - c.arc_length[i]) / len : 0.0};
}

}  // namespace

Vec3 Centerline::point_at(double s) const {
  if (points.empty()) throw Error("an empty centerline");
  if (points.size() == 1) return points[0];
  const auto [i, t] = locate(*this, s);
  return (1 - t) * points[i] + t * points[i + 1];
}

double Centerline::radius_at(double s) const {
  if (radius.empty()) throw Error("an empty centerline");
  if (radius.size() == 1) return radius[0];
  const auto [i, t] = locate(*this, s);
  return (1 - t) * radius[i] + t * radius[i + 1];
}

Vec3 Centerline::tangent_at(double s) const {
  if (points.size() < 2) throw Error("a centerline of one point has no tangent");
  // A central difference over about two voxels' worth of points, steadier than one segment.
  const double h = std::max(2 * (arc_length[1] - arc_length[0]), 1e-9);
  const Vec3 d = point_at(std::min(s + h, length())) - point_at(std::max(s - h, 0.0));
  return d.normalized();
}

double Centerline::project(const Vec3& p) const {
  if (points.empty()) throw Error("an empty centerline");
  double best = std::numeric_limits<double>::infinity(), at = 0;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    const Vec3 d = points[i + 1] - points[i];
    const double len2 = d.squaredNorm();
    const double t = len2 > 0 ? std::clamp((p - points[i]).dot(d) / len2, 0.0, 1.0) : 0.0;
    const double dist = (points[i] + t * d - p).squaredNorm();
    if (dist < best) {
      best = dist;
      at = arc_length[i] + t * (arc_length[i + 1] - arc_length[i]);
    }
  }
  return points.size() == 1 ? 0.0 : at;
}

std::size_t Centerline::narrowest(double s0, double s1) const {
  std::size_t best = 0;
  double r = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < radius.size(); ++i)
    if (arc_length[i] >= s0 && arc_length[i] <= s1 && radius[i] < r) {
      r = radius[i];
      best = i;
    }
  return best;
}

}  // namespace hemotwin::imaging
