#pragma once
// `hemotwin progress`: serial scans of one patient registered into the first one's frame,
// segmented and measured alike, simulated under the same boundary conditions, and how the defect's
// geometry and the wall indices in the same regions changed (docs/analysis.md).
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "hemotwin/core/case.hpp"

namespace hemotwin::cli {

struct ProgressOptions {
  std::vector<std::string> scans;   // the later scans (or label maps), oldest first
  std::string sac;                  // "X,Y,Z,R" (mm, in the case's scan): the aneurysm to follow
  std::string transform = "rigid";  // rigid | affine
  bool geometry_only = false;       // register and measure; no simulation
  std::string output;               // default: <output.directory>-progress
  bool quiet = false;
};

void add_progress_options(CLI::App& cmd, ProgressOptions& o);

/// `load` reads the case (the first scan's; with its overrides).
int progress_command(const ProgressOptions& o, const std::function<Case()>& load);

}  // namespace hemotwin::cli
