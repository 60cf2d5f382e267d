#pragma once
// `hemotwin analyze`: clinical metrics of a results directory (hemotwin::analysis).
#include <CLI/CLI.hpp>
#include <string>

namespace hemotwin::cli {

struct AnalyzeOptions {
  std::string results;  // a results directory or its results.h5
  std::string proximal, distal;
  double aortic_pressure_mmhg = -1;  // < 0: FFR from the simulated pressures
  double low_tawss = 0.4;            // Pa
  double high_osi = 0.2;
  std::string output;  // metrics.json to write; default: in the results directory
  bool quiet = false;
};

CLI::App* add_analyze_command(CLI::App& app, AnalyzeOptions& o);
int analyze_command(const AnalyzeOptions& o);

struct ReportCliOptions {
  std::string input;   // a results, plan or progression directory
  std::string output;  // default: <input>/report
  std::string title;
  bool no_figures = false;
  bool quiet = false;
};

CLI::App* add_report_command(CLI::App& app, ReportCliOptions& o);
int report_command(const ReportCliOptions& o);

}  // namespace hemotwin::cli
