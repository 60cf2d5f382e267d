#include "hemotwin/imaging/case_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>

#include "case_segmentation.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/constrictions.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/segment.hpp"
#include "hemotwin/imaging/vessel_ends.hpp"
#include "hemotwin/imaging/wall.hpp"

namespace fs = std::filesystem;

namespace hemotwin::imaging {
namespace {

constexpr double kMm = 1e-3;  // metres per mm

std::string describe(const std::vector<Opening>& openings) {
  std::ostringstream s;
  s.precision(4);
  for (const auto& o : openings)
    s << (s.tellp() > 0 ? "; " : "") << o.name << " (area " << o.area << " mm^2, centre ("
      << o.centre.x() << ", " << o.centre.y() << ", " << o.centre.z() << ") mm)";
  return s.str();
}

// The lumen of a label map: the voxels of `label` (0: any non-zero), its largest connected piece.
struct Lumen {
  LabelMap mask;                      // the largest piece, 0/1
  std::int64_t voxels = 0, kept = 0;  // of the label, and in the largest piece
};

Lumen select_lumen(const LabelMap& labels, int label) {
  Lumen l;
  LabelMap all = labels;
  for (auto& v : all.data) l.voxels += (v = (label > 0 ? v == label : v != 0) ? 1 : 0);
  if (l.voxels == 0)
    throw Error(label > 0 ? "the label map holds no voxel of label " + std::to_string(label)
                          : std::string("the label map is empty (no non-zero voxel)"));
  l.mask = largest_component(all);
  for (const auto v : l.mask.data) l.kept += v;
  return l;
}

// The wall of a 0/1 mask: its 0.5 level after a Gaussian blur of `sigma_mm` (0: half a voxel).
TriangleMesh wall_of(const LabelMap& mask, double sigma_mm, int smoothing_iterations) {
  const double sigma = sigma_mm > 0 ? sigma_mm : 0.5 * mask.grid.spacing.minCoeff();
  // Only the lumen's box, with room for the blur, is blurred and contoured (a vessel fills a
  // few per cent of a scan); where the lumen reaches the grid's edge the box stops there too.
  const Grid& g = mask.grid;
  int lo[3] = {g.size[0], g.size[1], g.size[2]}, hi[3] = {-1, -1, -1};
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i)
        if (mask.at(i, j, k)) {
          const int ijk[3] = {i, j, k};
          for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], ijk[a]);
            hi[a] = std::max(hi[a], ijk[a]);
          }
        }
  Grid sub = g;
  for (int a = 0; a < 3; ++a) {
    const int pad = int(std::ceil(3 * sigma / g.spacing[a])) + 2;
    lo[a] = std::max(0, lo[a] - pad);
    hi[a] = std::min(g.size[a] - 1, hi[a] + pad);
    sub.size[a] = hi[a] - lo[a] + 1;
  }
  sub.origin = g.point(lo[0], lo[1], lo[2]);
  LabelMap box(sub, 0);
  for (int k = 0; k < sub.size[2]; ++k)
    for (int j = 0; j < sub.size[1]; ++j)
      for (int i = 0; i < sub.size[0]; ++i)
        box.at(i, j, k) = mask.at(i + lo[0], j + lo[1], k + lo[2]);
  return isosurface(lumen_field(box, sigma), 0.5, {.smoothing = smoothing_iterations});
}

// What open_vessels did, for `hemotwin check`'s notes.
void note_openings(const VesselOpenings& v, double trim_radii, double min_radius,
                   std::vector<std::string>& notes) {
  std::ostringstream s;
  s.precision(3);
  if (!v.dropped.empty()) {
    s << v.dropped.size() << " side branch" << (v.dropped.size() > 1 ? "es" : "")
      << " thinner than " << min_radius << " mm (geometry.min_branch_radius_mm) taken out:";
    for (const auto& d : v.dropped)
      s << " radius " << d.radius << " mm, leaving the grid at (" << d.end.centre.x() << ", "
        << d.end.centre.y() << ", " << d.end.centre.z() << ") mm, from its parent at ("
        << d.junction.x() << ", " << d.junction.y() << ", " << d.junction.z() << ") mm;";
    std::string text = s.str();
    text.back() = '.';
    notes.push_back(text);
  }
  if (trim_radii > 0) {
    s.str("");
    s << "openings cut across the vessels " << trim_radii
      << " radii in from where they leave the grid, perpendicular to their centerlines:";
    for (const auto& c : v.cuts)
      s << " at (" << c.point.x() << ", " << c.point.y() << ", " << c.point.z() << ") mm, normal ("
        << c.normal.x() << ", " << c.normal.y() << ", " << c.normal.z() << "), radius " << c.radius
        << " mm;";
    std::string text = s.str();
    text.back() = '.';
    notes.push_back(text);
  }
}

}  // namespace

