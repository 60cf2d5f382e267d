#pragma once
// The centerlines of a prepared file geometry from its inlet to each outlet, shared by `hemotwin
// plan` and `hemotwin progress`.
#include <string>
#include <vector>

#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/centerline.hpp"

namespace hemotwin::cli {

struct VesselLines {
  Vec3 source = Vec3::Zero();              // mm: a voxel in from the (first) inlet
  std::vector<Vec3> targets;               // mm: a voxel in from each outlet
  std::vector<std::string> outlets;        // their names
  std::vector<imaging::Centerline> lines;  // source -> each target
};

/// On the prepared lumen (g.lumen, a 0/1 mask). Throws Failure (usage) when the geometry has no
/// inlet or no outlet.
VesselLines vessel_lines(const imaging::PreparedGeometry& g, const char* command);

/// The index of the line that passes nearest `p` (mm).
std::size_t line_nearest(const std::vector<imaging::Centerline>& lines, const Vec3& p);

}  // namespace hemotwin::cli
