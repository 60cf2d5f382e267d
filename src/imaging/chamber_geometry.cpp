// A chamber's geometry (geometry.shape = "surface_series"): its wall read as a series of surfaces
// (hemotwin::SurfaceSeries), laid onto a lattice over the union of its phases, with its valves
// as openings in the wall (pressure outlets that open and close by phase: Simulation); or its
// wall tracked through a cine scan's frames (geometry.cine_frames).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "case_segmentation.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/surface_series.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/wall_motion.hpp"

namespace fs = std::filesystem;

namespace hemotwin::imaging {
namespace {

constexpr double kMm = 1e-3;  // metres per mm

std::string mm_point(const Vec3& p) {
  std::ostringstream s;
  s.precision(4);
  s << "(" << p.x() / kMm << ", " << p.y() / kMm << ", " << p.z() / kMm << ") mm";
  return s.str();
}

// The wall from a cine scan (geometry.cine_frames): the frames read (one grid), the blood pool
// segmented on the reference frame as geometry.segmentation says, its closed surface carried
// through the frames by deformable registration.
std::shared_ptr<const SurfaceSeries> track_series(const Case& c, const std::vector<fs::path>& files,
                                                  PreparedGeometry& out) {
  const auto& g = c.geometry;
  const std::string& cf = c.source_file;
  std::vector<Image> frames;
  for (const auto& f : files) {
    try {
      frames.push_back(read_case_scan(g, f));
    } catch (const Error& e) {
      throw Error(e.what(), cf, "geometry.cine_frames");
    }
    if (!frames.back().grid.same_as(frames.front().grid))
      throw Error(f.string() + ": its grid (size, origin, spacing or direction) is not " +
                      files.front().string() + "'s: the frames of one cine scan share one",
                  cf, "geometry.cine_frames");
  }
  const int ref = g.cine_reference - 1;
  out.file = files[std::size_t(ref)];
  TriangleMesh wall;
  try {
    const Segmentation s = segment_lumen(frames[std::size_t(ref)], segmentation_steps(g));
    out.segmented_volume_mm3 = s.volume_mm3;
    wall = lumen_surface(largest_component(s.labels), 0, 0, 20);
  } catch (const Error& e) {
    throw Error(std::string("frame ") + std::to_string(ref + 1) + ": " + e.message(), cf,
                "geometry.segmentation");
  }
  WallMotion motion;
  try {
    motion = track_wall(wall, frames, ref);
  } catch (const Error& e) {
    throw Error(e.message(), cf, "geometry.cine_frames");
  }
  double before = 0, after = 0;
  for (const auto& r : motion.registrations) before += r.mismatch_before, after += r.mismatch_after;
  std::ostringstream note;
  note.precision(3);
  note << "the wall segmented on frame " << ref + 1 << " (" << wall.points.size() << " vertices, "
       << wall.signed_volume() * 1e-3 << " mL) and tracked through " << frames.size()
       << " frames: their mismatch with it " << 100 * after / before << " % of what it was";
  out.notes.push_back(note.str());
  std::vector<double> times;
  for (auto& phase : motion.phases) {
    for (Vec3& p : phase) p *= kMm;
    times.push_back(g.period * double(times.size()) / double(files.size()));
  }
  try {
    return std::make_shared<SurfaceSeries>(wall.triangles, std::move(motion.phases),
                                           std::move(times), g.period);
  } catch (const Error& e) {
    throw Error(e.message(), cf, "geometry.cine_frames");
  }
}

std::shared_ptr<const SurfaceSeries> read_series(const Case& c, PreparedGeometry& out) {
  const auto& g = c.geometry;
  const std::string& cf = c.source_file;
  const auto resolve = [&](const std::string& name) {
    fs::path p = name;
    if (p.is_relative() && !cf.empty()) p = fs::path(cf).parent_path() / p;
    return p;
  };
  if (!g.cine_frames.empty()) {
    std::vector<fs::path> files;
    for (const auto& f : g.cine_frames) files.push_back(resolve(f));
    return track_series(c, files, out);
  }
  const double scale = g.file_unit * kMm;  // file units to metres
  if (!g.phase_files.empty()) {
    std::vector<fs::path> files;
    for (const auto& f : g.phase_files) files.push_back(resolve(f));
    out.file = files.front();
    try {
      return read_surface_series(files, g.period, scale);
    } catch (const Error& e) {
      throw Error(e.what(), cf, "geometry.phase_files");
    }
  }
  if (g.file.empty())
    throw Error("a chamber needs its wall: geometry.phase_files or geometry.file", cf,
                "geometry.phase_files");
  out.file = resolve(g.file);
  try {
    return read_surface_series(out.file, g.period, scale);
  } catch (const Error& e) {
    throw Error(e.what(), cf, "geometry.file");
  }
}

// Each valve as a pressure outlet half a cell inside the chamber, reaching over its disc: the
// wall's links that cross the disc become the opening's.
std::vector<IoletPlane> valve_planes(const Case& c, const SurfaceSeries& series, double dx) {
  const std::string& cf = c.source_file;
  const SurfaceShape first(series.mesh_at(0));
  std::vector<IoletPlane> planes;
  for (const auto& v : c.valves) {
    const std::string key = "valves." + v.name;
    if (!(v.radius >= 1.5 * dx))
      throw Error(v.name + " is " + std::to_string(2 * v.radius / kMm) +
                      " mm across, under 3 lattice cells (" + std::to_string(dx / kMm) +
                      " mm): refine the lattice (geometry.spacing_mm, cells_across_diameter)",
                  cf, key + ".radius_mm");
    const double off = first.nearest(v.point).distance;
    if (off > std::max(v.radius, 2 * dx))
      throw Error(v.name + "'s centre " + mm_point(v.point) + " is " + std::to_string(off / kMm) +
                      " mm from the chamber's wall at its first phase: a valve sits on the wall "
                      "(within its radius)",
                  cf, key + ".point_mm");
    IoletPlane p;
    p.name = v.name;
    p.kind = IoletKind::PressureOutlet;
    p.normal = v.normal.normalized();
    p.point = v.point - 0.5 * dx * p.normal;
    p.radius = v.radius;
    p.reach = v.radius;
    planes.push_back(std::move(p));
  }
  return planes;
}

}  // namespace

PreparedGeometry prepare_chamber(const Case& c) {
  const auto& g = c.geometry;
  const std::string& cf = c.source_file;
  if (c.valves.empty())
    throw Error("a chamber needs at least one valve ([valves.NAME]) for blood to enter or leave",
                cf, "valves");
  for (std::size_t i = 0; i < c.valves.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (c.valves[i].name == c.valves[j].name)
        throw Error("two valves are named '" + c.valves[i].name + "'", cf, "valves");
  PreparedGeometry out;
  const auto series = read_series(c, out);
  double largest = 0;
  for (const auto& v : c.valves) largest = std::max(largest, v.radius);
  const double dx = g.spacing > 0 ? g.spacing : 2 * largest / g.cells_across;
  out.spacing_mm = dx / kMm;

  DomainSpec& d = out.domain;
  d.dx = dx;
  d.iolets = valve_planes(c, *series, dx);
  const auto box = series->envelope();
  d.origin = box.min() - Vec3::Constant(2 * dx);
  for (int a = 0; a < 3; ++a) d.cells[a] = int(std::ceil(box.sizes()[a] / dx)) + 5;
  d.shape = series->at(0);
  // The time step is the Simulation's to choose (Simulation::create sets it).
  d.moving_wall = {series, 0.0, 0.0, g.phase_samples, g.relink_every};

  out.wall = series->mesh_at(0);
  for (auto& p : out.wall.points) p /= kMm;
  for (const auto& v : c.valves) {
    Opening o;
    o.name = v.name;
    o.kind = IoletKind::PressureOutlet;
    o.centre = v.point / kMm;
    o.normal = v.normal.normalized();
    o.radius = v.radius / kMm;
    o.max_radius = o.radius;
    o.area = std::numbers::pi * o.radius * o.radius;
    out.openings.push_back(o);
  }
  double smallest = series->volume(0), biggest = smallest;
  for (int k = 0; k < 256; ++k) {
    const double v = series->volume(g.period * k / 256);
    smallest = std::min(smallest, v), biggest = std::max(biggest, v);
  }
  std::ostringstream note;
  note.precision(4);
  note << "a chamber of " << series->phase_count() << " phases over " << g.period
       << " s: its volume from " << smallest * 1e6 << " to " << biggest * 1e6
       << " mL (ejection fraction " << 100 * (1 - smallest / biggest) << " %)";
  out.notes.push_back(note.str());
  return out;
}

}  // namespace hemotwin::imaging
