#include "hemotwin/imaging/vessel_ends.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/centerline.hpp"
#include "text.hpp"

namespace hemotwin::imaging {

namespace {

// The patches of lumen voxels on one face's layer (4-connected within the layer).
void face_patches(const LabelMap& lumen, int axis, bool upper, int min_voxels,
                  std::vector<VesselEnd>& out) {
  const Grid& g = lumen.grid;
  const int b = (axis + 1) % 3, c = (axis + 2) % 3;
  const int nb = g.size[b], nc = g.size[c], layer = upper ? g.size[axis] - 1 : 0;
  const auto at = [&](int u, int v) {
    int ijk[3];
    ijk[axis] = layer;
    ijk[b] = u;
    ijk[c] = v;
    return Vec3(ijk[0], ijk[1], ijk[2]);
  };
  const auto inside = [&](int u, int v) {
    const Vec3 i = at(u, v);
    return lumen.at(int(i.x()), int(i.y()), int(i.z())) != 0;
  };
  std::vector<char> seen(std::size_t(nb) * nc, 0);
  std::vector<std::pair<int, int>> stack;
  for (int v0 = 0; v0 < nc; ++v0)
    for (int u0 = 0; u0 < nb; ++u0) {
      if (seen[std::size_t(u0) + std::size_t(nb) * v0] || !inside(u0, v0)) continue;
      Vec3 sum = Vec3::Zero();
      int count = 0;
      stack.assign(1, {u0, v0});
      seen[std::size_t(u0) + std::size_t(nb) * v0] = 1;
      while (!stack.empty()) {
        const auto [u, v] = stack.back();
        stack.pop_back();
        sum += g.point(at(u, v));
        ++count;
        const int du[4] = {1, -1, 0, 0}, dv[4] = {0, 0, 1, -1};
        for (int k = 0; k < 4; ++k) {
          const int x = u + du[k], y = v + dv[k];
          if (x < 0 || y < 0 || x >= nb || y >= nc) continue;
          char& s = seen[std::size_t(x) + std::size_t(nb) * y];
          if (s || !inside(x, y)) continue;
          s = 1;
          stack.emplace_back(x, y);
        }
      }
      if (count < min_voxels) continue;
      VesselEnd e;
      e.centre = sum / count;
      e.area = count * g.spacing[b] * g.spacing[c];
      e.radius = std::sqrt(e.area / std::numbers::pi);
      e.axis = axis;
      e.upper = upper;
      out.push_back(e);
    }
}

}  // namespace

std::vector<VesselEnd> vessel_ends(const LabelMap& lumen, int min_voxels) {
  std::vector<VesselEnd> ends;
  for (int axis = 0; axis < 3; ++axis) {
    if (lumen.grid.size[axis] < 2) continue;
    face_patches(lumen, axis, false, min_voxels, ends);
    face_patches(lumen, axis, true, min_voxels, ends);
  }
  std::stable_sort(ends.begin(), ends.end(),
                   [](const VesselEnd& a, const VesselEnd& b) { return a.area > b.area; });
  return ends;
}

std::vector<CenterlineCut> centerline_cuts(const LabelMap& lumen, const CenterlineCutOptions& o) {
  if (!(o.radii_in >= 0 && std::isfinite(o.radii_in)))
    throw Error("centerline cuts: the distance in from the ends must be >= 0 radii");
  const std::vector<VesselEnd> ends = vessel_ends(lumen);
  if (ends.size() < 2)
    throw Error("the lumen meets its grid's faces " +
                std::string(ends.empty()
                                ? "nowhere"
                                : "at one place only, " + detail::mm_text(ends[0].centre, 3)) +
                ": openings from the centerlines need the vessels to leave the scan or its region "
                "of interest (a vessel that ends inside needs a cut plane: "
                "geometry.cut_points_mm and cut_normals)");
  std::vector<Vec3> targets;
  for (std::size_t k = 1; k < ends.size(); ++k) targets.push_back(ends[k].centre);
  const std::vector<Centerline> lines = centerlines(lumen, ends[0].centre, targets);
  // The cut at arc length s of a line, a branch too short refused: the cut must stay in the half
  // of the line on its own end's side.
  const auto cut_at = [&](const Centerline& line, double s, const VesselEnd& end, bool at_start) {
    const double half = 0.5 * line.length();
    if (at_start ? s > half : s < half) {
      std::ostringstream m;
      m.precision(3);
      m << "the vessel leaving the grid at " << detail::mm_text(end.centre, 3)
        << " is too short to trim " << o.radii_in
        << " radii in from its end: its centerline to the "
        << (at_start ? "nearest other end" : "largest end") << " is " << line.length()
        << " mm; cut fewer radii in, or widen the region of interest";
      throw Error(m.str());
    }
    CenterlineCut c;
    c.point = line.point_at(s);
    c.normal = at_start ? Vec3(-line.tangent_at(s)) : line.tangent_at(s);
    c.radius = line.radius_at(s);
    c.end = end;
    return c;
  };
  std::vector<CenterlineCut> cuts;
  // The largest end's: on its shortest line (where no branch has left yet).
  const Centerline& first = *std::min_element(
      lines.begin(), lines.end(),
      [](const Centerline& a, const Centerline& b) { return a.length() < b.length(); });
  const double r0 = first.radius_at(ends[0].radius);
  cuts.push_back(cut_at(first, o.radii_in * r0, ends[0], true));
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const Centerline& line = lines[k];
    const double r = line.radius_at(line.length() - ends[k + 1].radius);
    cuts.push_back(cut_at(line, line.length() - o.radii_in * r, ends[k + 1], false));
  }
  return cuts;
}

}  // namespace hemotwin::imaging
