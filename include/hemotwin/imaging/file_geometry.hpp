#pragma once
// A prepared file geometry (hemotwin::imaging::prepare_geometry, millimetres) as what
// hemotwin::io::run_case takes from its geometry callback (metres). The CLI and Python both use
// it; it is header-only so that hemotwin::imaging need not link hemotwin::io.
#include <utility>

#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/io/run.hpp"

namespace hemotwin::imaging {

inline io::FileGeometry to_file_geometry(PreparedGeometry g) {
  io::FileGeometry out{std::move(g.domain), {}};
  out.wall.points.reserve(g.wall.points.size());
  for (const Vec3& p : g.wall.points) out.wall.points.push_back(p * 1e-3);  // mm -> m
  out.wall.triangles.reserve(g.wall.triangles.size());
  for (const auto& t : g.wall.triangles) out.wall.triangles.push_back({t[0], t[1], t[2]});
  return out;
}

}  // namespace hemotwin::imaging