Image read_case_scan(const GeometrySpec& g, const fs::path& file) {
  ReadOptions ro;
  ro.series = g.series;
  Image scan = read_image(file, ro);
  if (g.has_roi) scan = crop(scan, Box{g.roi_min / kMm, g.roi_max / kMm});
  return scan;
}

SegmentationSteps segmentation_steps(const GeometrySpec& g) {
  SegmentationSteps steps;
  ThresholdOptions& t = steps.threshold;
  for (const auto& p : g.seeds) t.seeds.push_back(p / kMm);
  if (g.has_lower) t.lower = g.lower;
  if (g.has_upper) t.upper = g.upper;
  t.smoothing_iterations = g.smoothing_iterations;
  if (g.barrier_radius > 0)
    for (std::size_t i = 0; i < g.cut_points.size(); ++i)
      t.barriers.push_back({g.cut_points[i] / kMm, g.cut_normals[i], g.barrier_radius / kMm});
  steps.vesselness = g.vesselness;
  if (g.sato) steps.vesselness_options.filter = VesselnessOptions::Filter::Sato;
  steps.vesselness_level = g.vesselness_level;
  steps.vesselness_options.sigma_min_mm = g.sigma_min / kMm;
  steps.vesselness_options.sigma_max_mm = g.sigma_max / kMm;
  steps.level_set = g.level_set;
  return steps;
}

namespace {

// A scan segmented as the case says (geometry.segmentation) into out.lumen; returns how its wall
// is taken once the lumen is final.
std::function<TriangleMesh(const LabelMap&)> segment_scan(const GeometrySpec& g,
                                                          const fs::path& file,
                                                          PreparedGeometry& out) {
  const Image scan = read_case_scan(g, file);
  const SegmentationSteps steps = segmentation_steps(g);
  const std::vector<Vec3>& seeds = steps.threshold.seeds;
  const Segmentation s = segment_lumen(scan, steps);
  out.segmented_volume_mm3 = s.volume_mm3;
  // Seeds in pieces that do not meet: the flow needs one lumen.
  const Lumen l = select_lumen(s.labels, 0);
  const LabelMap& one = l.mask;
  std::vector<std::size_t> lost;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const Index3 v = s.labels.grid.nearest(seeds[i]);
    if (s.labels.grid.contains(v[0], v[1], v[2]) && s.labels.at(v[0], v[1], v[2]) &&
        !one.at(v[0], v[1], v[2]))
      lost.push_back(i + 1);
  }
  if (!lost.empty()) {
    std::string which;
    for (auto i : lost) which += (which.empty() ? "" : ", ") + std::to_string(i);
    throw Error("the segmentation falls apart: seed(s) " + which +
                " lie in a piece that does not meet the largest one; the flow needs one "
                "connected lumen: widen the intensity range (lower), add seeds along the "
                "gap, or drop those seeds");
  }
  out.lumen = one;
  // The wall from the scan's grey levels (after a threshold segmentation), else from its
  // mask; a Gaussian blur of the mask when asked for.
  return [&g, scan = std::move(scan)](const LabelMap& lumen) {
    if (g.smoothing > 0) return wall_of(lumen, g.smoothing / kMm, 0);
    if (!g.vesselness && !g.level_set)
      return wall_from_scan(scan, lumen, true, g.smoothing_iterations);
    return wall_from_mask(lumen);
  };
}

