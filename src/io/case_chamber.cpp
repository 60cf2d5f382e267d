// A chamber's keys (geometry.shape = "surface_series"): its wall's phases and cycle, how often the
// moving wall is relinked, and its valves ([valves.NAME]). See docs/case-file.md, "Chambers".
#include "case_chamber.hpp"

#include <vtkDataArray.h>
#include <vtkFieldData.h>
#include <vtkPolyData.h>
#include <vtkSmartPointer.h>
#include <vtkXMLPolyDataReader.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace hemotwin::io {

namespace {
constexpr double mm = 1e-3;

// The cycle's length a surface series stores (its one-value field array "period", as
// `hemotwin track` and write_surface_series write it), for a case that gives no
// geometry.period_s. The file is read again with the wall; this read is the loader's only.
double period_stored_in(const reading::Reader& r, const std::string& name) {
  std::filesystem::path path = name;
  if (path.is_relative()) path = std::filesystem::path(r.file()).parent_path() / path;
  const std::string missing =
      "required key missing: the length of the wall's cycle (s), e.g. 0.8, unless the "
      "surface series stores it (a one-value field array 'period'); ";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    r.fail("geometry.period_s", missing + path.string() + " (geometry.file) is not a file");
  const int warnings = vtkObject::GetGlobalWarningDisplay();
  vtkObject::GlobalWarningDisplayOff();
  auto reader = vtkSmartPointer<vtkXMLPolyDataReader>::New();
  reader->SetFileName(path.string().c_str());
  reader->Update();
  vtkObject::SetGlobalWarningDisplay(warnings);
  vtkFieldData* field = reader->GetErrorCode() == 0 && reader->GetOutput()
                            ? reader->GetOutput()->GetFieldData()
                            : nullptr;
  vtkDataArray* p = field ? field->GetArray("period") : nullptr;
  if (!p || p->GetNumberOfTuples() != 1 || p->GetNumberOfComponents() != 1)
    r.fail("geometry.period_s",
           missing + path.string() + (field ? " holds none" : " cannot be read as a .vtp"));
  const double period = p->GetTuple1(0);
  if (!(period > 0 && period <= 100))
    r.fail("geometry.period_s",
           missing + path.string() + " stores " + format_number(period) + " s (valid: (0, 100] s)");
  return period;
}

constexpr reading::Named<ValveTiming> timing_names[] = {{ValveTiming::Filling, "filling"},
                                                        {ValveTiming::Ejection, "ejection"}};

void read_valves(const reading::Reader& r, Case& c) {
  const auto* named = r.root().at_path("valves").as_table();
  if (!named || named->empty())
    r.fail("valves",
           "a chamber needs its valves: at least one [valves.NAME] with point_mm (the opening's "
           "centre on the wall), normal (out of the chamber), radius_mm, and opens_at and "
           "closes_at (fractions of the cycle) or open_during (\"filling\" or \"ejection\")");
  for (auto&& [key, node] : *named) {
    ValveSpec v;
    v.name = std::string(key.str());
    const std::string t = "valves." + v.name;
    const char* why =
        "a valve needs point_mm (its centre on the chamber's wall, mm), normal (out of the "
        "chamber), radius_mm, and when it is open: opens_at and closes_at (fractions of the "
        "cycle) or open_during = \"filling\" or \"ejection\" (with the wall's volume), e.g. "
        "point_mm = [0, 0, 0], normal = [0, 0, 1], radius_mm = 12, open_during = \"filling\"";
    for (const char* leaf : {".point_mm", ".normal", ".radius_mm"}) r.require(t + leaf, why);
    const Eigen::Vector3d n = *r.vector3(t + ".normal");
    if (!(n.norm() > 0)) r.fail(t + ".normal", "must be a non-zero vector");
    v.point = *r.vector3(t + ".point_mm") * mm;
    v.normal = n.normalized();
    v.radius = *r.number(t + ".radius_mm") * mm;
    if (auto timing = r.choice(t + ".open_during", timing_names)) {
      for (const char* leaf : {".opens_at", ".closes_at"})
        if (r.has(t + leaf))
          r.fail(t + leaf,
                 "set either open_during (the valve follows the wall's volume) or opens_at and "
                 "closes_at (fractions of the cycle), not both");
      v.timing = *timing;
      v.diode = r.boolean(t + ".diode").value_or(false);
      c.valves.push_back(std::move(v));
      continue;
    }
    if (r.has(t + ".diode"))
      r.fail(t + ".diode",
             "a diode valve needs its direction: open_during = \"filling\" (it lets blood into "
             "the chamber) or \"ejection\" (out of it), not opens_at and closes_at");
    for (const char* leaf : {".opens_at", ".closes_at"}) r.require(t + leaf, why);
    v.opens_at = *r.number(t + ".opens_at");
    v.closes_at = *r.number(t + ".closes_at");
    if (v.opens_at == v.closes_at)
      r.fail(t + ".closes_at",
             "equals opens_at: the valve would never open (closes_at < opens_at keeps it open "
             "across the cycle's end)");
    c.valves.push_back(std::move(v));
  }
}

}  // namespace

