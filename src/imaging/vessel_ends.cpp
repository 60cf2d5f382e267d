#include "hemotwin/imaging/vessel_ends.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/centerline.hpp"
#include "hemotwin/imaging/segment.hpp"
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
      std::vector<Vec3> patch;
      stack.assign(1, {u0, v0});
      seen[std::size_t(u0) + std::size_t(nb) * v0] = 1;
      while (!stack.empty()) {
        const auto [u, v] = stack.back();
        stack.pop_back();
        patch.push_back(g.point(at(u, v)));
        sum += patch.back();
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
      e.patch = std::move(patch);
      out.push_back(std::move(e));
    }
}

// Part of a centerline: its samples from `first` on.
struct Piece {
  const Centerline* line;
  std::size_t first = 0;
};

// The nearest sample of a set of pieces to p: its distance and the line's radius there (at least
// `floor`, so that ratios stay finite where a line's radius runs to 0 at the grid's edge).
struct Near {
  double distance = 0, radius = 0;
};
Near nearest(const std::vector<Piece>& pieces, const Vec3& p, double floor) {
  double best = std::numeric_limits<double>::infinity(), radius = floor;
  for (const Piece& pc : pieces)
    for (std::size_t i = pc.first; i < pc.line->points.size(); ++i) {
      const double d2 = (p - pc.line->points[i]).squaredNorm();
      if (d2 < best) {
        best = d2;
        radius = std::max(pc.line->radius[i], floor);
      }
    }
  return {std::sqrt(best), radius};
}

// Takes a dropped branch's voxels out of `lumen`: those within 1.5 of its radii (plus a voxel) of
// its centerline past the junction, outside the kept lines' inscribed tubes by more than a voxel
// h, and nearer the branch's line than the kept ones' relative to their radii. That severs the
// branch where it leaves its parent; what lies beyond goes with the pieces apart from the largest.
void take_out(LabelMap& lumen, const Piece& branch, const std::vector<Piece>& kept, double h) {
  const Grid& g = lumen.grid;
  const std::vector<Piece> own{branch};
  double reach = 0;
  Vec3 lo = Vec3::Constant(std::numeric_limits<double>::infinity()), hi = -lo;
  for (std::size_t i = branch.first; i < branch.line->points.size(); ++i) {
    const Vec3 c = g.index(branch.line->points[i]);
    lo = lo.cwiseMin(c);
    hi = hi.cwiseMax(c);
    reach = std::max(reach, 1.5 * branch.line->radius[i] + h);
  }
  int a[3], b[3];
  for (int k = 0; k < 3; ++k) {
    const double pad = reach / g.spacing[k];
    a[k] = std::max(0, int(std::floor(lo[k] - pad)));
    b[k] = std::min(g.size[k] - 1, int(std::ceil(hi[k] + pad)));
  }
  for (int z = a[2]; z <= b[2]; ++z)
    for (int y = a[1]; y <= b[1]; ++y)
      for (int x = a[0]; x <= b[0]; ++x) {
        if (!lumen.at(x, y, z)) continue;
        const Vec3 p = g.point(x, y, z);
        const Near nb = nearest(own, p, 0.5 * h);
        if (nb.distance > 1.5 * nb.radius + h) continue;
        const Near nk = nearest(kept, p, 0.5 * h);
        if (nk.distance <= nk.radius + h) continue;  // the parent's wall
        if (nb.distance / nb.radius < nk.distance / nk.radius) lumen.at(x, y, z) = 0;
      }
}

