#include "hemotwin/io/results_reader.hpp"

#include <hdf5.h>

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

}  // namespace hemotwin::io
