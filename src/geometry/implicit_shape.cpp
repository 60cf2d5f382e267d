#include "hemotwin/geometry/implicit_shape.hpp"

#include <algorithm>
#include <cmath>

#include "hemotwin/core/error.hpp"

namespace hemotwin {

ImplicitShape::ImplicitShape(std::shared_ptr<const Image> field, double level)
    : field_(std::move(field)), level_(level) {
  if (!field_ || field_->grid.voxels() == 0 ||
      std::int64_t(field_->data.size()) != field_->grid.voxels())
    throw Error("an implicit shape needs a non-empty field");
  const Grid& g = field_->grid;
  const auto [lo, hi] = std::minmax_element(field_->data.begin(), field_->data.end());
  if (!(*hi > level_))
    throw Error("nothing in the field lies above the level " + std::to_string(level_) +
                " (the field's maximum is " + std::to_string(*hi) + ")");
  outside_ = std::min(double(*lo), level_) - 1.0;
  step_ = 0.25 * g.spacing.minCoeff();
  // Bounds: the index box of the voxels above the level, one voxel wider (the interpolant reaches
  // that far), as a physical box around its corners.
  int first[3] = {g.size[0], g.size[1], g.size[2]}, last[3] = {-1, -1, -1};
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i)
        if (field_->at(i, j, k) > level_) {
          const int ijk[3] = {i, j, k};
          for (int a = 0; a < 3; ++a) {
            first[a] = std::min(first[a], ijk[a]);
            last[a] = std::max(last[a], ijk[a]);
          }
        }
  for (int c = 0; c < 8; ++c)
    bounds_.extend(
        g.point(Vec3((c & 1) ? last[0] + 1 : first[0] - 1, (c & 2) ? last[1] + 1 : first[1] - 1,
                     (c & 4) ? last[2] + 1 : first[2] - 1)));
}

double ImplicitShape::value(const Vec3& p) const {
  const Grid& g = field_->grid;
  const Vec3 c = g.index(p);
  int i0[3];
  double t[3];
  for (int a = 0; a < 3; ++a) {
    // Within half a voxel of the outermost centres the field is extended by its edge value;
    // beyond, it is outside.
    if (c[a] < -0.5 || c[a] > g.size[a] - 0.5) return outside_;
    const double ca = std::clamp(c[a], 0.0, double(g.size[a] - 1));
    i0[a] = std::min(int(std::floor(ca)), std::max(g.size[a] - 2, 0));
    t[a] = g.size[a] > 1 ? ca - i0[a] : 0.0;
  }
  double v = 0;
  for (int corner = 0; corner < 8; ++corner) {
    const int di = corner & 1, dj = (corner >> 1) & 1, dk = (corner >> 2) & 1;
    const int ii = std::min(i0[0] + di, g.size[0] - 1), jj = std::min(i0[1] + dj, g.size[1] - 1),
              kk = std::min(i0[2] + dk, g.size[2] - 1);
    const double w = (di ? t[0] : 1 - t[0]) * (dj ? t[1] : 1 - t[1]) * (dk ? t[2] : 1 - t[2]);
    v += w * field_->at(ii, jj, kk);
  }
  return v;
}

double ImplicitShape::intersect(const Vec3& p, const Vec3& d) const {
  // March in steps of a quarter voxel to the first sample at or below the level, then bisect:
  // the crossing of the interpolant is found to round-off.
  const double len = d.norm();
  if (!(len > 0)) return 2;
  const int n = std::max(1, int(std::ceil(len / step_)));
  double a = 0;
  for (int s = 1; s <= n; ++s) {
    const double b = double(s) / n;
    if (value(p + b * d) <= level_) {
      double lo = a, hi = b;
      for (int it = 0; it < 60 && hi - lo > 1e-13; ++it) {
        const double m = 0.5 * (lo + hi);
        (value(p + m * d) > level_ ? lo : hi) = m;
      }
      return hi;
    }
    a = b;
  }
  return 2;  // the segment stays inside
}

}  // namespace hemotwin
