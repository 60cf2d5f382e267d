#include "hemotwin/report/report.hpp"

#include <Eigen/Geometry>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "hemotwin/analysis/flow_metrics.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/markup.hpp"
#include "hemotwin/io/output_dir.hpp"
#include "hemotwin/io/results_reader.hpp"
#include "hemotwin/report/figures.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace hemotwin::report {
namespace {

std::string escape(const std::string& s) { return io::escape_markup(s); }

std::string fmt(double v, int digits = 4) {
  if (!std::isfinite(v)) return "&ndash;";
  std::ostringstream s;
  s.precision(digits);
  s << v;
  return s.str();
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw Error("cannot read", p.string());
  try {
    return json::parse(in);
  } catch (const std::exception& e) {
    throw Error(std::string("not valid JSON: ") + e.what(), p.string());
  }
}

double num(const json& v) { return v.is_number() ? v.get<double>() : NAN; }

/// The page and what goes with it, built up section by section.
struct Page {
  std::string body;
  json data = json::object();
  std::vector<std::string> figures;  // file names, in the page's order
  io::OutputDir* dir = nullptr;
  bool with_figures = true;

  void figure(const std::string& name, const std::string& caption) {
    const fs::path png = dir->staged(name);
    body += "<figure><img src=\"" + data_uri(png) + "\" alt=\"" + escape(caption) +
            "\"><figcaption>" + escape(caption) + "</figcaption></figure>\n";
    figures.push_back(name);
  }
};

/// The velocity of `frame` on the plane through `p0` spanned by `e1` (across the image) and `e2`
/// (up), at half a cell per pixel, cropped to the fluid it cuts.
Slice cut(const io::FieldFrame& frame, const Eigen::Vector3d& p0, const Eigen::Vector3d& e1,
          const Eigen::Vector3d& e2) {
  const Eigen::Vector3d normal = e1.cross(e2);
  double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (int k = 0; k < frame.cells[2]; ++k)
    for (int j = 0; j < frame.cells[1]; ++j)
      for (int i = 0; i < frame.cells[0]; ++i) {
        if (!std::isfinite(frame.pressure[frame.index(i, j, k)])) continue;
        const Eigen::Vector3d x = frame.origin + frame.dx * Eigen::Vector3d(i, j, k) - p0;
        if (std::abs(x.dot(normal)) > frame.dx) continue;
        const double a[2] = {x.dot(e1), x.dot(e2)};
        for (int d = 0; d < 2; ++d) {
          lo[d] = std::min(lo[d], a[d] - frame.dx);
          hi[d] = std::max(hi[d], a[d] + frame.dx);
        }
      }
  Slice s;
  if (!(hi[0] > lo[0]) || !(hi[1] > lo[1])) return s;
  s.pixel = 0.5 * frame.dx;
  s.nx = int(std::ceil((hi[0] - lo[0]) / s.pixel)) + 1;
  s.ny = int(std::ceil((hi[1] - lo[1]) / s.pixel)) + 1;
  const std::size_t n = std::size_t(s.nx) * std::size_t(s.ny);
  s.speed.assign(n, NAN);
  s.u.assign(n, 0.0);
  s.v.assign(n, 0.0);
  for (int b = 0; b < s.ny; ++b)
    for (int a = 0; a < s.nx; ++a) {
      const Eigen::Vector3d x =
          p0 + (lo[0] + a * s.pixel) * e1 + (lo[1] + b * s.pixel) * e2 - frame.origin;
      int c[3];
      bool inside = true;
      for (int d = 0; d < 3; ++d) {
        c[d] = int(std::lround(x[d] / frame.dx));
        inside = inside && c[d] >= 0 && c[d] < frame.cells[std::size_t(d)];
      }
      if (!inside) continue;
      const std::size_t at = frame.index(c[0], c[1], c[2]);
      const Eigen::Vector3d u(frame.velocity[3 * at], frame.velocity[3 * at + 1],
                              frame.velocity[3 * at + 2]);
      if (!u.allFinite()) continue;
      const std::size_t k = std::size_t(a) + std::size_t(s.nx) * std::size_t(b);
      s.speed[k] = u.norm();
      s.u[k] = u.dot(e1);
      s.v[k] = u.dot(e2);
    }
  return s;
}

/// A chamber's beats side by side (a run of more than one): what must repeat beat after beat.
std::string beats_table(const analysis::ChamberMetrics& c) {
  if (c.beats.size() < 2) return {};
  std::string b =
      "<p>Beat by beat:</p>\n<table><tr><th>beat</th><th>stroke volume (mL)</th><th>ejection "
      "fraction (wall, cells)</th>";
  for (const auto& v : c.valves) b += "<th>" + escape(v.name) + " out, in (mL)</th>";
  b += "<th>balance</th><th>mass drift</th></tr>\n";
  for (const auto& beat : c.beats) {
    b += "<tr><td>" + std::to_string(beat.beat + 1) + "</td><td>" + fmt(beat.stroke_volume * 1e6) +
         "</td><td>" + fmt(100 * beat.ejection_fraction, 3) + " %, " +
         fmt(100 * beat.lattice_ejection_fraction, 3) + " %</td>";
    for (const auto& v : beat.valves)
      b += "<td>" + fmt(v.outflow * 1e6) + ", " + fmt(v.inflow * 1e6) + "</td>";
    b += "<td>" + fmt(100 * beat.balance_error, 2) + " %</td><td>" +
         fmt(100 * beat.mass_change, 2) + " %</td></tr>\n";
  }
  return b + "</table>\n";
}

/// A chamber's metrics (a moving wall's results): volumes, valves, energies; the volume and
/// energy curves; the flow at mid-diastole (or, in a run without filling, at the kinetic
/// energy's peak) on the plane through the valves along their mean normal.
void chamber_section(Page& page, const fs::path& h5, const io::ResultsData& r,
                     const analysis::ChamberMetrics& c, const std::string& label,
                     const std::string& prefix) {
  std::string& b = page.body;
  b += "<h3>Chamber</h3>\n<p>Over " + fmt(c.window_end - c.window_start) +
       " s (t = " + fmt(c.window_start) + " to " + fmt(c.window_end) + " s" +
       (c.whole_cycle ? ", one cycle" : ", less than a cycle: the whole run") + ").</p>\n";
  b += "<table><tr><th>end-diastolic volume (mL)</th><th>end-systolic volume (mL)</th><th>stroke "
       "volume (mL)</th><th>ejection fraction</th><th>balance</th></tr>\n<tr><td>" +
       fmt(c.end_diastolic_volume * 1e6) + "</td><td>" + fmt(c.end_systolic_volume * 1e6) +
       "</td><td>" + fmt(c.stroke_volume * 1e6) + "</td><td>" + fmt(100 * c.ejection_fraction, 3) +
       " %</td><td>" + fmt(100 * c.balance_error, 2) + " %</td></tr></table>\n";
  b += "<table><tr><th>valve</th><th>outflow (mL)</th><th>inflow (mL)</th><th>peak outflow "
       "(mL/s)</th><th>peak inflow (mL/s)</th></tr>\n";
  for (const auto& v : c.valves)
    b += "<tr><td>" + escape(v.name) + "</td><td>" + fmt(v.outflow * 1e6) + "</td><td>" +
         fmt(v.inflow * 1e6) + "</td><td>" + fmt(v.peak_outflow * 1e6) + "</td><td>" +
         fmt(v.peak_inflow * 1e6) + "</td></tr>\n";
  b += "</table>\n";
  b += beats_table(c);
  b += "<p>Kinetic energy: mean " + fmt(c.mean_kinetic_energy * 1e3) + " mJ, peak " +
       fmt(c.peak_kinetic_energy * 1e3) + " mJ at t = " + fmt(c.peak_kinetic_energy_time) +
       " s; viscous dissipation " + fmt(c.dissipated_energy * 1e3) + " mJ over the window (mean " +
       fmt(c.mean_dissipation * 1e3) + " mW).</p>\n";
  page.data["runs"][label]["chamber"] = {{"end_diastolic_volume_ml", c.end_diastolic_volume * 1e6},
                                         {"end_systolic_volume_ml", c.end_systolic_volume * 1e6},
                                         {"stroke_volume_ml", c.stroke_volume * 1e6},
                                         {"ejection_fraction", c.ejection_fraction},
                                         {"balance_error", c.balance_error},
                                         {"dissipated_energy_mj", c.dissipated_energy * 1e3}};
  if (!page.with_figures) return;

  // Two of the domain's series (scaled; the second where the file holds it) on one chart.
  const io::DomainSeries& d = r.domain;
  const auto chart =
      [&](const std::string& name, const std::string& title, const std::string& unit,
          const std::string& caption,
          std::initializer_list<std::tuple<const char*, const std::vector<double>*, double>>
              columns) {
        std::vector<Series> lines;
        for (const auto& [legend, values, scale] : columns) {
          if (values->size() != d.time.size()) continue;
          lines.push_back({legend, d.time, {}});
          for (double v : *values) lines.back().y.push_back(v * scale);
        }
        render_chart(lines, {label + ": " + title, "time (s)", unit}, page.dir->staged(name));
        page.figure(name, label + ": " + caption);
      };
  chart(prefix + "_volume.png", "chamber volume", "volume (mL)",
        "the chamber's volume, the wall's and its cells'",
        {{"wall", &d.wall_volume, 1e6}, {"fluid cells", &d.fluid_volume, 1e6}});
  chart(prefix + "_energy.png", "energy", "mJ, mW", "kinetic energy and viscous dissipation",
        {{"kinetic energy (mJ)", &d.kinetic_energy, 1e3},
         {"dissipation (mW)", &d.viscous_dissipation, 1e3}});

  const double when =
      std::isfinite(c.mid_diastole_time) ? c.mid_diastole_time : c.peak_kinetic_energy_time;
  if (io::field_times(h5).empty() || r.iolets.empty()) return;
  const io::FieldFrame frame = io::read_field(h5, when);
  Eigen::Vector3d p0 = Eigen::Vector3d::Zero(), n = Eigen::Vector3d::Zero();
  for (const auto& v : r.iolets) {
    p0 += v.centre;
    n += v.normal;
  }
  p0 /= double(r.iolets.size());
  n = n.norm() > 0 ? Eigen::Vector3d(n.normalized()) : Eigen::Vector3d::UnitZ();
  // Across: from the first valve to the last (else any direction square to the normal).
  Eigen::Vector3d across = r.iolets.back().centre - r.iolets.front().centre;
  across -= across.dot(n) * n;
  if (across.norm() < 1e-12) across = n.unitOrthogonal();
  // Up: out through the valves (the valves at the top, the apex of a ventricle below).
  Slice s = cut(frame, p0, across.normalized(), n);
  if (s.nx < 2) return;
  s.title = "speed (m/s)";
  render_slice(s, page.dir->staged(prefix + "_slice.png"));
  page.figure(
      prefix + "_slice.png",
      label + ": flow at t = " + fmt(frame.time) + " s (" +
          (std::isfinite(c.mid_diastole_time) ? "mid-diastole" : "the kinetic energy's peak") +
          ") on the plane through the valves, the valves at the top");
}

/// One run: its flow and wall tables, the wall maps, the waveforms.
void run_section(Page& page, const fs::path& run, const std::string& label,
                 const std::string& prefix) {
  const fs::path h5 = run / "results.h5";
  if (!fs::is_regular_file(h5))
    throw Error("no results.h5: not a results directory of hemotwin run", run.string());
  const io::ResultsData r = io::read_results(h5);
  const analysis::FlowMetrics fm = analysis::flow_metrics(r);
  const analysis::WallSummary ws = analysis::wall_summary(r);
  constexpr double mmhg = io::pascal_per_mmhg;

  std::string& b = page.body;
  b += "<h2>" + escape(label) + "</h2>\n";
  b += "<p>Case <b>" + escape(r.case_name) + "</b>; averaged over " +
       fmt(fm.window_end - fm.window_start) + " s (" + std::to_string(fm.window_samples) +
       " samples, t = " + fmt(fm.window_start) + " to " + fmt(fm.window_end) + " s).</p>\n";
  b += "<table><tr><th>opening</th><th>kind</th><th>mean flow (mL/s)</th><th>mean pressure "
       "(mmHg)</th><th>pressure range (mmHg)</th><th>outflow share</th></tr>\n";
  json iolets = json::array();
  for (std::size_t k = 0; k < fm.iolets.size(); ++k) {
    const auto& p = fm.iolets[k];
    b += "<tr><td>" + escape(p.name) + "</td><td>" + escape(p.kind) + "</td><td>" +
         fmt(p.mean_flow * 1e6) + "</td><td>" + fmt(p.mean_pressure / mmhg) + "</td><td>" +
         fmt(p.min_pressure / mmhg) + " &ndash; " + fmt(p.max_pressure / mmhg) + "</td><td>" +
         (r.iolets[k].is_outlet() ? fmt(p.flow_fraction, 3) : std::string("&ndash;")) +
         "</td></tr>\n";
    iolets.push_back({{"name", p.name},
                      {"kind", p.kind},
                      {"mean_flow_ml_s", p.mean_flow * 1e6},
                      {"mean_pressure_mmhg", p.mean_pressure / mmhg},
                      {"flow_share", p.flow_fraction}});
  }
  b += "</table>\n";
  json wall = json::object();
  if (ws.averaged) {
    b += "<table><tr><th>wall index</th><th>mean</th><th>median</th><th>95th percentile</th>"
         "</tr>\n";
    auto row = [&](const char* name, const analysis::RegionStats& s, double scale = 1) {
      b += std::string("<tr><td>") + name + "</td><td>" + fmt(s.mean * scale) + "</td><td>" +
           fmt(s.p50 * scale) + "</td><td>" + fmt(s.p95 * scale) + "</td></tr>\n";
    };
    row("TAWSS (Pa)", ws.tawss);
    row("OSI", ws.osi);
    row("RRT (1/Pa)", ws.rrt);
    if (ws.from_series) row("peak-systolic WSS (Pa)", ws.peak_wss);
    b += "</table>\n<p>Wall with TAWSS below " + fmt(ws.thresholds.low_tawss) +
         " Pa: " + fmt(100 * ws.fractions.low_tawss, 3) + " %; with OSI above " +
         fmt(ws.thresholds.high_osi) + ": " + fmt(100 * ws.fractions.high_osi, 3) + " % (" +
         std::to_string(ws.points) + " wall points, " +
         (ws.area_weighted ? "weighted by the wall area each stands for" : "equal weights") +
         ").</p>\n";
    wall = {{"tawss_mean_pa", ws.tawss.mean},
            {"tawss_p95_pa", ws.tawss.p95},
            {"osi_mean", ws.osi.mean},
            {"low_tawss_share", ws.fractions.low_tawss},
            {"high_osi_share", ws.fractions.high_osi},
            {"points", ws.points}};
  }
  page.data["runs"][label] = {{"directory", run.filename().string()},
                              {"case", r.case_name},
                              {"iolets", iolets},
                              {"wall", wall}};
  if (fm.chamber) chamber_section(page, h5, r, *fm.chamber, label, prefix);
  if (!page.with_figures) return;

  const fs::path surface = run / "wall_surface.vtp";
  if (ws.averaged && fs::is_regular_file(surface)) {
    render_wall_map(surface, {"tawss", "TAWSS (Pa)"}, page.dir->staged(prefix + "_tawss.png"));
    page.figure(prefix + "_tawss.png", label + ": time-averaged wall shear stress");
    WallMap osi{"osi", "OSI"};
    osi.min = 0;
    osi.max = 0.5;
    render_wall_map(surface, osi, page.dir->staged(prefix + "_osi.png"));
    page.figure(prefix + "_osi.png", label + ": oscillatory shear index");
  }
  std::vector<Series> flow, pressure;
  for (const auto& p : r.iolets) {
    if (p.time.size() < 2) continue;
    Series f{p.name, p.time, {}}, q{p.name, p.time, {}};
    for (double v : p.flow) f.y.push_back(v * 1e6);
    for (double v : p.pressure) q.y.push_back(v / mmhg);
    flow.push_back(std::move(f));
    pressure.push_back(std::move(q));
  }
  if (!flow.empty()) {
    render_chart(flow, {label + ": flow", "time (s)", "flow (mL/s)"},
                 page.dir->staged(prefix + "_flow.png"));
    page.figure(prefix + "_flow.png", label + ": flow through each opening");
    render_chart(pressure, {label + ": pressure", "time (s)", "pressure (mmHg)"},
                 page.dir->staged(prefix + "_pressure.png"));
    page.figure(prefix + "_pressure.png", label + ": mean pressure over each opening");
  }
}

/// A table of metric rows: name, unit, the values in columns, the change.
void change_table(Page& page, const std::vector<std::string>& columns, const json& rows,
                  const char* values_key) {
  std::string& b = page.body;
  b += "<table><tr><th>metric</th>";
  for (const auto& c : columns) b += "<th>" + escape(c) + "</th>";
  b += "<th>change</th><th>relative</th></tr>\n";
  for (const auto& m : rows) {
    b += "<tr><td>" + escape(m.value("metric", "")) +
         (m.value("unit", "").empty() ? "" : " (" + escape(m.value("unit", "")) + ")") + "</td>";
    if (values_key) {
      for (const auto& v : m.at(values_key)) b += "<td>" + fmt(num(v)) + "</td>";
    } else {
      b += "<td>" + fmt(num(m.at("before"))) + "</td><td>" + fmt(num(m.at("after"))) + "</td>";
    }
    const double rel = num(m.value("relative_change", json()));
    b += "<td>" + fmt(num(m.at("change"))) + "</td><td>" +
         (std::isfinite(rel) ? fmt(100 * rel, 3) + " %" : std::string("&ndash;")) + "</td></tr>\n";
  }
  b += "</table>\n";
}

constexpr const char* kStyle = R"(<style>
body { font-family: sans-serif; max-width: 1000px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #555; }
.verdict { font-weight: bold; }
</style>)";

}  // namespace