// The radius of the circle with the area of the lumen's section through p across the unit
// tangent t: the lumen voxels within a voxel h of that plane and within `reach` of p in it, over
// the slab's thickness. Unlike the inscribed ball (which runs about a voxel under), it is the
// radius a modeller measures.
double section_radius(const LabelMap& lumen, const Vec3& p, const Vec3& t, double reach) {
  const Grid& g = lumen.grid;
  const double h = g.spacing.maxCoeff();
  const Vec3 c = g.index(p);
  int a[3], b[3];
  for (int k = 0; k < 3; ++k) {
    const double pad = (reach + h) / g.spacing[k];
    a[k] = std::max(0, int(std::floor(c[k] - pad)));
    b[k] = std::min(g.size[k] - 1, int(std::ceil(c[k] + pad)));
  }
  std::size_t count = 0;
  for (int z = a[2]; z <= b[2]; ++z)
    for (int y = a[1]; y <= b[1]; ++y)
      for (int x = a[0]; x <= b[0]; ++x) {
        if (!lumen.at(x, y, z)) continue;
        const Vec3 d = g.point(x, y, z) - p;
        const double along = d.dot(t);
        count += std::abs(along) < h && (d - along * t).norm() <= reach;
      }
  const double voxel = g.spacing.prod();
  return std::sqrt(double(count) * voxel / (2 * h) / std::numbers::pi);
}