// A label map's or scan's wall from its final lumen: side branches taken out and cuts across
// the vessels from their centerlines (geometry.min_branch_radius_mm, trim_radii), then the wall.
void wall_with_openings(PreparedGeometry& out, const GeometrySpec& g,
                        const std::function<TriangleMesh(const LabelMap&)>& wall_from,
                        const std::string& cf, const char* source_key) {
  // Label maps and scans: side branches taken out, cuts across the vessels from their
  // centerlines, then the wall.
  std::vector<CenterlineCut> cuts;
  if (g.trim_radii > 0 || g.min_branch_radius > 0) {
    try {
      VesselOpenings v = open_vessels(
          out.lumen, {.radii_in = g.trim_radii, .min_radius = g.min_branch_radius / kMm});
      out.lumen = std::move(v.lumen);
      cuts = std::move(v.cuts);
      note_openings(v, g.trim_radii, g.min_branch_radius / kMm, out.notes);
    } catch (const Error& e) {
      // open_vessels' errors about the branches it drops speak of "the smallest radius kept".
      const bool dropping =
          g.min_branch_radius > 0 &&
          (g.trim_radii == 0 || e.message().find("smallest radius kept") != std::string::npos);
      throw Error(e.message(), cf,
                  dropping ? "geometry.min_branch_radius_mm" : "geometry.trim_radii");
    }
  }
  try {
    out.wall = wall_from(out.lumen);
  } catch (const Error& e) {
    throw Error(e.what(), cf, source_key);
  }
  try {
    for (const auto& c : cuts) out.wall = cut_surface(out.wall, c.point, c.normal);
  } catch (const Error& e) {
    throw Error(e.message(), cf, "geometry.trim_radii");
  }
}

}  // namespace

TriangleMesh lumen_surface(const LabelMap& labels, int label, double sigma_mm,
                           int smoothing_iterations) {
  const LabelMap mask = select_lumen(labels, label).mask;
  if (sigma_mm > 0) return wall_of(mask, sigma_mm, smoothing_iterations);
  WallOptions o;
  if (smoothing_iterations > 0) o.smoothing = smoothing_iterations;
  return wall_from_mask(mask, o);
}