// geometry.cine_frames: the wall from a cine scan, segmented on one frame (the segmentation's
// seeds are required) and tracked through the others.
void read_cine(const reading::Reader& r, GeometrySpec& g) {
  for (const char* k : {"geometry.phase_files", "geometry.file"})
    if (r.has(k))
      r.fail(
          "geometry.cine_frames",
          std::string("set one source of the chamber's wall: geometry.cine_frames (a cine "
                      "scan), geometry.phase_files or geometry.file, not both cine_frames and ") +
              std::string(k).substr(std::string("geometry.").size()));
  auto frames = *r.strings("geometry.cine_frames");
  if (frames.size() < 3)
    r.fail("geometry.cine_frames",
           "needs at least 3 frames (one scan per phase of the cycle, in cycle order), got " +
               std::to_string(frames.size()));
  for (std::size_t k = 0; k < frames.size(); ++k)
    if (frames[k].empty())
      r.fail("geometry.cine_frames", "frame " + std::to_string(k + 1) + " is an empty name");
  g.cine_frames = std::move(frames);
  g.cine_reference = int(r.integer("geometry.cine_reference").value_or(1));
  if (g.cine_reference < 1 || g.cine_reference > int(g.cine_frames.size()))
    r.fail("geometry.cine_reference", "must be one of the frames, 1 to " +
                                          std::to_string(g.cine_frames.size()) + ", got " +
                                          std::to_string(g.cine_reference));
  if (g.seeds.empty())
    r.fail("geometry.segmentation.seeds_mm",
           "required key missing: the wall of a cine scan is segmented on its reference frame "
           "from seed points inside the chamber, [[x, y, z]] in LPS mm");
}

void read_chamber(const reading::Reader& r, Case& c) {
  auto& g = c.geometry;
  if (r.has("geometry.cine_frames")) {
    read_cine(r, g);
  } else if (auto files = r.strings("geometry.phase_files")) {
    if (r.has("geometry.file"))
      r.fail("geometry.phase_files",
             "set either geometry.file (one .vtp with a displacement array per phase) or "
             "geometry.phase_files (one surface file per phase), not both");
    if (files->size() < 3)
      r.fail("geometry.phase_files",
             "needs at least 3 files (one surface per phase of the cycle, in cycle order), got " +
                 std::to_string(files->size()));
    for (std::size_t k = 0; k < files->size(); ++k)
      if ((*files)[k].empty())
        r.fail("geometry.phase_files", "file " + std::to_string(k + 1) + " is an empty name");
    g.phase_files = std::move(*files);
  } else if (!r.has("geometry.file")) {
    r.fail("geometry.phase_files",
           "required key missing: the chamber's wall, as geometry.phase_files (one surface file "
           "per phase of the cycle, in cycle order), geometry.file (one .vtp with a "
           "displacement array per phase) or geometry.cine_frames (a cine scan, one file per "
           "frame)");
  } else if (auto f = r.string("geometry.file");
             f && std::filesystem::path(*f).extension() != ".vtp") {
    r.fail("geometry.file",
           "a surface series in one file is a .vtp with a displacement array per phase; got \"" +
               *f + "\" (one surface file per phase: geometry.phase_files)");
  }
  if (auto period = r.number("geometry.period_s"))
    g.period = *period;
  else if (g.phase_files.empty() && g.cine_frames.empty())
    g.period = period_stored_in(r, g.file);
  else
    r.require("geometry.period_s", "the length of the wall's cycle (s), e.g. 0.8");
  g.relink_every = int(r.integer("geometry.relink_every").value_or(g.relink_every));
  g.phase_samples = int(r.integer("geometry.phase_samples").value_or(g.phase_samples));
  read_valves(r, c);
}

void write_chamber(const Case& c, toml::table& geometry, toml::table& root) {
  const auto& g = c.geometry;
  if (!g.phase_files.empty()) {
    toml::array files;
    for (const auto& f : g.phase_files) files.push_back(f);
    geometry.insert("phase_files", std::move(files));
  }
  if (!g.cine_frames.empty()) {
    toml::array frames;
    for (const auto& f : g.cine_frames) frames.push_back(f);
    geometry.insert("cine_frames", std::move(frames));
    geometry.insert("cine_reference", g.cine_reference);
  }
  geometry.insert("period_s", g.period);
  geometry.insert("relink_every", g.relink_every);
  geometry.insert("phase_samples", g.phase_samples);
  if (c.valves.empty()) return;
  toml::table valves;
  for (const auto& v : c.valves) {
    toml::table t;
    toml::array point, normal;
    for (int a = 0; a < 3; ++a) {
      point.push_back(v.point[a] / mm);
      normal.push_back(v.normal[a]);
    }
    t.insert("point_mm", std::move(point));
    t.insert("normal", std::move(normal));
    t.insert("radius_mm", v.radius / mm);
    if (v.timing == ValveTiming::Phases) {
      t.insert("opens_at", v.opens_at);
      t.insert("closes_at", v.closes_at);
    } else {
      t.insert("open_during", v.timing == ValveTiming::Filling ? "filling" : "ejection");
      if (v.diode) t.insert("diode", true);
    }
    valves.insert(v.name, std::move(t));
  }
  root.insert("valves", std::move(valves));
}

}  // namespace hemotwin::io