ReportResult write_report(const fs::path& input, const fs::path& output,
                          const ReportOptions& options) {
  if (!fs::is_directory(input))
    throw Error("not a directory: give a run's results directory, a plan's or a progression's",
                input.string());
  ReportResult out;
  if (fs::is_regular_file(input / "comparison.json"))
    out.kind = "plan";
  else if (fs::is_regular_file(input / "progression.json"))
    out.kind = "progress";
  else if (fs::is_regular_file(input / "summary.json"))
    out.kind = "run";
  else
    throw Error(
        "neither a results directory (summary.json), a plan (comparison.json) nor a "
        "progression (progression.json)",
        input.string());

  io::OutputDir dir(output, "report.html");
  Page page;
  page.dir = &dir;
  page.with_figures = options.figures;
  std::string title = options.title;
  page.data["format"] = "hemotwin-report";
  page.data["format_version"] = 1;
  page.data["kind"] = out.kind;

  if (out.kind == "run") {
    run_section(page, input, "Run", "run");
    if (title.empty()) title = "hemotwin: " + page.data["runs"]["Run"].value("case", "run");
  } else if (out.kind == "plan") {
    const json c = read_json(input / "comparison.json");
    if (title.empty()) title = "hemotwin plan: " + c.value("case", "");
    const json& iv = c.at("intervention");
    page.body += "<h2>Intervention</h2>\n<p>" + escape(iv.value("kind", "")) + " on " +
                 escape(iv.value("branch", "")) + " from " + fmt(num(iv.at("s0_mm"))) + " to " +
                 fmt(num(iv.at("s1_mm"))) + " mm along its centerline, to radius " +
                 fmt(num(iv.at("target_radius_mm"))) + " mm (reference " +
                 fmt(num(iv.at("reference_radius_mm"))) + " mm).</p>\n";
    for (const auto& [k, v] : c.at("verdict").items())
      page.body +=
          "<p class=\"verdict\">" + escape(k) + ": " + (v.get<bool>() ? "yes" : "NO") + "</p>\n";
    page.body += "<h2>Before and after</h2>\n";
    change_table(page, {"before", "after"}, c.at("metrics"), nullptr);
    page.data["comparison"] = c;
    run_section(page, input / "pre", "Before the intervention", "pre");
    run_section(page, input / "post", "After the intervention", "post");
  } else {
    const json p = read_json(input / "progression.json");
    if (title.empty()) title = "hemotwin progress: " + p.value("case", "");
    std::vector<std::string> columns;
    for (const auto& s : p.at("scans")) columns.push_back(s.value("name", ""));
    page.body += "<h2>Scan to scan</h2>\n";
    for (const auto& s : p.at("scans"))
      if (s.contains("registration"))
        page.body += "<p>" + escape(s.value("name", "")) + " (" + escape(s.value("file", "")) +
                     "): registered to the first scan, rotation " +
                     fmt(num(s["registration"].at("rotation_deg"))) + "&deg;.</p>\n";
    change_table(page, columns, p.at("changes"), "values");
    page.data["progression"] = p;
    for (const auto& s : p.at("scans"))
      if (s.contains("run")) {
        const std::string name = s.value("run", "");
        run_section(page, input / name, name + " (" + s.value("file", "") + ")", name);
      }
  }

  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                     escape(title) + "</title>" + kStyle + "</head><body>\n<h1>" + escape(title) +
                     "</h1>\n" + page.body +
                     "<p><small>Written by hemotwin report. Figures: VTK, rendered offscreen; "
                     "numbers: report.json.</small></p>\n</body></html>\n";
  page.data["figures"] = page.figures;
  dir.write_file("report.json", page.data.dump(2) + "\n");
  dir.write_file("report.html", html);
  for (const auto& f : dir.commit()) {
    if (f.extension() == ".png") out.figures.push_back(f);
    if (f.filename() == "report.html") out.html = f;
    if (f.filename() == "report.json") out.json = f;
  }
  return out;
}

}  // namespace hemotwin::report
