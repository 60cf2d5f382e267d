#include "hemotwin/io/summary.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/case_file.hpp"

namespace hemotwin::io {

namespace {

constexpr double ml_per_m3 = 1e6;

nlohmann::ordered_json optional_number(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return *v;
}

nlohmann::ordered_json finite_or_null(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

}  // namespace

std::pair<double, double> averaging_window(const std::vector<double>& time, double period) {
  if (time.empty()) return {0.0, 0.0};
  const double t_first = time.front(), t_last = time.back();
  // A run of whole cycles ends up to half a step short of them (its step count is rounded):
  // a thousandth of a period short still counts as one.
  if (period > 0 && t_last - t_first >= period * (1 - 1e-3))
    return {t_last - period * (1 + 1e-9), t_last};
  return {t_first + 0.5 * (t_last - t_first), t_last};
}

std::pair<double, double> averaging_window(const std::vector<Diagnostics>& series, double period) {
  std::vector<double> time(series.size());
  for (std::size_t i = 0; i < series.size(); ++i) time[i] = series[i].time;
  return averaging_window(time, period);
}

double time_average(const std::vector<double>& time, const std::vector<double>& values, double t0,
                    double t1) {
  double integral = 0, duration = 0, sum = 0;
  int n = 0;
  double prev_time = 0, prev_value = 0;
  for (std::size_t i = 0; i < time.size() && i < values.size(); ++i) {
    const double t = time[i];
    if (t < t0 || t > t1) continue;
    if (n > 0) {
      const double h = t - prev_time;
      integral += 0.5 * h * (prev_value + values[i]);
      duration += h;
    }
    sum += values[i];
    ++n;
    prev_time = t;
    prev_value = values[i];
  }
  if (n == 0) return 0;
  if (duration > 0) return integral / duration;
  return sum / n;  // samples at one instant
}

double time_average(const std::vector<Diagnostics>& series, const std::vector<double>& values,
                    double t0, double t1) {
  std::vector<double> time(series.size());
  for (std::size_t i = 0; i < series.size(); ++i) time[i] = series[i].time;
  return time_average(time, values, t0, t1);
}

MassBalance mass_balance(const std::vector<Diagnostics>& series,
                         const std::vector<IoletInfo>& iolets, double period) {
  MassBalance mb;
  if (series.empty()) return mb;
  const double m0 = series.front().mass, m1 = series.back().mass;
  if (m0 != 0) mb.relative_mass_change = (m1 - m0) / m0;
  std::tie(mb.window_start, mb.window_end) = averaging_window(series, period);
  for (const auto& d : series)
    if (d.time >= mb.window_start && d.time <= mb.window_end) ++mb.window_samples;

  bool has_inlet = false, has_outlet = false;
  std::vector<double> values(series.size());
  for (std::size_t k = 0; k < iolets.size(); ++k) {
    for (std::size_t i = 0; i < series.size(); ++i)
      values[i] = k < series[i].iolet_flow.size() ? series[i].iolet_flow[k] : 0.0;
    const double q = time_average(series, values, mb.window_start, mb.window_end);
    if (iolets[k].kind == IoletKind::VelocityInlet) {
      mb.inlet_flow += q;
      has_inlet = true;
    } else {
      mb.outlet_flow += q;
      has_outlet = true;
    }
  }
  if (has_inlet && has_outlet) {
    const double ref = mb.inlet_flow != 0 ? mb.inlet_flow : mb.outlet_flow;
    if (ref != 0) mb.flow_imbalance = (mb.inlet_flow - mb.outlet_flow) / std::abs(ref);
  }
  return mb;
}

std::string summary_json(const RunSummary& s) {
  using json = nlohmann::ordered_json;
  const MassBalance mb = mass_balance(s.series, s.iolets, s.cycle_period);

  json j;
  j["format"] = "hemotwin-summary";
  j["format_version"] = 1;
  j["name"] = s.name;
  j["hemotwin_version"] = s.hemotwin_version;
  j["git_commit"] = s.git_commit;
  j["steps"] = s.steps;
  j["total_steps"] = s.total_steps;
  j["stopped_early"] = s.stopped_early;
  if (s.cycle_period > 0) {
    json cycles;
    cycles["period_s"] = s.cycle_period;
    cycles["completed"] = s.cycles_done;
    cycles["converged"] = s.converged;
    json changes = json::array();
    for (const auto& ch : s.cycle_changes)
      changes.push_back({{"cycle", ch.cycle},
                         {"pressure_change", finite_or_null(ch.pressure)},
                         {"flow_change", finite_or_null(ch.flow)}});
    cycles["changes"] = std::move(changes);
    j["cycles"] = std::move(cycles);
  }
  j["simulated_time_s"] = s.simulated_time;
  j["wall_time_s"] = s.wall_time_s;
  j["fluid_cells"] = s.fluid_cells;
  j["mlups"] = finite_or_null(s.mlups);
  j["backend"] = s.backend;
  j["device"] = s.device;
  j["ranks"] = s.ranks;
  j["devices"] = s.devices.empty() ? std::vector<std::string>{s.device} : s.devices;
  j["streaming"] = s.streaming;
  j["precision"] = s.precision;
  j["lattice"] = s.lattice;
  j["collision"] = s.collision;
  j["dx_m"] = s.dx;
  j["dt_s"] = s.dt;
  j["tau"] = s.tau;
  j["samples"] = s.series.size();
  j["averaging_window_s"] = json::array({mb.window_start, mb.window_end});
  j["mass_balance"] = {
      {"relative_mass_change", optional_number(mb.relative_mass_change)},
      {"flow_imbalance", optional_number(mb.flow_imbalance)},
      {"mean_inlet_flow_m3_s", finite_or_null(mb.inlet_flow)},
      {"mean_outlet_flow_m3_s", finite_or_null(mb.outlet_flow)},
      {"window_s", json::array({mb.window_start, mb.window_end})},
      {"window_samples", mb.window_samples},
  };

  // Final and window-mean flow and pressure of an iolet or a section, into `e`.
  std::vector<double> flow(s.series.size()), pressure(s.series.size());
  auto add_series = [&](json& e) {
    if (s.series.empty()) {
      for (const char* key :
           {"final_flow_m3_s", "final_flow_ml_s", "final_pressure_pa", "final_pressure_mmhg",
            "mean_flow_m3_s", "mean_flow_ml_s", "mean_pressure_pa", "mean_pressure_mmhg"})
        e[key] = nullptr;
      return;
    }
    const double q = flow.back(), p = pressure.back();
    const double q_mean = time_average(s.series, flow, mb.window_start, mb.window_end);
    const double p_mean = time_average(s.series, pressure, mb.window_start, mb.window_end);
    e["final_flow_m3_s"] = finite_or_null(q);
    e["final_flow_ml_s"] = finite_or_null(q * ml_per_m3);
    e["final_pressure_pa"] = finite_or_null(p);
    e["final_pressure_mmhg"] = finite_or_null(p / pascal_per_mmhg);
    e["mean_flow_m3_s"] = finite_or_null(q_mean);
    e["mean_flow_ml_s"] = finite_or_null(q_mean * ml_per_m3);
    e["mean_pressure_pa"] = finite_or_null(p_mean);
    e["mean_pressure_mmhg"] = finite_or_null(p_mean / pascal_per_mmhg);
  };
  auto at = [](const std::vector<double>& v, std::size_t k) { return k < v.size() ? v[k] : 0.0; };

  json iolets = json::array();
  for (std::size_t k = 0; k < s.iolets.size(); ++k) {
    const IoletInfo& io = s.iolets[k];
    json e;
    e["name"] = io.name;
    e["kind"] = to_string(io.kind);
    e["area_m2"] = io.area;
    e["centre_m"] = json::array({io.centre.x(), io.centre.y(), io.centre.z()});
    e["normal"] = json::array({io.normal.x(), io.normal.y(), io.normal.z()});
    for (std::size_t i = 0; i < s.series.size(); ++i) {
      flow[i] = at(s.series[i].iolet_flow, k);
      pressure[i] = at(s.series[i].iolet_pressure, k);
    }
    add_series(e);
    iolets.push_back(std::move(e));
  }
  json sections = json::array();
  for (std::size_t k = 0; k < s.sections.size(); ++k) {
    const SectionInfo& sec = s.sections[k];
    json e;
    e["name"] = sec.name;
    e["area_m2"] = sec.area;
    e["centre_m"] = json::array({sec.centre.x(), sec.centre.y(), sec.centre.z()});
    e["normal"] = json::array({sec.normal.x(), sec.normal.y(), sec.normal.z()});
    for (std::size_t i = 0; i < s.series.size(); ++i) {
      flow[i] = at(s.series[i].section_flow, k);
      pressure[i] = at(s.series[i].section_pressure, k);
    }
    add_series(e);
    sections.push_back(std::move(e));
  }
  j["iolets"] = std::move(iolets);
  if (!s.sections.empty()) j["sections"] = std::move(sections);

  json files = json::object();
  for (const auto& [role, name] : s.files) files[role] = name;
  j["files"] = std::move(files);
  return j.dump(2) + "\n";
}

void write_summary(const std::filesystem::path& path, const RunSummary& summary) {
  const std::string text = summary_json(summary);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot create the summary file", path.string());
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw Error("cannot write the summary file", path.string());
}

}  // namespace hemotwin::io
