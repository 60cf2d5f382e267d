#include "hemotwin/core/shapes.hpp"

#include <Eigen/Geometry>
#include <cmath>
#include <limits>
#include <numbers>

#include "hemotwin/core/error.hpp"

namespace hemotwin {
namespace {
constexpr double kNone = std::numeric_limits<double>::infinity();

// Smallest root in (0, 1] of a t^2 + b t + c = 0, or kNone.
double smallest_root_in_unit(double a, double b, double c) {
  if (std::abs(a) < 1e-300) {
    if (std::abs(b) < 1e-300) return kNone;
    const double t = -c / b;
    return (t > 0 && t <= 1) ? t : kNone;
  }
  const double disc = b * b - 4 * a * c;
  if (disc < 0) return kNone;
  const double sq = std::sqrt(disc);
  // Numerically stable pair of roots.
  const double qq = -0.5 * (b + std::copysign(sq, b));
  double t1 = qq / a, t2 = (qq != 0) ? c / qq : kNone;
  if (t1 > t2) std::swap(t1, t2);
  if (t1 > 0 && t1 <= 1) return t1;
  if (t2 > 0 && t2 <= 1) return t2;
  return kNone;
}
}  // namespace

// ---- box
// ------------------------------------------------------------------------------------------
bool BoxShape::contains(const Vec3& p) const {
  return (p.array() > box_.min().array()).all() && (p.array() < box_.max().array()).all();
}

double BoxShape::intersect(const Vec3& p, const Vec3& d) const {
  double t = kNone;
  for (int a = 0; a < 3; ++a) {
    if (d[a] > 0) t = std::min(t, (box_.max()[a] - p[a]) / d[a]);
    if (d[a] < 0) t = std::min(t, (box_.min()[a] - p[a]) / d[a]);
  }
  return (t > 0 && t <= 1) ? t : kNone;
}

// ---- channel
// ----------------------------------------------------------------------------------------
ChannelShape::ChannelShape(const Vec3& point, const Vec3& normal, double gap,
                           const Eigen::AlignedBox3d& extent)
    : point_(point), normal_(normal.normalized()), gap_(gap), extent_(extent) {
  if (!(gap > 0)) throw Error("channel gap must be positive");
}

bool ChannelShape::contains(const Vec3& p) const {
  const double s = (p - point_).dot(normal_);
  return s > 0 && s < gap_;
}

double ChannelShape::intersect(const Vec3& p, const Vec3& d) const {
  const double s = (p - point_).dot(normal_);
  const double ds = d.dot(normal_);
  double t = kNone;
  if (ds > 0) t = (gap_ - s) / ds;
  if (ds < 0) t = -s / ds;
  return (t > 0 && t <= 1) ? t : kNone;
}

// ---- pipe
// -------------------------------------------------------------------------------------------
PipeShape::PipeShape(const Vec3& origin, const Vec3& axis, double radius, double length)
    : origin_(origin), axis_(axis.normalized()), radius_(radius), length_(length) {
  if (!(radius > 0)) throw Error("pipe radius must be positive");
  if (!(length > 0)) throw Error("pipe length must be positive");
  if (!(axis.norm() > 0)) throw Error("pipe axis must be a non-zero vector");
}

PipeShape& PipeShape::with_stenosis(double severity, double position, double stenosis_length) {
  if (!(severity >= 0 && severity <= 0.95))
    throw Error("stenosis severity must lie in [0, 0.95] (diameter reduction)");
  if (!(stenosis_length > 0)) throw Error("stenosis length must be positive");
  severity_ = severity;
  position_ = position;
  stenosis_length_ = stenosis_length;
  return *this;
}

PipeShape& PipeShape::with_images(std::vector<Vec3> images) {
  images_ = std::move(images);
  if (images_.empty()) images_.push_back(Vec3::Zero());
  return *this;
}

double PipeShape::radius_at(double s) const {
  if (severity_ <= 0) return radius_;
  const double x = s - position_;
  if (std::abs(x) >= 0.5 * stenosis_length_) return radius_;
  return radius_ *
         (1.0 - 0.5 * severity_ * (1.0 + std::cos(2.0 * std::numbers::pi * x / stenosis_length_)));
}

bool PipeShape::contains_one(const Vec3& p) const {
  const Vec3 r = p - origin_;
  const double s = r.dot(axis_);
  if (!unbounded_ && (s < 0 || s > length_)) return false;
  const double rr = (r - s * axis_).squaredNorm();
  const double R = radius_at(s);
  return rr < R * R;
}

bool PipeShape::contains(const Vec3& p) const {
  for (const auto& img : images_)
    if (contains_one(p - img)) return true;
  return false;
}

double PipeShape::intersect_one(const Vec3& p, const Vec3& d) const {
  // Radial distance squared minus R(s)^2 along the segment: a quadratic where R is constant.
  const Vec3 r = p - origin_;
  const double s0 = r.dot(axis_), ds = d.dot(axis_);
  const Vec3 rp = r - s0 * axis_, dp = d - ds * axis_;
  if (severity_ <= 0) {
    return smallest_root_in_unit(dp.squaredNorm(), 2 * rp.dot(dp),
                                 rp.squaredNorm() - radius_ * radius_);
  }
  // Stenosis: g(t) = |r_perp(t)| - R(s(t)); find its first sign change on (0, 1] by sampling,
  // then bisect to round-off (g is smooth, so the exact crossing is recovered to 1e-15).
  auto g = [&](double t) { return (rp + t * dp).norm() - radius_at(s0 + t * ds); };
  constexpr int n = 64;
  double t_prev = 0, g_prev = g(0);
  if (g_prev >= 0) return kNone;  // p is not inside
  for (int k = 1; k <= n; ++k) {
    const double t = static_cast<double>(k) / n, gv = g(t);
    if (gv >= 0) {
      double lo = t_prev, hi = t;
      for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
        const double mid = 0.5 * (lo + hi);
        (g(mid) >= 0 ? hi : lo) = mid;
      }
      return hi;
    }
    t_prev = t;
    g_prev = gv;
  }
  return kNone;
}

