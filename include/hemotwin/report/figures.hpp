#pragma once
// Figures of a report (hemotwin::report), rendered offscreen with VTK: a wall map (a surface
// coloured by one of its point arrays, with a colour bar) and line charts (waveforms). Debian's
// VTK renders through X: without an X display (DISPLAY unset, or no server answering there) these
// throw hemotwin::Error saying to run under xvfb-run, rather than letting VTK abort the process.
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace hemotwin::report {

/// Whether an X display is there to render on.
bool can_render();

struct WallMap {
  std::string array;            // the point array to colour by (e.g. "tawss", "osi")
  std::string title;            // above the colour bar, with the unit (e.g. "TAWSS (Pa)")
  double min = NAN, max = NAN;  // the colour range; NaN: the array's 2nd and 98th percentiles
  double scale = 1;             // the array's values times this (e.g. unit changes)
  int width = 900, height = 560;
};

/// Renders the surface in `vtp` (VTK XML polydata) coloured by `map.array` (viridis), viewed
/// across its longest extent, and writes a PNG. Throws hemotwin::Error naming the file when it
/// cannot be read, lacks the array, or there is no display.
void render_wall_map(const std::filesystem::path& vtp, const WallMap& map,
                     const std::filesystem::path& png);

struct Series {
  std::string name;
  std::vector<double> x, y;
};

struct Chart {
  std::string title, x_label, y_label;
  int width = 900, height = 420;
};

/// Draws the series as lines on one chart (a legend when there are several) and writes a PNG.
void render_chart(const std::vector<Series>& series, const Chart& chart,
                  const std::filesystem::path& png);

/// A plane cut through a velocity field, sampled on square pixels: the speed (NaN outside the
/// fluid) and the velocity's two in-plane components, row by row (x fastest, y up).
struct Slice {
  int nx = 0, ny = 0;
  double pixel = 0;                 // m
  std::vector<double> speed, u, v;  // m/s
  std::string title;                // above the colour bar
  int width = 900, height = 620;
};

/// The speed in viridis (white outside the fluid) with arrows of the in-plane velocity, and a
/// colour bar; writes a PNG. Throws hemotwin::Error when the slice holds no fluid or there is no
/// display.
void render_slice(const Slice& slice, const std::filesystem::path& png);

/// The file's bytes as a data: URI (base64, VTK's encoder), for a self-contained page.
std::string data_uri(const std::filesystem::path& png);

}  // namespace hemotwin::report
