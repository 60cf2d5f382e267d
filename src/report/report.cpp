#include "hemotwin/report/report.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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
