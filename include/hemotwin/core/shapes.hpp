#pragma once
// Analytic shapes to build geometry from until scans arrive. Each says whether a point is inside
// the fluid and where a straight segment leaving the fluid first crosses the wall, exactly, so
// Bouzidi walls get exact q. Host-only (used once, to build the lattice and its boundary links).
#include <Eigen/Core>
#include <Eigen/Geometry>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace hemotwin {

using Vec3 = Eigen::Vector3d;

/// Where a link met a wall made of elements (a triangle surface): the element and the point's
/// barycentric weights on its vertices. element < 0: not known (an analytic wall).
struct WallPoint {
  std::int32_t element = -1;
  std::array<double, 3> weights{};
};

class Shape {
 public:
  virtual ~Shape() = default;
  /// True when `p` lies in the fluid.
  virtual bool contains(const Vec3& p) const = 0;
  /// For `p` inside, the smallest t in (0, 1] with p + t d on the wall, or a value > 1 when the
  /// segment stays inside.
  virtual double intersect(const Vec3& p, const Vec3& d) const = 0;
  /// intersect(), and where on the wall the crossing lies when the shape knows (`at`; else it
  /// is left unknown). A moving surface's velocity at the crossing is then read off its
  /// element's vertices instead of searched for (MovingShape::velocity_field_on).
  virtual double intersect_at(const Vec3& p, const Vec3& d, WallPoint& at) const {
    at = WallPoint{};
    return intersect(p, d);
  }
  /// Axis-aligned bounds of the fluid.
  virtual Eigen::AlignedBox3d bounds() const = 0;
  /// contains() for the `n` points start + i * step * x-hat (a lattice row), written as 0/1 into
  /// `out`. Shapes that answer a whole row at once (a surface cast by one ray) override it.
  virtual void contains_row(const Vec3& start, double step, int n, std::uint8_t* out) const {
    for (int i = 0; i < n; ++i) out[i] = contains(start + Vec3(step * i, 0, 0)) ? 1 : 0;
  }
};

/// The inside of an axis-aligned box (walls on all six faces unless the domain is periodic there).
class BoxShape final : public Shape {
 public:
  BoxShape(const Vec3& lo, const Vec3& hi) : box_(lo, hi) {}
  bool contains(const Vec3& p) const override;
  double intersect(const Vec3& p, const Vec3& d) const override;
  Eigen::AlignedBox3d bounds() const override { return box_; }

 private:
  Eigen::AlignedBox3d box_;
};

/// The gap between two parallel plates through `point` with unit normal `normal`, `gap` apart
/// (plates at point and point + gap * normal). Unbounded in-plane: bounds() covers `extent`.
class ChannelShape final : public Shape {
 public:
  ChannelShape(const Vec3& point, const Vec3& normal, double gap,
               const Eigen::AlignedBox3d& extent);
  bool contains(const Vec3& p) const override;
  double intersect(const Vec3& p, const Vec3& d) const override;
  Eigen::AlignedBox3d bounds() const override { return extent_; }

 private:
  Vec3 point_, normal_;
  double gap_;
  Eigen::AlignedBox3d extent_;
};

/// A circular pipe of radius R around the line through `origin` along `axis` (any direction),
/// from s = 0 to s = length along the axis (the ends are open: iolet planes or periodic images
/// close them). An optional cosine stenosis narrows the radius to R (1 - severity) at s = position:
///   R(s) = R [1 - severity/2 (1 + cos(2 pi (s - position) / stenosis_length))] for
///   |s - position| < stenosis_length / 2.
/// `images` are translations (periodic copies) whose union with the pipe is the fluid.
class PipeShape final : public Shape {
 public:
  PipeShape(const Vec3& origin, const Vec3& axis, double radius, double length);
  PipeShape& with_stenosis(double severity, double position, double stenosis_length);
  PipeShape& with_images(std::vector<Vec3> images);
  PipeShape& unbounded_length(bool v = true) {
    unbounded_ = v;
    return *this;
  }

  double radius_at(double s) const;
  bool contains(const Vec3& p) const override;
  double intersect(const Vec3& p, const Vec3& d) const override;
  Eigen::AlignedBox3d bounds() const override;

  const Vec3& origin() const { return origin_; }
  const Vec3& axis() const { return axis_; }
  double radius() const { return radius_; }
  double length() const { return length_; }

 private:
  bool contains_one(const Vec3& p) const;
  double intersect_one(const Vec3& p, const Vec3& d) const;
  Vec3 origin_, axis_;
  double radius_, length_;
  double severity_ = 0, position_ = 0, stenosis_length_ = 0;
  bool unbounded_ = false;
  std::vector<Vec3> images_{Vec3::Zero()};
};

/// A fluid shape with a solid circular cylinder taken out of it: the obstacle of radius `radius`
/// around the infinite line through `centre` along `axis` (it ends where the fluid's own walls
/// do, as the cylinder of the Schaefer-Turek benchmark spans its channel). Walls on both: a
/// segment leaves the fluid where it first leaves `fluid` or first enters the cylinder.
class CylinderObstacle final : public Shape {
 public:
  CylinderObstacle(std::shared_ptr<const Shape> fluid, const Vec3& centre, const Vec3& axis,
                   double radius);
  bool contains(const Vec3& p) const override;
  double intersect(const Vec3& p, const Vec3& d) const override;
  Eigen::AlignedBox3d bounds() const override { return fluid_->bounds(); }
  /// True when `p` lies on the obstacle's surface within `tolerance` (to pick its wall links).
  bool on_obstacle(const Vec3& p, double tolerance) const;

 private:
  std::shared_ptr<const Shape> fluid_;
  Vec3 centre_, axis_;
  double radius_;
};

}  // namespace hemotwin
