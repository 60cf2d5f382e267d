#pragma once
// `hemotwin plan`: a virtual intervention on a label-map case (angioplasty, sac exclusion, or
// another label map), run before and after with the same settings, and the comparison of every
// metric (docs/analysis.md).
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "hemotwin/core/case.hpp"
#include "hemotwin/io/run.hpp"

namespace hemotwin::cli {

struct PlanOptions {
  std::string open;         // "S0:S1" (mm along the branch's centerline) or "auto" (the default)
  std::string exclude_sac;  // "X,Y,Z,R" (mm): coiling/clipping instead
  std::string geometry;     // a label map: the geometry after, instead
  double radius = 0;        // mm; 0: the reference radius
  int branch = -1;          // outlet index (0, 1, ...); -1: the branch with the narrowest point
  double aortic_pressure_mmhg = -1;
  std::string output;  // the plan's directory; default: <output.directory>-plan
  bool quiet = false;
};

void add_plan_options(CLI::App& cmd, PlanOptions& o);

/// `load` reads the case (with its overrides), `geometry` prepares a file geometry for run_case.
int plan_command(const PlanOptions& o, const std::function<Case()>& load,
                 const std::function<io::FileGeometry(const Case&)>& geometry);

}  // namespace hemotwin::cli
