#pragma once
// `hemotwin phantom` and `hemotwin segment`: the scan side of the pipeline.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hemotwin::cli {

struct PhantomOptions {
  std::string kind;             // straight, curved, stenosis, aneurysm, carotid
  std::string output;           // directory
  std::string modality = "ct";  // ct, mr
  double spacing = 0.4;         // mm
  double severity = 0.5;        // stenosis, carotid
  double noise = -1;            // -1: the modality's default
  double blur = 0.5;            // mm
  unsigned seed = 1;
};

struct SegmentOptions {
  std::string scan;
  std::string output;              // label map file
  std::vector<std::string> seeds;  // "x,y,z" in mm (LPS)
  double lower = 0, upper = 0;
  bool has_lower = false, has_upper = false;
  std::string roi;  // "x0,y0,z0,x1,y1,z1"
  int series = -1;
  int smoothing = 5;
  std::string reference;  // a label map to score against (Dice, surface distance)
};

CLI::App* add_phantom_command(CLI::App& app, PhantomOptions& o);
CLI::App* add_segment_command(CLI::App& app, SegmentOptions& o);
int phantom_command(const PhantomOptions& o);
int segment_command(const SegmentOptions& o);

}  // namespace hemotwin::cli