PreparedGeometry prepare_geometry(const Case& c) {
  const auto& g = c.geometry;
  const std::string& cf = c.source_file;
  if (!is_file_shape(g.shape))
    throw Error("prepare_geometry: the case's shape is not read from a file", cf, "geometry.shape");
  if (g.shape == ShapeKind::SurfaceSeries) return prepare_chamber(c);
  PreparedGeometry out;
  fs::path file = g.file;
  if (file.is_relative() && !cf.empty()) file = fs::path(cf).parent_path() / file;
  out.file = file;
  // Errors from reading carry the data file's name; they are placed at the case's key too.
  auto at_key = [&](const Error& e, const char* key) { return Error(e.what(), cf, key); };
  const char* source_key = g.shape == ShapeKind::Scan ? "geometry.segmentation" : "geometry.file";
  // A label map's or scan's wall, taken once the lumen is final (less any dropped branches).
  std::function<TriangleMesh(const LabelMap&)> wall_from;
  try {
    if (g.shape == ShapeKind::Surface) {
      out.wall = read_surface(file);
      if (g.file_unit != 1) {  // geometry.file_unit: the file's coordinates in cm or m
        for (auto& p : out.wall.points) p *= g.file_unit;
        out.notes.push_back("the surface's coordinates were read as " +
                            std::string(g.file_unit == 1000 ? "metres" : "centimetres") +
                            " (geometry.file_unit)");
      }
    } else if (g.shape == ShapeKind::LabelMap) {
      const Lumen l = select_lumen(read_labels(file), g.label);
      if (l.kept < l.voxels)
        out.warnings.push_back("the label map's lumen has pieces apart from the largest; " +
                               std::to_string(l.voxels - l.kept) + " of " +
                               std::to_string(l.voxels) + " voxels were left out");
      // The wall by shape-based interpolation (no terraces of thick slices), unless a Gaussian
      // blur of the mask is asked for.
      wall_from = [&g](const LabelMap& lumen) {
        return g.smoothing > 0 ? wall_of(lumen, g.smoothing / kMm, 0) : wall_from_mask(lumen);
      };
      out.lumen = l.mask;
    } else {
      wall_from = segment_scan(g, file, out);
    }
  } catch (const Error& e) {
    throw at_key(e, source_key);
  }

  if (wall_from) wall_with_openings(out, g, wall_from, cf, source_key);
  for (std::size_t i = 0; i < g.cut_points.size(); ++i) {
    try {
      out.wall = cut_surface(out.wall, g.cut_points[i] / kMm, g.cut_normals[i]);
    } catch (const Error& e) {
      throw Error("cut " + std::to_string(i + 1) + ": " + e.message(), cf,
                  "geometry.cut_points_mm");
    }
  }
  out.openings = find_openings(out.wall);
  if (out.openings.size() < 2)
    throw Error(out.openings.empty()
                    ? "the geometry is closed: it has no open end to use as inlet or outlet. Cut "
                      "a surface open where the flow enters and leaves; a label map or scan is "
                      "opened where the lumen meets the scan's edge or the region of interest "
                      "(geometry.segmentation.roi_min_mm/roi_max_mm)"
                    : "the geometry has one open end only (" + describe(out.openings) +
                          "); an inlet and an outlet are needed",
                cf, "geometry.file");
  // Inlets: those named, else the largest.
  if (!g.inlets.empty()) {
    for (auto& o : out.openings) o.kind = IoletKind::PressureOutlet;
    for (const auto& name : g.inlets) {
      auto it = std::find_if(out.openings.begin(), out.openings.end(),
                             [&](const Opening& o) { return o.name == name; });
      if (it == out.openings.end())
        throw Error("'" + name + "' is not an opening of this geometry; its openings are: " +
                        describe(out.openings),
                    cf, "geometry.inlets");
      it->kind = IoletKind::VelocityInlet;
    }
    if (std::none_of(out.openings.begin(), out.openings.end(),
                     [](const Opening& o) { return o.kind == IoletKind::PressureOutlet; }))
      throw Error("every opening is an inlet; leave at least one outlet", cf, "geometry.inlets");
  }
  for (auto& o : out.openings) o.extension = g.extension;

  double inlet_radius = 0, largest = 0;
  for (const auto& o : out.openings) {
    if (o.kind == IoletKind::VelocityInlet) inlet_radius = std::max(inlet_radius, o.radius);
    largest = std::max(largest, o.radius);
  }
  // Blood vessels worth a flow model are wider than 0.1 mm: a surface whose openings are all
  // smaller is almost surely in metres (or cm), read as mm.
  if (g.shape == ShapeKind::Surface && 2 * largest < 0.1)
    throw Error("the largest opening of " + file.string() + " is " + std::to_string(2 * largest) +
                    " mm across when its coordinates are read as " +
                    (g.file_unit == 1 ? std::string("mm") : std::to_string(g.file_unit) + " mm") +
                    ": if the surface is in metres or centimetres, set geometry.file_unit = "
                    "\"m\" or \"cm\"",
                cf, "geometry.file_unit");
  out.spacing_mm = g.spacing > 0 ? g.spacing / kMm : 2 * inlet_radius / g.cells_across;

  // An opening fewer than 3 cells across cannot carry an inlet or outlet: most often a hole in
  // the surface nobody meant to be there.
  for (const auto& o : out.openings)
    if (2 * o.radius < 3 * out.spacing_mm) {
      std::ostringstream where;
      where.precision(4);
      where << "(" << o.centre.x() << ", " << o.centre.y() << ", " << o.centre.z() << ") mm";
      throw Error(o.name + " at " + where.str() + " is " + std::to_string(2 * o.radius) +
                      " mm across, under 3 lattice cells (" + std::to_string(out.spacing_mm) +
                      " mm): if it is a hole in the surface, repair it (close it in the "
                      "modelling tool); if it is a real outlet, refine the lattice (spacing_mm, "
                      "cells_across_diameter) or cut the vessel before it (cut_points_mm)",
                  cf, "geometry.file");
    }

  // The lattice in metres: the same surface and openings, scaled.
  TriangleMesh wall_m = out.wall;
  for (auto& p : wall_m.points) p *= kMm;
  std::vector<Opening> openings_m = out.openings;
  for (auto& o : openings_m) {
    o.centre *= kMm;
    o.area *= kMm * kMm;
    o.radius *= kMm;
    o.max_radius *= kMm;
    o.perimeter *= kMm;
    o.planarity *= kMm;
  }
  out.domain = surface_domain(close_openings(wall_m, openings_m), out.spacing_mm * kMm);
  // Where the flow is expected fastest (the time step's peak): the centerlines' narrowest
  // sections. A geometry whose centerlines cannot be traced still runs, on the openings' bound.
  try {
    out.domain.constrictions = find_constrictions(out.domain, out.openings);
  } catch (const Error& e) {
    out.warnings.push_back(std::string("no centerlines for the peak-velocity estimate (") +
                           e.message() + "); it takes the openings alone");
  }
  return out;
}

}  // namespace hemotwin::imaging
