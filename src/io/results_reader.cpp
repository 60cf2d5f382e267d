#include "hemotwin/io/results_reader.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "hdf5_reading.hpp"
#include "hdf5_util.hpp"
#include "hemotwin/core/error.hpp"

namespace hemotwin::io {

namespace fs = std::filesystem;

namespace {

/// The groups under `group` as plane series, sorted by their `index` attribute.
std::vector<PlaneSeries> planes(const h5::Reader& r, const std::string& group, bool sections) {
  std::vector<std::pair<double, PlaneSeries>> found;
  for (const auto& m : r.members(group)) {
    const std::string g = group + "/" + m;
    PlaneSeries p;
    p.name = r.string_attribute(g, "name");
    if (p.name.empty()) p.name = m;
    p.kind = sections ? "section" : r.string_attribute(g, "kind");
    const auto c = r.attribute(g, "centre"), n = r.attribute(g, "normal");
    if (c.size() != 3 || n.size() != 3)
      throw Error(g + ": centre and normal must hold 3 values", r.path().string());
    p.centre = {c[0], c[1], c[2]};
    p.normal = {n[0], n[1], n[2]};
    p.area = r.attribute(g, "area")[0];
    p.time = r.doubles(g + "/time");
    p.flow = r.doubles(g + "/flow");
    p.pressure = r.doubles(g + "/pressure");
    if (p.flow.size() != p.time.size() || p.pressure.size() != p.time.size())
      throw Error(g + ": time, flow and pressure differ in length", r.path().string());
    const double index = r.has_attribute(g, "index") ? r.attribute(g, "index")[0] : found.size();
    found.emplace_back(index, std::move(p));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<PlaneSeries> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

}  // namespace

const PlaneSeries& ResultsData::plane(const std::string& name) const {
  for (const auto* set : {&iolets, &sections})
    for (const auto& p : *set)
      if (p.name == name) return p;
  std::string known;
  for (const auto* set : {&iolets, &sections})
    for (const auto& p : *set) known += (known.empty() ? "" : ", ") + p.name;
  throw Error("no inlet, outlet or section named '" + name + "'; the results hold " +
                  (known.empty() ? std::string("none") : known),
              path.string());
}

ResultsData read_results(const fs::path& path) {
  h5::QuietHdf5 quiet;
  h5::Reader r(path, "results file");
  r.require("/iolets");
  r.require("/diagnostics");
  ResultsData d;
  d.path = path;
  d.case_name = r.string_attribute("/case", "name");
  d.case_text = r.string_dataset("/case/source_text");
  if (r.has_attribute("/fields", "dt")) d.dt = r.attribute("/fields", "dt")[0];
  if (r.has_attribute("/diagnostics", "cycle_period"))
    d.cycle_period = r.attribute("/diagnostics", "cycle_period")[0];
  d.domain.time = r.doubles("/diagnostics/time");
  const std::pair<const char*, std::vector<double>*> columns[] = {
      {"mass", &d.domain.mass},
      {"fluid_volume", &d.domain.fluid_volume},
      {"kinetic_energy", &d.domain.kinetic_energy},
      {"wall_volume", &d.domain.wall_volume},
      {"viscous_dissipation", &d.domain.viscous_dissipation}};
  for (const auto& [name, to] : columns) {
    const std::string at = std::string("/diagnostics/") + name;
    if (!r.exists(at)) continue;
    *to = r.doubles(at);
    if (to->size() != d.domain.time.size())
      throw Error(at + " holds " + std::to_string(to->size()) + " values for " +
                      std::to_string(d.domain.time.size()) + " samples",
                  path.string());
  }
  d.iolets = planes(r, "/iolets", false);
  d.sections = planes(r, "/sections", true);
  if (r.exists("/wall")) {
    d.wall_points = r.vectors("/wall/points");
    d.wall_normals = r.vectors("/wall/normals");
    d.wall_wss = r.vectors("/wall/wss");
    if (r.exists("/wall/tawss")) d.tawss = r.doubles("/wall/tawss");
    if (r.exists("/wall/osi")) d.osi = r.doubles("/wall/osi");
    if (r.exists("/wall/area")) d.wall_area = r.doubles("/wall/area");
    if (r.has_attribute("/wall", "averaged_over"))
      d.averaged_over = r.attribute("/wall", "averaged_over")[0];
    if (r.exists("/wall/wss_series")) {
      d.wss_series_time = r.doubles("/wall/wss_series_time");
      std::size_t rows = 0, cols = 0;
      const std::vector<double> v = r.doubles("/wall/wss_series", &rows, &cols, 3);
      const std::size_t m = d.wall_points.size();
      if (rows == 0) cols = m;  // an empty series (a moving wall's, before 2026-12-07)
      if (rows != d.wss_series_time.size() || cols != m)
        throw Error("/wall/wss_series is not [" + std::to_string(d.wss_series_time.size()) + "][" +
                        std::to_string(m) + "][3]",
                    path.string());
      d.wss_series.assign(rows, std::vector<Eigen::Vector3d>(m));
      for (std::size_t k = 0; k < rows; ++k)
        for (std::size_t i = 0; i < m; ++i) {
          const double* p = &v[3 * (k * m + i)];
          d.wss_series[k][i] = {p[0], p[1], p[2]};
        }
    }
  }
  return d;
}

namespace {

// The field groups as (time, name), in time order.
std::vector<std::pair<double, std::string>> field_groups(const h5::Reader& r) {
  std::vector<std::pair<double, std::string>> out;
  for (const std::string& name : r.members("/fields")) {
    const std::string at = "/fields/" + name;
    if (r.has_attribute(at, "time")) out.emplace_back(r.attribute(at, "time")[0], name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<double> field_times(const fs::path& path) {
  h5::QuietHdf5 quiet;
  const h5::Reader r(path, "results file");
  std::vector<double> out;
  for (const auto& g : field_groups(r)) out.push_back(g.first);
  return out;
}

FieldFrame read_field(const fs::path& path, double time) {
  h5::QuietHdf5 quiet;
  const h5::Reader r(path, "results file");
  const auto groups = field_groups(r);
  if (groups.empty()) throw Error("the results hold no field output", path.string());
  std::size_t best = 0;
  for (std::size_t k = 1; k < groups.size(); ++k)
    if (std::abs(groups[k].first - time) < std::abs(groups[best].first - time)) best = k;
  const std::string at = "/fields/" + groups[best].second;
  FieldFrame f;
  f.time = groups[best].first;
  f.step = std::int64_t(r.attribute(at, "step")[0]);
  f.dx = r.attribute("/geometry", "dx")[0];
  const auto origin = r.attribute("/geometry", "origin");
  const auto cells = r.attribute("/geometry", "cells");
  if (origin.size() != 3 || cells.size() != 3)
    throw Error("/geometry's origin and cells are not 3 values each", path.string());
  f.origin = {origin[0], origin[1], origin[2]};
  for (int a = 0; a < 3; ++a) f.cells[std::size_t(a)] = int(cells[std::size_t(a)]);
  const std::size_t n = std::size_t(f.cells[0]) * std::size_t(f.cells[1]) * std::size_t(f.cells[2]);
  std::vector<std::size_t> dims;
  f.velocity = r.array(at + "/velocity", dims);
  f.pressure = r.array(at + "/pressure", dims);
  const std::vector<double> mask = r.array("/geometry/fluid_mask", dims);
  if (f.velocity.size() != 3 * n || f.pressure.size() != n || mask.size() != n)
    throw Error(at + " does not fill the grid of /geometry (" + std::to_string(n) + " cells)",
                path.string());
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t c = 0; c < n; ++c)
    if (mask[c] == 0) {
      f.pressure[c] = nan;
      for (int a = 0; a < 3; ++a) f.velocity[3 * c + std::size_t(a)] = nan;
    }
  return f;
}

}  // namespace hemotwin::io
