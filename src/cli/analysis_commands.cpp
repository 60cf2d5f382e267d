#include "analysis_commands.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "failure.hpp"
#include "hemotwin/analysis/flow_metrics.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/output_dir.hpp"
#include "hemotwin/io/results_reader.hpp"
#include "hemotwin/report/figures.hpp"
#include "hemotwin/report/report.hpp"

namespace fs = std::filesystem;

namespace hemotwin::cli {

CLI::App* add_analyze_command(CLI::App& app, AnalyzeOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "analyze",
      "Clinical metrics of a run: mean flow and pressure per inlet, outlet and section, flow "
      "split, pressure drop and virtual FFR, wall indices (writes metrics.json)");
  cmd->add_option("results", o.results, "A results directory (or its results.h5)")->required();
  cmd->add_option("--proximal", o.proximal,
                  "Inlet, outlet or section upstream of the lesion (for the pressure drop)")
      ->type_name("NAME");
  cmd->add_option("--distal", o.distal, "Inlet, outlet or section downstream of it")
      ->type_name("NAME");
  cmd->add_option("--aortic-pressure-mmhg", o.aortic_pressure_mmhg,
                  "The patient's mean aortic pressure: FFR = (Pa - mean drop) / Pa (default: the "
                  "simulated proximal and distal pressures)")
      ->check(CLI::Range(1.0, 300.0));
  cmd->add_option("--low-tawss-pa", o.low_tawss, "TAWSS below which wall counts as low (Pa)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--high-osi", o.high_osi, "OSI above which wall counts as oscillatory")
      ->check(CLI::Range(0.0, 0.5));
  cmd->add_option("-o,--output", o.output,
                  "metrics.json to write (default: metrics.json in the results directory)")
      ->type_name("FILE");
  cmd->add_flag("-q,--quiet", o.quiet, "Print nothing but errors");
  return cmd;
}