std::string end_text(const VesselEnd& e) {
  std::ostringstream m;
  m.precision(3);
  m << "the vessel leaving the grid at " << detail::mm_text(e.centre, 3);
  return m.str();
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

namespace {

// A branch's radius: the median of its sections' two to six end-radii in from its end (past where
// the grid's face truncates them; the median rides over a section tilted by a poor tangent or
// grazing a neighbour).
double branch_radius(const LabelMap& lumen, const Centerline& line, const VesselEnd& end,
                     double h) {
  std::vector<double> sections;
  for (int n = 2; n <= 6; ++n) {
    const double s = std::max(0.5 * line.length(), line.length() - n * end.radius);
    sections.push_back(section_radius(lumen, line.point_at(s), line.tangent_at(s),
                                      1.5 * line.radius_at(s) + 2 * h));
  }
  std::nth_element(sections.begin(), sections.begin() + 2, sections.end());
  return sections[2];
}

// Takes the dropped branches (lines[dropped[n]], described in out.dropped[n]) out of out.lumen,
// each from where its line leaves the kept lines' tubes, and keeps the largest piece; throws
// when the inlet's vessel or a dropped end is left on the wrong side.
void drop_branches(VesselOpenings& out, const std::vector<Centerline>& lines,
                   const std::vector<std::size_t>& dropped, const std::vector<Piece>& kept,
                   const VesselEnd& inlet, double h) {
  for (std::size_t n = 0; n < dropped.size(); ++n) {
    const Centerline& line = lines[dropped[n]];
    std::size_t j = line.points.size();
    for (; j > 0; --j) {
      const Near near = nearest(kept, line.points[j - 1], 0);
      if (near.distance <= near.radius) break;
    }
    out.dropped[n].junction = line.points[std::min(j, line.points.size() - 1)];
    take_out(out.lumen, {&line, j}, kept, h);
  }
  out.lumen = largest_component(out.lumen);
  // An end is still there while any voxel of its face patch is (its centroid may lie outside a
  // crescent-shaped patch).
  const auto inside = [&](const VesselEnd& end) {
    return std::any_of(end.patch.begin(), end.patch.end(), [&](const Vec3& p) {
      const Index3 v = out.lumen.grid.nearest(p);
      return out.lumen.at(v[0], v[1], v[2]) != 0;
    });
  };
  if (!inside(inlet))
    throw Error(
        "taking out the branches thinner than the smallest radius kept left the largest end's "
        "vessel in a smaller piece than another: lower the radius");
  for (const auto& d : out.dropped)
    if (inside(d.end)) {
      std::ostringstream m;
      m.precision(3);
      m << end_text(d.end) << " (radius " << d.radius
        << " mm) is thinner than the smallest radius kept but could not be severed from its "
           "parent vessel: lower the radius to keep it as an outlet, or close it with a cut "
           "plane (geometry.cut_points_mm and cut_normals)";
      throw Error(m.str());
    }
  std::sort(out.dropped.begin(), out.dropped.end(),
            [](const DroppedBranch& a, const DroppedBranch& b) { return a.radius < b.radius; });
}

// The cut at arc length s of a line (outward from its start when `at_start`), moved further in
// until the end's whole patch on the grid's face lies a voxel h beyond it (a vessel grazing the
// face before it leaves, or leaving it at a steep angle, would otherwise be cut open along the
// face); a branch too short refused: the cut must stay in the half of the line on its own end's
// side.
CenterlineCut cut_at(const Centerline& line, double s, const VesselEnd& end, bool at_start,
                     double radii_in, double h) {
  const double half = 0.5 * line.length(), step = 0.5 * h;
  const auto normal = [&](double at) {
    return at_start ? Vec3(-line.tangent_at(at)) : line.tangent_at(at);
  };
  const auto clear = [&](double at) {
    const Vec3 p = line.point_at(at), n = normal(at);
    return std::all_of(end.patch.begin(), end.patch.end(),
                       [&](const Vec3& q) { return (q - p).dot(n) >= h; });
  };
  while ((at_start ? s <= half : s >= half) && !clear(s)) s += at_start ? step : -step;
  if (at_start ? s > half : s < half) {
    std::ostringstream m;
    m.precision(3);
    m << end_text(end) << " is too short to trim " << radii_in
      << " radii in from its end (or to cut across it clear of the grid's face, which it runs "
         "along): its centerline to the "
      << (at_start ? "nearest other end" : "largest end") << " is " << line.length()
      << " mm; cut fewer radii in, widen the region of interest, or take the branch out "
         "(geometry.min_branch_radius_mm)";
    throw Error(m.str());
  }
  return {line.point_at(s), normal(s), line.radius_at(s), end};
}

}  // namespace

VesselOpenings open_vessels(const LabelMap& lumen, const CenterlineCutOptions& o) {
  if (!(o.radii_in >= 0 && std::isfinite(o.radii_in)))
    throw Error("centerline cuts: the distance in from the ends must be >= 0 radii");
  if (!(o.min_radius >= 0 && std::isfinite(o.min_radius)))
    throw Error("centerline cuts: the smallest branch radius kept must be >= 0 mm");
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
  const double h = lumen.grid.spacing.maxCoeff();

  // Which branches stay: those at least the smallest radius kept.
  VesselOpenings out;
  std::vector<std::size_t> kept_lines, dropped_lines;
  std::vector<Piece> kept;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const double r = o.min_radius > 0 ? branch_radius(lumen, lines[k], ends[k + 1], h) : 0;
    if (r < o.min_radius) {
      dropped_lines.push_back(k);
      out.dropped.push_back({ends[k + 1], r, Vec3::Zero()});
    } else {
      kept_lines.push_back(k);
      kept.push_back({&lines[k], 0});
    }
  }
  if (kept_lines.empty()) {
    double widest = 0;
    for (const auto& d : out.dropped) widest = std::max(widest, d.radius);
    std::ostringstream m;
    m.precision(3);
    m << "every vessel but the largest end's is thinner than the smallest radius kept ("
      << o.min_radius << " mm; the widest is " << widest
      << " mm): at least one outlet must stay; lower the radius";
    throw Error(m.str());
  }
  out.lumen = lumen;
  if (!dropped_lines.empty()) drop_branches(out, lines, dropped_lines, kept, ends[0], h);

  if (o.radii_in == 0) return out;
  // The largest end's cut on its shortest kept line (where no kept branch has left yet).
  const Centerline& first =
      *std::min_element(kept.begin(), kept.end(), [](const Piece& a, const Piece& b) {
         return a.line->length() < b.line->length();
       })->line;
  out.cuts.push_back(
      cut_at(first, o.radii_in * first.radius_at(ends[0].radius), ends[0], true, o.radii_in, h));
  for (const std::size_t k : kept_lines) {
    const Centerline& line = lines[k];
    const double r = line.radius_at(line.length() - ends[k + 1].radius);
    out.cuts.push_back(
        cut_at(line, line.length() - o.radii_in * r, ends[k + 1], false, o.radii_in, h));
  }
  return out;
}

}  // namespace hemotwin::imaging
