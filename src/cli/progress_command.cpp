#include "progress_command.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "failure.hpp"
#include "hemotwin/analysis/flow_metrics.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/file_geometry.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/intervention.hpp"
#include "hemotwin/imaging/morphology.hpp"
#include "hemotwin/imaging/registration.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/output_dir.hpp"
#include "hemotwin/io/results_reader.hpp"
#include "hemotwin/io/run.hpp"
#include "imaging_commands.hpp"
#include "vessel_lines.hpp"

namespace fs = std::filesystem;

namespace hemotwin::cli {

namespace {

constexpr double kMm = 1e-3;
using json = nlohmann::ordered_json;

struct Sac {
  Vec3 centre = Vec3::Zero();
  double radius = 0;
};

std::optional<Sac> sac_of(const std::string& spec) {
  if (spec.empty()) return std::nullopt;
  const auto v = numbers(spec, 4, "--sac");
  if (!(v[3] > 0))
    throw Failure(exit_usage, "--sac '" + spec +
                                  "': the radius must be positive: one that holds the sac in "
                                  "every scan (mm)");
  return Sac{Vec3(v[0], v[1], v[2]), v[3]};
}

/// The case for a later scan: its file, and every position the case gives (cuts, seeds, the
/// region of interest, sections) carried into that scan's frame.
Case case_for(const Case& base, const fs::path& file, const Eigen::Affine3d& to_scan,
              double spacing_mm) {
  Case c = base;
  c.geometry.file = file.string();
  c.geometry.spacing = spacing_mm * kMm;
  const Eigen::Matrix3d normal_map = to_scan.linear().inverse().transpose();
  auto point = [&](const Eigen::Vector3d& m) -> Eigen::Vector3d {
    return to_scan * (m / kMm) * kMm;
  };
  auto normal = [&](const Eigen::Vector3d& n) -> Eigen::Vector3d {
    return (normal_map * n).normalized();
  };
  auto& g = c.geometry;
  for (auto& p : g.cut_points) p = point(p);
  for (auto& n : g.cut_normals) n = normal(n);
  for (auto& p : g.seeds) p = point(p);
  if (g.has_roi) {  // the box that holds the moved box
    Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e300), hi = -lo;
    for (int k = 0; k < 8; ++k) {
      const Eigen::Vector3d q = point(Eigen::Vector3d((k & 1) ? g.roi_max[0] : g.roi_min[0],
                                                      (k & 2) ? g.roi_max[1] : g.roi_min[1],
                                                      (k & 4) ? g.roi_max[2] : g.roi_min[2]));
      lo = lo.cwiseMin(q);
      hi = hi.cwiseMax(q);
    }
    g.roi_min = lo;
    g.roi_max = hi;
  }
  for (auto& s : c.sections) {
    s.point = point(s.point);
    s.normal = normal(s.normal);
  }
  c.source_text.clear();  // the run's case.toml then records what ran
  return c;
}

/// For each of the later scan's openings, the first scan's it matches: the nearest centre once
/// carried back into the first scan's frame.
std::vector<std::size_t> match_openings(const imaging::PreparedGeometry& later,
                                        const imaging::PreparedGeometry& first,
                                        const Eigen::Affine3d& to_first, const std::string& scan) {
  if (later.openings.size() != first.openings.size())
    throw Failure(exit_usage, scan + ": " + std::to_string(later.openings.size()) +
                                  " openings, the first scan has " +
                                  std::to_string(first.openings.size()) +
                                  "; the scans must be cut alike (geometry.cut_points_mm, the "
                                  "region of interest) for the same boundary conditions");
  std::vector<std::size_t> match(later.openings.size());
  std::vector<bool> taken(first.openings.size(), false);
  for (std::size_t i = 0; i < later.openings.size(); ++i) {
    const Vec3 p = to_first * later.openings[i].centre;
    std::size_t best = 0;
    double d = 1e300;
    for (std::size_t j = 0; j < first.openings.size(); ++j) {
      const double dj = (first.openings[j].centre - p).norm();
      if (dj < d) {
        d = dj;
        best = j;
      }
    }
    if (taken[best] || d > 2 * first.openings[best].radius)
      throw Failure(exit_usage, scan + ": its opening at the first scan's (" +
                                    std::to_string(p.x()) + ", " + std::to_string(p.y()) + ", " +
                                    std::to_string(p.z()) +
                                    ") mm matches none of the first scan's openings; check the "
                                    "registration and that the scans are cut alike");
    taken[best] = true;
    match[i] = best;
  }
  return match;
}

/// Prepares a later scan's geometry with the first scan's inlets and opening names, so each
/// opening keeps its boundary condition (openings are named by area, which changes between scans).
imaging::PreparedGeometry prepare_like(Case& c, const imaging::PreparedGeometry& first,
                                       const Eigen::Affine3d& to_first, const std::string& scan) {
  imaging::PreparedGeometry g = imaging::prepare_geometry(c);
  std::vector<std::size_t> match = match_openings(g, first, to_first, scan);
  bool same_kinds = true;
  for (std::size_t i = 0; i < match.size(); ++i)
    same_kinds = same_kinds && g.openings[i].kind == first.openings[match[i]].kind;
  if (!same_kinds) {  // name the inlets as this scan's openings are named, and prepare again
    c.geometry.inlets.clear();
    for (std::size_t i = 0; i < match.size(); ++i)
      if (first.openings[match[i]].kind == IoletKind::VelocityInlet)
        c.geometry.inlets.push_back(g.openings[i].name);
    g = imaging::prepare_geometry(c);
    match = match_openings(g, first, to_first, scan);
  }
  // The domain's iolets carry the openings' names: each takes its opening's new one.
  for (auto& iolet : g.domain.iolets)
    for (std::size_t i = 0; i < match.size(); ++i)
      if (iolet.name == g.openings[i].name) {
        iolet.name = first.openings[match[i]].name;
        break;
      }
  for (std::size_t i = 0; i < match.size(); ++i) g.openings[i].name = first.openings[match[i]].name;
  return g;
}

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json affine_json(const Eigen::Affine3d& t) {
  json m = json::array();
  for (int r = 0; r < 3; ++r) m.push_back({t(r, 0), t(r, 1), t(r, 2), t(r, 3)});
  return m;
}

json aneurysm_json(const imaging::AneurysmGeometry& a) {
  return {{"volume_mm3", a.scan_volume > 0 ? a.scan_volume : a.volume},
          {"volume_from", a.scan_volume > 0 ? "scan intensities" : "voxels"},
          {"voxel_volume_mm3", a.volume},
          {"max_diameter_mm", a.max_diameter},
          {"neck_diameter_mm", a.neck_diameter},
          {"height_mm", a.height},
          {"aspect_ratio", num(a.aspect_ratio)},
          {"size_ratio", num(a.size_ratio)},
          {"parent_radius_mm", a.parent_radius},
          {"centroid_mm", {a.centroid.x(), a.centroid.y(), a.centroid.z()}}};
}

/// One scan's measurements (and run).
struct Scan {
  std::string name;  // scan0, scan1, ...
  fs::path file;
  Eigen::Affine3d to_scan = Eigen::Affine3d::Identity();  // first scan's frame -> this scan's
  Image image;  // what was registered: the scan, or the label map as an image
  imaging::Registration registration;
  imaging::PreparedGeometry geometry;
  Case run_case;
  VesselLines lines;
  std::optional<imaging::AneurysmGeometry> aneurysm;
  json wall, flow;
};

}  // namespace