int analyze_command(const AnalyzeOptions& o) {
  fs::path h5 = o.results;
  if (fs::is_directory(h5)) h5 /= "results.h5";
  if (!fs::exists(h5))
    throw Failure(exit_usage, "'" + o.results +
                                  "' is neither a results directory holding results.h5 nor a "
                                  "results.h5 (run 'hemotwin run CASE.toml' first)");
  if (o.proximal.empty() != o.distal.empty())
    throw Failure(exit_usage, "--proximal and --distal go together");

  io::ResultsData results;
  analysis::FlowMetrics flow;
  analysis::FlowMetricsOptions options;
  options.proximal = o.proximal;
  options.distal = o.distal;
  if (o.aortic_pressure_mmhg > 0)
    options.aortic_pressure = o.aortic_pressure_mmhg * io::pascal_per_mmhg;
  try {
    results = io::read_results(h5);
    flow = analysis::flow_metrics(results, options);
  } catch (const Error& e) {
    throw Failure(exit_usage, e.what());
  }
  const analysis::WallSummary wall = analysis::wall_summary(results, {o.low_tawss, o.high_osi});
  const std::string text = analysis::metrics_json(results, flow, wall);

  // Written whole or not at all (an earlier metrics.json stays until the new one is complete).
  const fs::path out_file =
      o.output.empty() ? h5.parent_path() / "metrics.json" : fs::path(o.output);
  const std::string name = out_file.filename().string();
  if (name.empty() || out_file.extension() != ".json")
    throw Failure(exit_usage, "--output must name a .json file, got '" + o.output + "'");
  io::OutputDir dir(out_file.parent_path().empty() ? fs::path(".") : out_file.parent_path(), name);
  dir.write_file(name, text);
  dir.commit();

  if (o.quiet) return exit_ok;
  constexpr double ml = 1e6, mmhg = io::pascal_per_mmhg;
  std::printf("%s: window %.4g to %.4g s (%d samples)\n", h5.string().c_str(), flow.window_start,
              flow.window_end, flow.window_samples);
  std::printf("  %-16s %-16s %12s %12s %10s\n", "plane", "kind", "flow mL/s", "p mmHg", "split");
  auto row = [&](const analysis::PlaneMetrics& p) {
    std::printf("  %-16s %-16s %12.4g %12.4g", p.name.c_str(), p.kind.c_str(), p.mean_flow * ml,
                p.mean_pressure / mmhg);
    if (p.is_outlet() && std::isfinite(p.flow_fraction))
      std::printf(" %9.1f%%", 100 * p.flow_fraction);
    std::printf("\n");
  };
  for (const auto& p : flow.iolets) row(p);
  for (const auto& p : flow.sections) row(p);
  if (flow.drop) {
    const auto& d = *flow.drop;
    std::printf(
        "  pressure drop %s -> %s: mean %.4g mmHg, peak %.4g mmHg; Pd/Pa %.4f; FFR %.3f%s\n",
        d.proximal.c_str(), d.distal.c_str(), d.mean_drop / mmhg, d.peak_drop / mmhg,
        d.pressure_ratio, d.ffr,
        o.aortic_pressure_mmhg > 0 ? " (against the aortic pressure given)" : "");
  }
  if (wall.averaged)
    std::printf(
        "  wall (%zu points, over %.4g s): TAWSS mean %.4g Pa (p5 %.4g, p95 %.4g); OSI mean %.4g; "
        "low TAWSS (< %g Pa) %.1f%%, high OSI (> %g) %.1f%%\n",
        wall.points, wall.averaged_over, wall.tawss.mean, wall.tawss.p5, wall.tawss.p95,
        wall.osi.mean, wall.thresholds.low_tawss, 100 * wall.fractions.low_tawss,
        wall.thresholds.high_osi, 100 * wall.fractions.high_osi);
  if (flow.chamber) {
    const auto& c = *flow.chamber;
    std::printf(
        "  chamber (%.4g to %.4g s%s): EDV %.4g mL, ESV %.4g mL, SV %.4g mL, EF %.1f%%; "
        "balance %+.2f%% of SV\n",
        c.window_start, c.window_end, c.whole_cycle ? ", one cycle" : ", the whole run",
        c.end_diastolic_volume * ml, c.end_systolic_volume * ml, c.stroke_volume * ml,
        100 * c.ejection_fraction, 100 * c.balance_error);
    for (const auto& v : c.valves)
      std::printf("    valve %-12s out %.4g mL, in %.4g mL\n", v.name.c_str(), v.outflow * ml,
                  v.inflow * ml);
    std::printf("    kinetic energy peak %.4g mJ at %.4g s; dissipated %.4g mJ\n",
                c.peak_kinetic_energy * 1e3, c.peak_kinetic_energy_time, c.dissipated_energy * 1e3);
    for (const auto& b : c.beats) {
      std::printf("    beat %d (%.4g to %.4g s): SV %.4g mL, EF %.1f%% (cells %.1f%%),", b.beat + 1,
                  b.start, b.end, b.stroke_volume * ml, 100 * b.ejection_fraction,
                  100 * b.lattice_ejection_fraction);
      for (const auto& v : b.valves)
        std::printf(" %s out %.4g in %.4g mL,", v.name.c_str(), v.outflow * ml, v.inflow * ml);
      std::printf(" balance %+.2f%%, mass %+.3f%%\n", 100 * b.balance_error, 100 * b.mass_change);
    }
  }
  std::printf("  metrics written to %s\n", dir.final_path(name).string().c_str());
  return exit_ok;
}

CLI::App* add_report_command(CLI::App& app, ReportCliOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "report",
      "A self-contained HTML report with PNG figures (wall maps of TAWSS and OSI, waveforms) "
      "and report.json, of a run, a plan (before/after) or a progression (scan to scan)");
  cmd->add_option("input", o.input,
                  "A results directory, a `hemotwin plan` directory or a `hemotwin progress` one")
      ->required();
  cmd->add_option("-o,--output", o.output, "Directory for the report (default: INPUT/report)")
      ->type_name("DIR");
  cmd->add_option("--title", o.title, "The page's title (default: from the case's name)");
  cmd->add_flag("--no-figures", o.no_figures,
                "Tables only (the figures need an X display: run under xvfb-run -a otherwise)");
  cmd->add_flag("-q,--quiet", o.quiet, "Print errors only");
  return cmd;
}

int report_command(const ReportCliOptions& o) {
  const fs::path in(o.input);
  const fs::path out = o.output.empty() ? in / "report" : fs::path(o.output);
  report::ReportOptions ro;
  ro.figures = !o.no_figures;
  ro.title = o.title;
  if (ro.figures && !report::can_render())
    throw Failure(exit_usage,
                  "the report's figures need an X display (Debian's VTK renders through X) and "
                  "DISPLAY is not set: run under xvfb-run -a (package xvfb), or add --no-figures");
  report::ReportResult r;
  try {
    r = report::write_report(in, out, ro);
  } catch (const Error& e) {
    throw Failure(exit_usage, e.what());
  }
  if (!o.quiet) {
    std::printf("report (%s) written to %s: %zu figures, %s\n", r.kind.c_str(),
                r.html.string().c_str(), r.figures.size(), r.json.filename().string().c_str());
  }
  return exit_ok;
}

}  // namespace hemotwin::cli