double PipeShape::intersect(const Vec3& p, const Vec3& d) const {
  // The segment leaves the fluid where it leaves the last image that holds it: for disjoint
  // images (the usual case) that is the first crossing of the image containing p.
  double t = kNone;
  for (const auto& img : images_)
    if (contains_one(p - img)) t = std::min(t, intersect_one(p - img, d));
  return t;
}

Eigen::AlignedBox3d PipeShape::bounds() const {
  Eigen::AlignedBox3d box;
  // The extent of a disc of radius R normal to the axis: R sqrt(1 - a_i^2) per axis.
  const Vec3 half = radius_ * (Vec3::Ones() - axis_.cwiseAbs2()).cwiseMax(0).cwiseSqrt();
  for (const Vec3& end : {origin_, Vec3(origin_ + length_ * axis_)}) {
    box.extend(end - half);
    box.extend(end + half);
  }
  return box;
}

// ---- cylinder obstacle
// ---------------------------------------------------------------------------------
CylinderObstacle::CylinderObstacle(std::shared_ptr<const Shape> fluid, const Vec3& centre,
                                   const Vec3& axis, double radius)
    : fluid_(std::move(fluid)), centre_(centre), axis_(axis.normalized()), radius_(radius) {
  if (!fluid_) throw Error("a cylinder obstacle needs a fluid shape to sit in");
  if (!(radius > 0)) throw Error("a cylinder obstacle's radius must be positive");
  if (!(axis.norm() > 0)) throw Error("a cylinder obstacle's axis must be non-zero");
}

bool CylinderObstacle::contains(const Vec3& p) const {
  const Vec3 r = p - centre_;
  return (r - r.dot(axis_) * axis_).squaredNorm() > radius_ * radius_ && fluid_->contains(p);
}

bool CylinderObstacle::on_obstacle(const Vec3& p, double tolerance) const {
  const Vec3 r = p - centre_;
  return std::abs((r - r.dot(axis_) * axis_).norm() - radius_) <= tolerance;
}

double CylinderObstacle::intersect(const Vec3& p, const Vec3& d) const {
  double t = fluid_->intersect(p, d);
  // |r + t e|^2 = R^2 in the plane across the axis; p lies outside, so the smaller root enters.
  const Vec3 r0 = p - centre_;
  const Vec3 r = r0 - r0.dot(axis_) * axis_, e = d - d.dot(axis_) * axis_;
  const double a = e.squaredNorm(), b = r.dot(e), c = r.squaredNorm() - radius_ * radius_;
  const double disc = b * b - a * c;
  if (a > 0 && disc >= 0) {
    const double t0 = (-b - std::sqrt(disc)) / a;
    if (t0 > 0 && t0 <= 1) t = std::min(t, t0);
  }
  return (t > 0 && t <= 1) ? t : kNone;
}

}  // namespace hemotwin
