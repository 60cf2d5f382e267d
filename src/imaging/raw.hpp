#pragma once
// Volume <-> the plain buffers of itk_ops (private; Eigen side).
#include "hemotwin/geometry/volume.hpp"
#include "itk_ops.hpp"

namespace hemotwin::imaging::detail {

inline itk_ops::RawGrid to_raw(const Grid& g) {
  itk_ops::RawGrid r;
  for (int a = 0; a < 3; ++a) {
    r.size[a] = g.size[a];
    r.origin[a] = g.origin[a];
    r.spacing[a] = g.spacing[a];
    for (int b = 0; b < 3; ++b) r.direction[3 * a + b] = g.direction(a, b);
  }
  return r;
}

inline Grid from_raw(const itk_ops::RawGrid& r) {
  Grid g;
  for (int a = 0; a < 3; ++a) {
    g.size[a] = r.size[a];
    g.origin[a] = r.origin[a];
    g.spacing[a] = r.spacing[a];
    for (int b = 0; b < 3; ++b) g.direction(a, b) = r.direction[3 * a + b];
  }
  return g;
}

template <class T>
itk_ops::Raw<T> to_raw(const Volume<T>& v) {
  return {to_raw(v.grid), v.data};
}

template <class T, class U>
Volume<T> from_raw(itk_ops::Raw<U>&& r) {
  Volume<T> v;
  v.grid = from_raw(r.grid);
  if constexpr (std::is_same_v<T, U>) {
    v.data = std::move(r.data);
  } else {
    v.data.assign(r.data.begin(), r.data.end());
  }
  return v;
}

}  // namespace hemotwin::imaging::detail
