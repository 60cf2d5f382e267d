#include "hemotwin/io/cycles.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/summary.hpp"

namespace hemotwin::io {

CycleStats cycle_stats(const std::vector<Diagnostics>& series, double t0, double t1) {
  CycleStats s;
  s.start = t0;
  s.end = t1;
  const std::size_t n = series.empty() ? 0 : series.front().iolet_flow.size();
  std::vector<double> values(series.size());
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t i = 0; i < series.size(); ++i)
      values[i] = k < series[i].iolet_flow.size() ? series[i].iolet_flow[k] : 0.0;
    s.flow.push_back(time_average(series, values, t0, t1));
    double lo = INFINITY, hi = -INFINITY;
    for (std::size_t i = 0; i < series.size(); ++i) {
      values[i] = k < series[i].iolet_pressure.size() ? series[i].iolet_pressure[k] : 0.0;
      if (series[i].time >= t0 && series[i].time <= t1) {
        lo = std::min(lo, values[i]);
        hi = std::max(hi, values[i]);
      }
    }
    s.pressure.push_back(time_average(series, values, t0, t1));
    s.pressure_min.push_back(std::isfinite(lo) ? lo : 0.0);
    s.pressure_max.push_back(std::isfinite(hi) ? hi : 0.0);
  }
  return s;
}

CycleChange cycle_change(const CycleStats& before, const CycleStats& now, int cycle) {
  CycleChange c;
  c.cycle = cycle;
  double flow_scale = 0;
  for (double q : now.flow) flow_scale = std::max(flow_scale, std::abs(q));
  const std::size_t n = std::min(before.flow.size(), now.flow.size());
  for (std::size_t k = 0; k < n; ++k) {
    const double pulse = now.pressure_max[k] - now.pressure_min[k];
    const double pulse_before = before.pressure_max[k] - before.pressure_min[k];
    const double scale = std::max({std::abs(now.pressure[k]), pulse, 1.0});
    c.pressure = std::max({c.pressure, std::abs(now.pressure[k] - before.pressure[k]) / scale,
                           std::abs(pulse - pulse_before) / scale});
    if (flow_scale > 0)
      c.flow = std::max(c.flow, std::abs(now.flow[k] - before.flow[k]) / flow_scale);
  }
  return c;
}

std::string iolet_csv(const std::vector<Diagnostics>& series, const std::vector<IoletInfo>& iolets,
                      const std::vector<SectionInfo>& sections) {
  std::string out = "time_s";
  for (const auto& io : iolets) out += "," + io.name + "_flow_ml_s," + io.name + "_pressure_mmhg";
  for (const auto& s : sections) out += "," + s.name + "_flow_ml_s," + s.name + "_pressure_mmhg";
  out += "\n";
  char buf[64];
  for (const auto& d : series) {
    std::snprintf(buf, sizeof buf, "%.9g", d.time);
    out += buf;
    for (std::size_t k = 0; k < iolets.size(); ++k) {
      const double q = k < d.iolet_flow.size() ? d.iolet_flow[k] * 1e6 : NAN;
      const double p = k < d.iolet_pressure.size() ? d.iolet_pressure[k] / pascal_per_mmhg : NAN;
      std::snprintf(buf, sizeof buf, ",%.9g,%.9g", q, p);
      out += buf;
    }
    for (std::size_t k = 0; k < sections.size(); ++k) {
      const double q = k < d.section_flow.size() ? d.section_flow[k] * 1e6 : NAN;
      const double p =
          k < d.section_pressure.size() ? d.section_pressure[k] / pascal_per_mmhg : NAN;
      std::snprintf(buf, sizeof buf, ",%.9g,%.9g", q, p);
      out += buf;
    }
    out += "\n";
  }
  return out;
}

}  // namespace hemotwin::io