void add_progress_options(CLI::App& cmd, ProgressOptions& o) {
  cmd.add_option("--scan", o.scans,
                 "A later scan of the same patient (the case's kind: a scan or a label map), "
                 "oldest first; repeatable")
      ->required()
      ->type_name("FILE");
  cmd.add_option("--sac", o.sac,
                 "An aneurysm to follow: its centre and a radius that holds its sac in every "
                 "scan, in the case's scan (mm, LPS)")
      ->type_name("X,Y,Z,R");
  cmd.add_option("--transform", o.transform,
                 "rigid (default) or affine (a rigid stage, then scale and shear: scans from "
                 "differently calibrated scanners)")
      ->check(CLI::IsMember({"rigid", "affine"}));
  cmd.add_flag("--geometry-only", o.geometry_only,
               "Register and measure the scans; do not simulate them");
  cmd.add_option("-o,--output", o.output,
                 "Directory for scan0/, scan1/, ... (the runs), the lumens in the first scan's "
                 "frame and progression.json (default: the case's output directory + "
                 "'-progress')")
      ->type_name("DIR");
  cmd.add_flag("-q,--quiet", o.quiet, "Print errors and warnings only");
}

int progress_command(const ProgressOptions& o, const std::function<Case()>& load) {
  const Case base = load();
  const std::string where = base.source_file.empty() ? std::string("the case") : base.source_file;
  if (base.geometry.shape != ShapeKind::LabelMap && base.geometry.shape != ShapeKind::Scan)
    throw Failure(exit_usage, where +
                                  ": geometry.shape: progress follows scans (\"scan\") or label "
                                  "maps (\"label_map\"), got \"" +
                                  to_string(base.geometry.shape) + "\"");
  const std::optional<Sac> sac = sac_of(o.sac);
  const fs::path out =
      o.output.empty() ? fs::path(base.output.directory + "-progress") : fs::path(o.output);
  const bool is_scan = base.geometry.shape == ShapeKind::Scan;

  fs::path first_file = base.geometry.file;
  if (first_file.is_relative() && !base.source_file.empty())
    first_file = fs::path(base.source_file).parent_path() / first_file;
  // Registration works on intensities: the scans themselves, or the label maps as 0/100 images.
  auto image_of = [&](const fs::path& file) {
    try {
      if (is_scan) {
        imaging::ReadOptions ro;
        ro.series = base.geometry.series;
        return imaging::read_image(file, ro);
      }
      const LabelMap l = imaging::read_labels(file);
      Image img(l.grid, 0.0f);
      for (std::size_t i = 0; i < l.data.size(); ++i)
        img.data[i] = (base.geometry.label > 0 ? l.data[i] == base.geometry.label : l.data[i] != 0)
                          ? 100.0f
                          : 0.0f;
      return img;
    } catch (const Error& e) {
      throw Failure(exit_usage, e.what());
    }
  };

  std::vector<Scan> scans(1 + o.scans.size());
  scans[0].name = "scan0";
  scans[0].file = fs::absolute(first_file);
  scans[0].image = image_of(first_file);
  const Image& first_image = scans[0].image;
  imaging::RegistrationOptions ro;
  ro.kind = o.transform == "affine" ? imaging::RegistrationKind::Affine
                                    : imaging::RegistrationKind::Rigid;
  for (std::size_t k = 1; k < scans.size(); ++k) {
    Scan& s = scans[k];
    s.name = "scan" + std::to_string(k);
    s.file = fs::absolute(o.scans[k - 1]);
    s.image = image_of(s.file);
    s.registration = imaging::register_scans(first_image, s.image, ro);
    s.to_scan = s.registration.fixed_to_moving;
    const Vec3 t = s.to_scan.translation();
    if (!o.quiet)
      std::printf(
          "%s: %s registered to the first scan (%s): rotation %.3f deg, translation (%.3f, %.3f, "
          "%.3f) mm, Mattes MI %.4f, %d iterations\n",
          s.name.c_str(), s.file.filename().c_str(), o.transform.c_str(),
          s.registration.rotation_degrees(), t.x(), t.y(), t.z(), s.registration.metric,
          s.registration.iterations);
  }

  // Each scan's lumen, openings and centerlines; the later ones cut and seeded where the first
  // one is, on the first one's lattice spacing.
  try {
    scans[0].run_case = base;
    scans[0].run_case.source_text.clear();
    scans[0].geometry = imaging::prepare_geometry(base);
    for (std::size_t k = 1; k < scans.size(); ++k) {
      Scan& s = scans[k];
      s.run_case = case_for(base, s.file, s.to_scan, scans[0].geometry.spacing_mm);
      s.geometry =
          prepare_like(s.run_case, scans[0].geometry, s.to_scan.inverse(), s.file.string());
    }
  } catch (const Error& e) {
    throw Failure(exit_usage, e.what());
  }
  const double h = scans[0].geometry.lumen.grid.spacing.minCoeff();
  std::optional<imaging::Centerline> parent;  // the first scan's, bridged across the sac
  for (Scan& s : scans) {
    s.lines = vessel_lines(s.geometry, "progress");
    if (!sac) continue;
    const Vec3 centre = s.to_scan * sac->centre;
    const auto& line = s.lines.lines[line_nearest(s.lines.lines, centre)];
    try {
      s.aneurysm = imaging::measure_aneurysm(s.geometry.lumen, line, centre, sac->radius,
                                             is_scan ? &s.image : nullptr);
    } catch (const Error& e) {
      throw Failure(exit_usage, "--sac: " + s.file.string() + ": " + e.what());
    }
    if (!parent) parent = imaging::parent_across_sac(line, centre, sac->radius);
  }

  // The runs, and the lumens in the first scan's frame. progression.json marks a complete
  // progression: an earlier one's goes first.
  fs::create_directories(out);
  fs::remove(out / "progression.json");
  io::OutputDir dir(out, "progression.json");
  for (std::size_t k = 1; k < scans.size(); ++k)
    imaging::write_labels(
        imaging::resample(scans[k].geometry.lumen, scans[0].geometry.lumen.grid, scans[k].to_scan),
        dir.staged(scans[k].name + "_lumen_in_scan0.nrrd"));
  if (!o.geometry_only) {
    for (Scan& s : scans) {
      if (!o.quiet) spdlog::info("progress: running {} ({})", s.name, s.file.filename().string());
      io::RunCallbacks cb;
      imaging::PreparedGeometry g = s.geometry;
      cb.geometry = [&g](const Case&) { return imaging::to_file_geometry(std::move(g)); };
      io::run_case(s.run_case, out / s.name, cb);
      // The time step a case derives depends on its openings: every later run takes the first
      // one's, so the runs differ in their geometry alone.
      if (&s == &scans[0] && !(base.time.time_step > 0)) {
        const double dt = io::read_results(out / s.name / "results.h5").dt;
        for (std::size_t k = 1; k < scans.size(); ++k) scans[k].run_case.time.time_step = dt;
      }
    }
    // The wall in the same regions: each run's wall points carried into the first scan's frame;
    // the sac is what lies in the sac's ball beyond the first scan's parent vessel.
    for (Scan& s : scans) {
      const io::ResultsData r = io::read_results(out / s.name / "results.h5");
      const analysis::FlowMetrics fm = analysis::flow_metrics(r);
      s.flow = json::object();
      for (const auto& p : fm.iolets)
        s.flow[p.name] = {{"mean_flow_ml_s", p.mean_flow * 1e6},
                          {"mean_pressure_mmhg", p.mean_pressure / io::pascal_per_mmhg}};
      const analysis::WallIndices wi = analysis::wall_indices(r);
      s.wall = json::object();
      if (wi.size() == 0) continue;
      std::vector<bool> in_sac(wi.size(), false), in_parent(wi.size(), true);
      const Eigen::Affine3d back = s.to_scan.inverse();
      if (sac && parent)
        for (std::size_t i = 0; i < wi.size(); ++i) {
          const Vec3 p = back * (r.wall_points[i] / kMm);
          if ((p - sac->centre).norm() > sac->radius) continue;
          const double a = parent->project(p);
          in_sac[i] = (p - parent->point_at(a)).norm() > parent->radius_at(a) + 0.6 * h;
          in_parent[i] = !in_sac[i];
        }
      const std::vector<double> area =
          r.wall_area.size() == wi.size() ? r.wall_area : std::vector<double>{};
      auto region = [&](const std::vector<bool>& mask) {
        const auto t = analysis::region_stats(wi.tawss, area, mask);
        const auto osi = analysis::region_stats(wi.osi, area, mask);
        const auto f = analysis::area_fractions(wi, area, {}, mask);
        return json{{"points", t.points},
                    {"area_mm2", area.empty() ? json(nullptr) : json(t.area * 1e6)},
                    {"tawss_mean_pa", num(t.mean)},
                    {"tawss_median_pa", num(t.p50)},
                    {"osi_mean", num(osi.mean)},
                    {"low_tawss_share", num(f.low_tawss)},
                    {"high_osi_share", num(f.high_osi)}};
      };
      s.wall["all"] = region({});
      if (sac) {
        s.wall["sac"] = region(in_sac);
        s.wall["parent"] = region(in_parent);
      }
    }
  }

  // progression.json: every scan's measurements, then each quantity's change from the first.
  json j;
  j["format"] = "hemotwin-progress";
  j["format_version"] = 1;
  j["case"] = base.name;
  j["transform"] = o.transform;
  if (sac)
    j["sac"] = {{"centre_mm", {sac->centre.x(), sac->centre.y(), sac->centre.z()}},
                {"radius_mm", sac->radius}};
  json list = json::array();
  for (const Scan& s : scans) {
    json e;
    e["name"] = s.name;
    e["file"] = s.file.filename().string();
    e["to_scan"] = affine_json(s.to_scan);
    if (&s != &scans[0])
      e["registration"] = {{"rotation_deg", s.registration.rotation_degrees()},
                           {"metric", s.registration.metric},
                           {"iterations", s.registration.iterations},
                           {"stop", s.registration.stop}};
    e["segmented_volume_mm3"] = s.geometry.segmented_volume_mm3;
    json lines = json::array();
    for (std::size_t k = 0; k < s.lines.lines.size(); ++k) {
      const auto& l = s.lines.lines[k];
      std::vector<double> r = l.radius;
      std::nth_element(r.begin(), r.begin() + std::ptrdiff_t(r.size() / 2), r.end());
      const double narrow = l.radius[l.narrowest(2 * h, l.length() - 2 * h)];
      lines.push_back({{"outlet", s.lines.outlets[k]},
                       {"length_mm", l.length()},
                       {"median_radius_mm", r[r.size() / 2]},
                       {"narrowest_radius_mm", narrow},
                       {"diameter_reduction", 1 - narrow / r[r.size() / 2]}});
    }
    e["centerlines"] = std::move(lines);
    if (s.aneurysm) e["aneurysm"] = aneurysm_json(*s.aneurysm);
    if (!o.geometry_only) {
      e["run"] = s.name;
      e["flow"] = s.flow;
      e["wall"] = s.wall;
    }
    list.push_back(std::move(e));
  }
  // Changes: the aneurysm's geometry and the wall indices per region, each scan against the first.
  json changes = json::array();
  auto track = [&](const std::string& metric, const std::string& unit, auto value) {
    json values = json::array();
    for (const Scan& s : scans) values.push_back(num(value(s)));
    const double a = value(scans[0]), b = value(scans.back());
    changes.push_back({{"metric", metric},
                       {"unit", unit},
                       {"values", values},
                       {"change", num(b - a)},
                       {"relative_change", num(a != 0 ? (b - a) / std::abs(a) : NAN)}});
  };
  if (sac) {
    track("sac volume", "mm^3", [](const Scan& s) {
      return s.aneurysm->scan_volume > 0 ? s.aneurysm->scan_volume : s.aneurysm->volume;
    });
    track("sac max diameter", "mm", [](const Scan& s) { return s.aneurysm->max_diameter; });
    track("neck diameter", "mm", [](const Scan& s) { return s.aneurysm->neck_diameter; });
    track("sac height", "mm", [](const Scan& s) { return s.aneurysm->height; });
    track("aspect ratio", "", [](const Scan& s) { return s.aneurysm->aspect_ratio; });
  }
  if (!o.geometry_only) {
    for (const char* region : {"sac", "parent", "all"}) {
      if (!scans[0].wall.contains(region)) continue;
      auto field = [region](const char* key) {
        return [region, key](const Scan& s) {
          if (!s.wall.contains(region)) return double(NAN);
          const auto& v = s.wall.at(region).at(key);
          return v.is_null() ? double(NAN) : v.get<double>();
        };
      };
      const std::string r(region);
      track(r + " TAWSS (mean)", "Pa", field("tawss_mean_pa"));
      track(r + " OSI (mean)", "", field("osi_mean"));
      track(r + " low-TAWSS share", "", field("low_tawss_share"));
      track(r + " high-OSI share", "", field("high_osi_share"));
    }
  }
  j["scans"] = std::move(list);
  j["changes"] = std::move(changes);
  dir.write_file("progression.json", j.dump(2) + "\n");
  dir.commit();

  if (!o.quiet) {
    std::printf("%-28s", "metric");
    for (const Scan& s : scans) std::printf(" %12s", s.name.c_str());
    std::printf(" %12s\n", "change");
    for (const auto& c : j["changes"]) {
      std::printf("%-28s", c["metric"].get<std::string>().c_str());
      for (const auto& v : c["values"]) std::printf(" %12.4g", v.is_null() ? NAN : v.get<double>());
      std::printf(" %+12.4g %s\n", c["change"].is_null() ? NAN : c["change"].get<double>(),
                  c["unit"].get<std::string>().c_str());
    }
    std::printf("progression written to %s\n", (out / "progression.json").string().c_str());
  }
  return exit_ok;
}

}  // namespace hemotwin::cli
