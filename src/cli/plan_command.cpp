#include "plan_command.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "failure.hpp"
#include "hemotwin/analysis/flow_metrics.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/centerline.hpp"
#include "hemotwin/imaging/file_geometry.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/intervention.hpp"
#include "hemotwin/imaging/morphology.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/output_dir.hpp"
#include "hemotwin/io/results_reader.hpp"
#include "imaging_commands.hpp"
#include "vessel_lines.hpp"

namespace fs = std::filesystem;

namespace hemotwin::cli {

namespace {

constexpr double kMm = 1e-3;

struct Stretch {
  double s0 = 0, s1 = 0;
};

/// "S0:S1" in mm, or the stretch about the branch's narrowest point where the radius is below
/// 90 % of the branch's median, widened by a millimetre each side.
Stretch stretch_of(const std::string& spec, const imaging::Centerline& c) {
  if (spec != "auto") {
    const auto colon = spec.find(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument("no colon");
      return {std::stod(spec.substr(0, colon)), std::stod(spec.substr(colon + 1))};
    } catch (const std::exception&) {
      throw Failure(exit_usage, "--open '" + spec +
                                    "': give the stretch as S0:S1, millimetres along the branch's "
                                    "centerline from the inlet (e.g. 14:26), or auto");
    }
  }
  std::vector<double> r = c.radius;
  std::nth_element(r.begin(), r.begin() + std::ptrdiff_t(r.size() / 2), r.end());
  const double median = r[r.size() / 2];
  // Away from the ends, where the ball meets the cut.
  const double margin = 2 * median;
  const std::size_t k = c.narrowest(margin, c.length() - margin);
  std::size_t a = k, b = k;
  while (a > 0 && c.radius[a] < 0.9 * median) --a;
  while (b + 1 < c.radius.size() && c.radius[b] < 0.9 * median) ++b;
  return {std::max(0.0, c.arc_length[a] - 1.0), std::min(c.length(), c.arc_length[b] + 1.0)};
}

nlohmann::ordered_json change(const std::string& name, const std::string& unit, double before,
                              double after) {
  auto num = [](double v) -> nlohmann::ordered_json {
    if (!std::isfinite(v)) return nullptr;
    return v;
  };
  return {{"metric", name},
          {"unit", unit},
          {"before", num(before)},
          {"after", num(after)},
          {"change", num(after - before)},
          {"relative_change", num(before != 0 ? (after - before) / std::abs(before) : NAN)}};
}

}  // namespace

void add_plan_options(CLI::App& cmd, PlanOptions& o) {
  cmd.add_option("--open", o.open,
                 "Virtual angioplasty of the stretch S0:S1 (mm along the branch's centerline from "
                 "the inlet), or auto: about the branch's narrowest point")
      ->type_name("S0:S1|auto");
  cmd.add_option("--exclude-sac", o.exclude_sac,
                 "Virtual coiling/clipping: remove the aneurysm's sac found in the ball of radius "
                 "R about (X, Y, Z) beyond the parent vessel (mm, LPS)")
      ->type_name("X,Y,Z,R");
  cmd.add_option("--geometry", o.geometry,
                 "The geometry after: another label map on which to run the case (e.g. a "
                 "surgeon's edited segmentation)")
      ->type_name("FILE");
  cmd.add_option("--radius", o.radius, "Target radius (mm); default: the reference radius")
      ->check(CLI::Range(0.01, 100.0));
  cmd.add_option("--branch", o.branch,
                 "The outlet whose centerline holds the stretch (0, 1, ...); default: the one with "
                 "the narrowest point")
      ->check(CLI::Range(0, 1000));
  cmd.add_option("--aortic-pressure-mmhg", o.aortic_pressure_mmhg,
                 "Mean aortic pressure for the virtual FFR (default: the simulated pressures)")
      ->check(CLI::Range(1.0, 300.0));
  cmd.add_option("-o,--output", o.output,
                 "Directory for pre/, post/, post_labels.nrrd and comparison.json (default: the "
                 "case's output directory + '-plan')")
      ->type_name("DIR");
  cmd.add_flag("-q,--quiet", o.quiet, "Print errors and warnings only");
}

int plan_command(const PlanOptions& o, const std::function<Case()>& load,
                 const std::function<io::FileGeometry(const Case&)>& geometry) {
  Case c = load();
  if (c.geometry.shape != ShapeKind::LabelMap && c.geometry.shape != ShapeKind::Scan)
    throw Failure(exit_usage, (c.source_file.empty() ? std::string("the case") : c.source_file) +
                                  ": geometry.shape: plan works on a label map (\"label_map\") "
                                  "or a scan (\"scan\"), got \"" +
                                  to_string(c.geometry.shape) + "\"");
  const bool from_scan = c.geometry.shape == ShapeKind::Scan;
  const fs::path out =
      o.output.empty() ? fs::path(c.output.directory + "-plan") : fs::path(o.output);

  // The openings, the lumen and its centerlines from the inlet to each outlet.
  // The intervention edits the label map as read (other labels kept), not the lumen mask.
  imaging::PreparedGeometry g;
  LabelMap labels;
  try {
    g = imaging::prepare_geometry(c);
    // A scan: its segmented lumen, which both runs then take as a label map (pre_labels.nrrd),
    // so the two differ in the intervention alone.
    labels = from_scan ? g.lumen : imaging::read_labels(g.file);
  } catch (const Error& e) {
    throw Failure(exit_usage, e.what());
  }
  const double h = labels.grid.spacing.minCoeff();
  const VesselLines vl = vessel_lines(g, "plan");
  const auto& lines = vl.lines;
  const auto& source = vl.source;
  const auto& targets = vl.targets;
  const auto& outlet_names = vl.outlets;
  imaging::CenterlineOptions co;  // for the lumen after, in the label map's own labels
  co.label = from_scan ? 0 : c.geometry.label;
  std::size_t branch = 0;
  if (o.branch >= 0) {
    if (std::size_t(o.branch) >= lines.size())
      throw Failure(exit_usage, "--branch " + std::to_string(o.branch) + ": the geometry has " +
                                    std::to_string(lines.size()) + " outlets (0 to " +
                                    std::to_string(lines.size() - 1) + ")");
    branch = std::size_t(o.branch);
  } else {
    double narrowest = 1e300;
    for (std::size_t k = 0; k < lines.size(); ++k) {
      const auto& l = lines[k];
      const double r = l.radius[l.narrowest(2 * h, l.length() - 2 * h)];
      if (r < narrowest) {
        narrowest = r;
        branch = k;
      }
    }
  }
  // The intervention: the lumen after it, and the sections either side of where it acts.
  const std::string kind = !o.exclude_sac.empty() ? "exclude_sac"
                           : !o.geometry.empty()  ? "geometry"
                                                  : "open_stenosis";
  if (int(!o.open.empty()) + int(!o.exclude_sac.empty()) + int(!o.geometry.empty()) > 1)
    throw Failure(exit_usage,
                  "--open, --exclude-sac and --geometry are three interventions: "
                  "give one");
  const std::uint8_t lumen_label =
      std::uint8_t(c.geometry.label > 0 && !from_scan ? c.geometry.label : 1);
  imaging::Intervention plan;
  Stretch st;
  double before_min = NAN;
  std::optional<imaging::AneurysmGeometry> sac_before;
  std::size_t sac_line = 0;
  Vec3 sac_centre = Vec3::Zero();
  double sac_radius = 0;
  if (kind == "open_stenosis") {
    st = stretch_of(o.open.empty() ? "auto" : o.open, lines[branch]);
    try {
      plan = imaging::open_stenosis(labels, lines[branch], st.s0, st.s1, o.radius, lumen_label);
    } catch (const Error& e) {
      throw Failure(exit_usage, std::string("--open: ") + e.what());
    }
    before_min = lines[branch].radius[lines[branch].narrowest(st.s0, st.s1)];
    if (!o.quiet)
      std::printf(
          "plan: open %s (branch %zu) from %.2f to %.2f mm along its centerline to radius %.3f "
          "mm (reference %.3f mm); narrowest radius there %.3f mm; %lld voxels added\n",
          outlet_names[branch].c_str(), branch, st.s0, st.s1, plan.radius, plan.reference_radius,
          before_min, static_cast<long long>(plan.voxels_added));
  } else if (kind == "exclude_sac") {
    const auto v = numbers(o.exclude_sac, 4, "--exclude-sac");
    sac_centre = Vec3(v[0], v[1], v[2]);
    sac_radius = v[3];
    sac_line = o.branch >= 0 ? branch : line_nearest(lines, sac_centre);
    branch = sac_line;
    try {
      sac_before = imaging::measure_aneurysm(g.lumen, lines[sac_line], sac_centre, sac_radius);
      plan = imaging::exclude_sac(labels, lines[sac_line], sac_centre, sac_radius);
    } catch (const Error& e) {
      throw Failure(exit_usage, std::string("--exclude-sac: ") + e.what());
    }
    // The stretch of the parent beside the sac, for the sections.
    const imaging::Centerline bridged =
        imaging::parent_across_sac(lines[sac_line], sac_centre, sac_radius);
    const double s = lines[sac_line].project(bridged.point_at(bridged.project(sac_centre)));
    st = {std::max(0.0, s - sac_radius), std::min(lines[sac_line].length(), s + sac_radius)};
    if (!o.quiet)
      std::printf(
          "plan: exclude the sac at (%.2f, %.2f, %.2f) mm beside %s: %.1f mm^3, max diameter "
          "%.2f mm, neck %.2f mm; %lld voxels removed\n",
          sac_centre.x(), sac_centre.y(), sac_centre.z(), outlet_names[sac_line].c_str(),
          sac_before->volume, sac_before->max_diameter, sac_before->neck_diameter,
          static_cast<long long>(plan.voxels_removed));
  } else {
    try {
      plan.labels = imaging::read_labels(o.geometry);
    } catch (const Error& e) {
      throw Failure(exit_usage, std::string("--geometry: ") + e.what());
    }
    if (!o.quiet) std::printf("plan: the geometry after is %s\n", o.geometry.c_str());
  }
  const imaging::Centerline& line = lines[branch];

  // Sections a reference diameter before the stretch and two after, across the branch.
  if (kind != "geometry") {
    std::vector<double> rr = line.radius;
    std::nth_element(rr.begin(), rr.begin() + std::ptrdiff_t(rr.size() / 2), rr.end());
    const double d_ref =
        2 * (plan.reference_radius > 0 ? plan.reference_radius : rr[rr.size() / 2]);
    auto section = [&](const std::string& name, double s) {
      s = std::clamp(s, 2 * h, line.length() - 2 * h);
      SectionSpec sec;
      sec.name = name;
      sec.point = line.point_at(s) * kMm;
      sec.normal = line.tangent_at(s);
      sec.radius = 1.5 * line.radius_at(s) * kMm + 2 * h * kMm;
      return sec;
    };
    c.sections.push_back(section("plan_proximal", st.s0 - d_ref));
    c.sections.push_back(section("plan_distal", st.s1 + 2 * d_ref));
  }

  // The lumen after, then both runs with the same settings but the file. comparison.json marks a
  // complete plan: an earlier one's goes first, so a plan that fails part-way leaves none that
  // could be taken for this one's (each run directory is itself replaced whole or not at all).
  fs::create_directories(out);
  fs::remove(out / "comparison.json");
  if (from_scan) {
    const fs::path pre_labels = fs::absolute(out / "pre_labels.nrrd");
    imaging::write_labels(labels, pre_labels);
    c.geometry.shape = ShapeKind::LabelMap;
    c.geometry.file = pre_labels.string();
    c.geometry.label = 0;
    // The run before from its label map too: its wall then comes the way the one after's does
    // (from the mask, where the scan's own came from its grey levels), and only the intervention
    // tells them apart.
    c.geometry.spacing = g.spacing_mm * kMm;
    g = imaging::prepare_geometry(c);
  }
  const fs::path post_labels =
      kind == "geometry" ? fs::absolute(o.geometry) : fs::absolute(out / "post_labels.nrrd");
  if (kind != "geometry") imaging::write_labels(plan.labels, post_labels);
  c.source_text.clear();  // each run's case.toml then records what ran (sections, file)
  Case post = c;
  post.geometry.file = post_labels.string();
  post.geometry.spacing = g.spacing_mm * kMm;  // the same lattice spacing whatever the openings
  // The lattice after on the one before: its origin moved onto the grid of the run before (and
  // a cell more each way), so the walls and openings the intervention leaves alone are cut into
  // the same cells -- a lattice shifted by a fraction of a cell samples a 10-cell opening's area
  // a per cent or two differently.
  const DomainSpec pre_domain = g.domain;
  auto on_pre_lattice = [&pre_domain, &geometry](const Case& pc) {
    io::FileGeometry fg = geometry(pc);
    DomainSpec& d = fg.domain;
    for (int a = 0; a < 3; ++a) {
      const double dx = pre_domain.dx;
      const double k = std::floor((d.origin[a] - pre_domain.origin[a]) / dx + 1e-9);
      const double origin = pre_domain.origin[a] + k * dx;
      d.cells[std::size_t(a)] += int(std::ceil((d.origin[a] - origin) / dx - 1e-9)) + 1;
      d.origin[a] = origin;
    }
    return fg;
  };
  // The geometry prepared above serves the run before (no second read and voxelisation); the
  // one after is prepared from its own label map.
  io::RunCallbacks cb;
  cb.geometry = [&g](const Case&) { return imaging::to_file_geometry(std::move(g)); };
  if (!o.quiet) spdlog::info("plan: running the case before the intervention");
  const io::RunResult before = io::run_case(c, out / "pre", cb);
  // ... and at its time step: one derived from the peak after would be larger (the jet is gone),
  // the lattice's sound slower, and the run after further from steady at the same duration.
  if (post.time.time_step == 0) post.time.time_step = before.dt;
  cb.geometry = on_pre_lattice;
  if (!o.quiet) spdlog::info("plan: running the case after the intervention");
  io::run_case(post, out / "post", cb);

  // The geometry after, and every metric before and after.
  analysis::FlowMetricsOptions fo;
  if (kind != "geometry") {
    fo.proximal = "plan_proximal";
    fo.distal = "plan_distal";
  }
  if (o.aortic_pressure_mmhg > 0) fo.aortic_pressure = o.aortic_pressure_mmhg * io::pascal_per_mmhg;
  const io::ResultsData rb = io::read_results(out / "pre" / "results.h5");
  const io::ResultsData ra = io::read_results(out / "post" / "results.h5");
  const analysis::FlowMetrics mb = analysis::flow_metrics(rb, fo),
                              ma = analysis::flow_metrics(ra, fo);
  const analysis::WallSummary wb = analysis::wall_summary(rb), wa = analysis::wall_summary(ra);

  using json = nlohmann::ordered_json;
  constexpr double mmhg = io::pascal_per_mmhg;
  json metrics = json::array();
  json verdict = json::object();
  json intervention = {{"kind", kind}};
  double after_min = NAN;
  if (kind == "open_stenosis") {
    const auto after_lines = imaging::centerlines(plan.labels, source, targets, co);
    const auto& after_line = after_lines[branch];
    after_min = after_line.radius[after_line.narrowest(st.s0, st.s1)];
    metrics.push_back(change("minimum radius over the stretch", "mm", before_min, after_min));
    verdict["minimum_radius_within_one_voxel_of_target"] = std::abs(after_min - plan.radius) <= h;
    intervention.update({{"branch", outlet_names[branch]},
                         {"s0_mm", st.s0},
                         {"s1_mm", st.s1},
                         {"target_radius_mm", plan.radius},
                         {"reference_radius_mm", plan.reference_radius},
                         {"voxels_added", plan.voxels_added}});
  } else if (kind == "exclude_sac") {
    metrics.push_back(change("sac volume", "mm^3", sac_before->volume, 0.0));
    LabelMap left = plan.labels;
    bool sac_left = true;
    try {
      (void)imaging::sac_region(left, lines[sac_line], sac_centre, sac_radius);
    } catch (const Error&) {
      sac_left = false;  // no lumen beyond the parent in the ball any more
    }
    verdict["sac_excluded"] = !sac_left && plan.voxels_removed > 0;
    intervention.update({{"branch", outlet_names[sac_line]},
                         {"sac_centre_mm", {sac_centre.x(), sac_centre.y(), sac_centre.z()}},
                         {"sac_radius_mm", sac_radius},
                         {"sac_volume_mm3", sac_before->volume},
                         {"sac_max_diameter_mm", sac_before->max_diameter},
                         {"neck_diameter_mm", sac_before->neck_diameter},
                         {"voxels_removed", plan.voxels_removed}});
  } else {
    intervention["geometry"] = fs::absolute(o.geometry).string();
  }
  intervention["voxel_mm"] = h;
  if (mb.drop && ma.drop) {
    metrics.push_back(change("pressure drop (mean)", "mmHg", mb.drop->mean_drop / mmhg,
                             ma.drop->mean_drop / mmhg));
    metrics.push_back(change("pressure drop (peak)", "mmHg", mb.drop->peak_drop / mmhg,
                             ma.drop->peak_drop / mmhg));
    metrics.push_back(change("virtual FFR", "", mb.drop->ffr, ma.drop->ffr));
    if (kind == "open_stenosis")
      verdict["pressure_drop_falls"] = ma.drop->mean_drop < mb.drop->mean_drop;
  }
  for (std::size_t k = 0; k < mb.iolets.size() && k < ma.iolets.size(); ++k) {
    metrics.push_back(change(mb.iolets[k].name + " mean pressure", "mmHg",
                             mb.iolets[k].mean_pressure / mmhg, ma.iolets[k].mean_pressure / mmhg));
    metrics.push_back(change(mb.iolets[k].name + " mean flow", "mL/s", mb.iolets[k].mean_flow * 1e6,
                             ma.iolets[k].mean_flow * 1e6));
    if (rb.iolets[k].is_outlet())
      metrics.push_back(change(mb.iolets[k].name + " flow share", "", mb.iolets[k].flow_fraction,
                               ma.iolets[k].flow_fraction));
  }
  if (wb.averaged && wa.averaged) {
    metrics.push_back(change("TAWSS (mean)", "Pa", wb.tawss.mean, wa.tawss.mean));
    metrics.push_back(change("TAWSS (95th percentile)", "Pa", wb.tawss.p95, wa.tawss.p95));
    metrics.push_back(change("OSI (mean)", "", wb.osi.mean, wa.osi.mean));
    metrics.push_back(
        change("low-TAWSS share", "", wb.fractions.low_tawss, wa.fractions.low_tawss));
    metrics.push_back(change("high-OSI share", "", wb.fractions.high_osi, wa.fractions.high_osi));
  }
  json j;
  j["format"] = "hemotwin-plan";
  j["format_version"] = 1;
  j["case"] = c.name;
  j["intervention"] = std::move(intervention);
  j["verdict"] = verdict;
  j["metrics"] = std::move(metrics);
  j["runs"] = {{"before", "pre"},
               {"after", "post"},
               {"post_labels", kind == "geometry" ? post_labels.string() : "post_labels.nrrd"}};
  if (from_scan) j["runs"]["pre_labels"] = "pre_labels.nrrd";
  io::OutputDir dir(out, "comparison.json");
  dir.write_file("comparison.json", j.dump(2) + "\n");
  dir.commit();

  if (!o.quiet) {
    std::printf("%-34s %12s %12s %12s\n", "metric", "before", "after", "change");
    for (const auto& m : j["metrics"]) {
      const auto v = [&](const char* k) { return m[k].is_null() ? NAN : m[k].get<double>(); };
      std::printf("%-34s %12.4g %12.4g %+12.4g %s\n", m["metric"].get<std::string>().c_str(),
                  v("before"), v("after"), v("change"), m["unit"].get<std::string>().c_str());
    }
    for (const auto& [k, v] : j["verdict"].items())
      std::printf("%s: %s\n", k.c_str(), v.get<bool>() ? "yes" : "NO");
    if (kind == "open_stenosis" && mb.drop && ma.drop)
      std::printf(
          "minimum radius %.3f -> %.3f mm (target %.3f, voxel %.3f): %s; pressure drop "
          "%.4g -> %.4g mmHg: %s\n",
          before_min, after_min, plan.radius, h,
          j["verdict"]["minimum_radius_within_one_voxel_of_target"].get<bool>()
              ? "within one voxel"
              : "NOT within one voxel",
          mb.drop->mean_drop / mmhg, ma.drop->mean_drop / mmhg,
          j["verdict"]["pressure_drop_falls"].get<bool>() ? "falls" : "does NOT fall");
    std::printf("comparison written to %s\n", (out / "comparison.json").string().c_str());
  }
  return exit_ok;
}

}  // namespace hemotwin::cli
