#pragma once
// A lumen given by a sampled field: the fluid is where the trilinear interpolant of `field` is
// above `level` (a scan and its threshold, a smoothed label map at 0.5, or minus a signed
// distance at 0). Walls lie on the interpolant's level set, found to round-off along every
// lattice link, so Bouzidi walls get the sub-voxel wall distance q the data support.
#include <memory>

#include "hemotwin/core/shapes.hpp"
#include "hemotwin/geometry/volume.hpp"

namespace hemotwin {

class ImplicitShape final : public Shape {
 public:
  /// Throws when the field is empty or nothing in it exceeds `level`.
  ImplicitShape(std::shared_ptr<const Image> field, double level);

  /// The interpolated field at p (mm); below every value outside the grid.
  double value(const Vec3& p) const;
  bool contains(const Vec3& p) const override { return value(p) > level_; }
  double intersect(const Vec3& p, const Vec3& d) const override;
  Eigen::AlignedBox3d bounds() const override { return bounds_; }

  const Image& field() const { return *field_; }
  double level() const { return level_; }

 private:
  std::shared_ptr<const Image> field_;
  double level_;
  double outside_;  // the value taken outside the grid
  double step_;     // sampling step along a segment, mm (a quarter of the smallest spacing)
  Eigen::AlignedBox3d bounds_;
};

}  // namespace hemotwin
