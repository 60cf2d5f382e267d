#pragma once
// `hemotwin report`: a self-contained HTML page, its figures as PNG files and the numbers as JSON,
// for a run, a plan (before/after) or a progression (scan to scan), readable without ParaView
// (hemotwin::report; docs/analysis.md).
#include <filesystem>
#include <string>
#include <vector>

namespace hemotwin::report {

struct ReportOptions {
  bool figures = true;  // false: tables only (no display needed)
  std::string title;    // default: from the case's name
};

struct ReportResult {
  std::string kind;  // "run", "plan" or "progress"
  std::filesystem::path html, json;
  std::vector<std::filesystem::path> figures;  // PNG files, in the order the page shows them
};

/// Reports on `input`: a run's results directory (summary.json, results.h5), a `hemotwin plan`
/// directory (comparison.json, pre/, post/) or a `hemotwin progress` one (progression.json,
/// scan0/, ...). Writes report.html (figures embedded as data: URIs), report.json and
/// figures/*.png into `output` all at once (io::OutputDir: nothing half-written, an earlier
/// report replaced whole). Throws hemotwin::Error naming what is missing or unreadable.
ReportResult write_report(const std::filesystem::path& input, const std::filesystem::path& output,
                          const ReportOptions& options = {});

}  // namespace hemotwin::report
