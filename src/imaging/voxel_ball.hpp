#pragma once
// Visiting the voxels about a point (private to hemotwin::imaging): the centerline's snapping and
// inscribed radius, and the interventions' balls.
#include <algorithm>
#include <cmath>

#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging::detail {

/// Calls f(i, j, k) for every voxel whose centre lies within `radius` (mm) of p: those of the
/// grid only, or with `clip` false those beyond its edges too (indices outside [0, size)).
template <class F>
void for_ball(const Grid& g, const Vec3& p, double radius, F&& f, bool clip = true) {
  const Vec3 c = g.index(p);
  int lo[3], hi[3];
  for (int a = 0; a < 3; ++a) {
    lo[a] = int(std::floor(c[a] - radius / g.spacing[a]));
    hi[a] = int(std::ceil(c[a] + radius / g.spacing[a]));
    if (clip) {
      lo[a] = std::max(lo[a], 0);
      hi[a] = std::min(hi[a], g.size[a] - 1);
    }
  }
  for (int k = lo[2]; k <= hi[2]; ++k)
    for (int j = lo[1]; j <= hi[1]; ++j)
      for (int i = lo[0]; i <= hi[0]; ++i)
        if ((g.point(i, j, k) - p).squaredNorm() <= radius * radius) f(i, j, k);
}

}  // namespace hemotwin::imaging::detail
