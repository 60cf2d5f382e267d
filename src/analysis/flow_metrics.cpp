#include "hemotwin/analysis/flow_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/summary.hpp"

namespace hemotwin::analysis {

namespace {

PlaneMetrics plane_metrics(const io::PlaneSeries& p, double t0, double t1) {
  PlaneMetrics m;
  m.name = p.name;
  m.kind = p.kind;
  m.mean_flow = io::time_average(p.time, p.flow, t0, t1);
  m.mean_pressure = io::time_average(p.time, p.pressure, t0, t1);
  m.min_pressure = std::numeric_limits<double>::infinity();
  m.max_pressure = -std::numeric_limits<double>::infinity();
  m.peak_flow = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < p.time.size(); ++i) {
    if (p.time[i] < t0 || p.time[i] > t1) continue;
    m.min_pressure = std::min(m.min_pressure, p.pressure[i]);
    m.max_pressure = std::max(m.max_pressure, p.pressure[i]);
    m.peak_flow = std::max(m.peak_flow, p.flow[i]);
  }
  return m;
}

nlohmann::ordered_json chamber_json(const ChamberMetrics& c) {
  using json = nlohmann::ordered_json;
  constexpr double ml = 1e6, mj = 1e3;
  auto num = [](double v) -> json {
    if (!std::isfinite(v)) return nullptr;
    return v;
  };
  // A valve's volumes (a beat's without the peaks).
  auto valves_json = [&](const std::vector<ValveVolumes>& of, bool peaks) {
    json out = json::array();
    for (const auto& v : of) {
      json e = {
          {"name", v.name}, {"outflow_ml", num(v.outflow * ml)}, {"inflow_ml", num(v.inflow * ml)}};
      if (peaks) {
        e["peak_outflow_ml_s"] = num(v.peak_outflow * ml);
        e["peak_inflow_ml_s"] = num(v.peak_inflow * ml);
      }
      out.push_back(std::move(e));
    }
    return out;
  };
  json beats = json::array();
  for (const auto& b : c.beats) {
    beats.push_back({{"beat", b.beat},
                     {"window_s", json::array({b.start, b.end})},
                     {"end_diastolic_volume_ml", num(b.end_diastolic_volume * ml)},
                     {"end_systolic_volume_ml", num(b.end_systolic_volume * ml)},
                     {"stroke_volume_ml", num(b.stroke_volume * ml)},
                     {"ejection_fraction", num(b.ejection_fraction)},
                     {"lattice_ejection_fraction", num(b.lattice_ejection_fraction)},
                     {"valves", valves_json(b.valves, false)},
                     {"balance_error", num(b.balance_error)},
                     {"mass_change", num(b.mass_change)}});
  }
  return json{{"window_s", json::array({c.window_start, c.window_end})},
              {"whole_cycle", c.whole_cycle},
              {"end_diastolic_volume_ml", num(c.end_diastolic_volume * ml)},
              {"end_systolic_volume_ml", num(c.end_systolic_volume * ml)},
              {"end_diastole_s", num(c.end_diastole_time)},
              {"end_systole_s", num(c.end_systole_time)},
              {"stroke_volume_ml", num(c.stroke_volume * ml)},
              {"ejection_fraction", num(c.ejection_fraction)},
              {"lattice_volume_ml",
               json::array({num(c.lattice_volume_min * ml), num(c.lattice_volume_max * ml)})},
              {"valves", valves_json(c.valves, true)},
              {"volume_change_ml", num(c.volume_change * ml)},
              {"net_valve_inflow_ml", num(c.net_valve_inflow * ml)},
              {"balance_error", num(c.balance_error)},
              {"mean_kinetic_energy_mj", num(c.mean_kinetic_energy * mj)},
              {"peak_kinetic_energy_mj", num(c.peak_kinetic_energy * mj)},
              {"peak_kinetic_energy_s", num(c.peak_kinetic_energy_time)},
              {"dissipated_energy_mj", num(c.dissipated_energy * mj)},
              {"mean_dissipation_mw", num(c.mean_dissipation * mj)},
              {"peak_dissipation_mw", num(c.peak_dissipation * mj)},
              {"mid_diastole_s", num(c.mid_diastole_time)},
              {"beats", std::move(beats)}};
}

}  // namespace

const PlaneMetrics& FlowMetrics::plane(const std::string& name) const {
  for (const auto* set : {&iolets, &sections})
    for (const auto& p : *set)
      if (p.name == name) return p;
  throw Error("no inlet, outlet or section named '" + name + "' in these metrics");
}

FlowMetrics flow_metrics(const io::ResultsData& r, const FlowMetricsOptions& o) {
  const std::string file = r.path.string();
  // Every plane is sampled at the same times (docs/file-format.md).
  const std::vector<double>* time = nullptr;
  for (const auto* set : {&r.iolets, &r.sections})
    for (const auto& p : *set)
      if (!time || p.time.size() > time->size()) time = &p.time;
  if (!time || time->empty())
    throw Error("the results hold no inlet, outlet or section series", file);

  FlowMetrics m;
  std::tie(m.window_start, m.window_end) = io::averaging_window(*time, r.cycle_period);
  if (!std::isnan(o.window_start)) m.window_start = o.window_start;
  if (!std::isnan(o.window_end)) m.window_end = o.window_end;
  for (double t : *time)
    if (t >= m.window_start && t <= m.window_end) ++m.window_samples;
  if (m.window_samples == 0)
    throw Error("no sample lies in the window [" + std::to_string(m.window_start) + ", " +
                    std::to_string(m.window_end) + "] s; the results span [" +
                    std::to_string(time->front()) + ", " + std::to_string(time->back()) + "] s",
                file);

  double outflow = 0;
  for (const auto& p : r.iolets) {
    m.iolets.push_back(plane_metrics(p, m.window_start, m.window_end));
    if (p.is_outlet()) outflow += m.iolets.back().mean_flow;
  }
  // A chamber's valves take turns, their flows cancelling over a cycle: no split (NaN).
  for (std::size_t k = 0; k < r.iolets.size(); ++k)
    if (r.iolets[k].is_outlet() && r.domain.chamber())
      m.iolets[k].flow_fraction = std::numeric_limits<double>::quiet_NaN();
    else if (r.iolets[k].is_outlet() && outflow != 0)
      m.iolets[k].flow_fraction = m.iolets[k].mean_flow / outflow;
  for (const auto& p : r.sections)
    m.sections.push_back(plane_metrics(p, m.window_start, m.window_end));

  if (o.proximal.empty() != o.distal.empty())
    throw Error("a pressure drop needs both a proximal and a distal plane", file);
  if (!o.proximal.empty()) {
    const io::PlaneSeries& a = r.plane(o.proximal);
    const io::PlaneSeries& b = r.plane(o.distal);
    if (a.time != b.time)
      throw Error("'" + a.name + "' and '" + b.name + "' are not sampled at the same times", file);
    PressureDrop d;
    d.proximal = a.name;
    d.distal = b.name;
    std::vector<double> drop(a.time.size());
    d.peak_drop = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < drop.size(); ++i) {
      drop[i] = a.pressure[i] - b.pressure[i];
      if (a.time[i] >= m.window_start && a.time[i] <= m.window_end)
        d.peak_drop = std::max(d.peak_drop, drop[i]);
    }
    d.mean_drop = io::time_average(a.time, drop, m.window_start, m.window_end);
    const double pa = io::time_average(a.time, a.pressure, m.window_start, m.window_end);
    const double pd = io::time_average(b.time, b.pressure, m.window_start, m.window_end);
    d.pressure_ratio = pa != 0 ? pd / pa : std::numeric_limits<double>::quiet_NaN();
    if (!std::isnan(o.aortic_pressure)) {
      if (!(o.aortic_pressure > 0))
        throw Error("the aortic pressure must be positive (e.g. 93 mmHg)", file);
      d.aortic_pressure = o.aortic_pressure;
      d.ffr = (o.aortic_pressure - d.mean_drop) / o.aortic_pressure;
    } else {
      d.aortic_pressure = pa;
      d.ffr = d.pressure_ratio;
    }
    m.drop = d;
  }
  m.chamber = chamber_metrics(r, o.window_start, o.window_end);
  return m;
}

WallIndices wall_indices(const io::ResultsData& r, double* peak_time) {
  if (r.wss_series.size() >= 2) {
    // Peak systole: the sample of the largest total inflow (the inlets are sampled at the same
    // times as the wall; the nearest inlet sample is taken).
    std::size_t peak = 0;
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < r.wss_series_time.size(); ++k) {
      double q = 0;
      for (const auto& p : r.iolets) {
        if (!p.is_inlet() || p.time.empty()) continue;
        const auto it = std::lower_bound(p.time.begin(), p.time.end(), r.wss_series_time[k]);
        std::size_t j = std::size_t(it - p.time.begin());
        if (j == p.time.size() ||
            (j > 0 && r.wss_series_time[k] - p.time[j - 1] < p.time[j] - r.wss_series_time[k]))
          j = j > 0 ? j - 1 : 0;
        q += p.flow[j];
      }
      if (q > best) {
        best = q;
        peak = k;
      }
    }
    if (peak_time) *peak_time = r.wss_series_time[peak];
    return wall_indices(r.wss_series_time, r.wss_series, peak);
  }
  if (r.tawss.empty() || r.tawss.size() != r.osi.size()) return {};
  return derived_indices(r.tawss, r.osi);
}

WallSummary wall_summary(const io::ResultsData& r, const Thresholds& thresholds) {
  WallSummary w;
  w.points = r.wall_points.size();
  w.thresholds = thresholds;
  std::vector<double> magnitude(r.wall_wss.size());
  for (std::size_t i = 0; i < magnitude.size(); ++i) magnitude[i] = r.wall_wss[i].norm();
  if (!magnitude.empty()) w.final_wss = region_stats(magnitude);
  const WallIndices idx = wall_indices(r, &w.peak_time);
  if (idx.size() == 0) return w;
  w.averaged = true;
  w.from_series = r.wss_series.size() >= 2;
  w.averaged_over = w.from_series ? idx.window : r.averaged_over;
  const std::vector<double> none;
  w.area_weighted = r.wall_area.size() == idx.size();
  const std::vector<double>& area = w.area_weighted ? r.wall_area : none;
  if (w.from_series) w.peak_wss = region_stats(idx.peak_wss, area);
  w.tawss = region_stats(idx.tawss, area);
  w.osi = region_stats(idx.osi, area);
  // RRT and ECAP are infinite where the mean WSS (or TAWSS) vanishes: their statistics are over
  // the finite values.
  auto finite = [](const std::vector<double>& v) {
    std::vector<bool> mask(v.size());
    bool any = false;
    for (std::size_t i = 0; i < v.size(); ++i) any |= (mask[i] = std::isfinite(v[i]));
    return std::pair{mask, any};
  };
  if (auto [mask, any] = finite(idx.rrt); any) w.rrt = region_stats(idx.rrt, area, mask);
  if (auto [mask, any] = finite(idx.ecap); any) w.ecap = region_stats(idx.ecap, area, mask);
  w.fractions = area_fractions(idx, area, thresholds);
  return w;
}

std::string metrics_json(const io::ResultsData& r, const FlowMetrics& f, const WallSummary& w) {
  using json = nlohmann::ordered_json;
  constexpr double ml = 1e6, mmhg = io::pascal_per_mmhg;
  auto num = [](double v) -> json {
    if (!std::isfinite(v)) return nullptr;
    return v;
  };
  auto plane = [&](const PlaneMetrics& p) {
    json e{{"name", p.name},
           {"kind", p.kind},
           {"mean_flow_m3_s", num(p.mean_flow)},
           {"mean_flow_ml_s", num(p.mean_flow * ml)},
           {"peak_flow_ml_s", num(p.peak_flow * ml)},
           {"mean_pressure_pa", num(p.mean_pressure)},
           {"mean_pressure_mmhg", num(p.mean_pressure / mmhg)},
           {"min_pressure_mmhg", num(p.min_pressure / mmhg)},
           {"max_pressure_mmhg", num(p.max_pressure / mmhg)}};
    if (p.is_outlet()) e["flow_fraction"] = num(p.flow_fraction);
    return e;
  };
  auto stats = [&](const RegionStats& s) {
    return json{{"mean", num(s.mean)},  {"min", num(s.min)}, {"p5", num(s.p5)},
                {"median", num(s.p50)}, {"p95", num(s.p95)}, {"max", num(s.max)},
                {"points", s.points}};
  };
  json j;
  j["format"] = "hemotwin-metrics";
  j["format_version"] = 1;
  j["results"] = r.path.filename().string();
  j["case"] = r.case_name;
  j["window_s"] = json::array({f.window_start, f.window_end});
  j["window_samples"] = f.window_samples;
  j["cycle_period_s"] = r.cycle_period;
  json iolets = json::array(), sections = json::array();
  for (const auto& p : f.iolets) iolets.push_back(plane(p));
  for (const auto& p : f.sections) sections.push_back(plane(p));
  j["iolets"] = std::move(iolets);
  j["sections"] = std::move(sections);
  json split = json::object();
  for (const auto& p : f.iolets)
    if (p.is_outlet()) split[p.name] = num(p.flow_fraction);
  j["flow_split"] = std::move(split);
  if (f.drop) {
    const PressureDrop& d = *f.drop;
    j["pressure_drop"] = {{"proximal", d.proximal},
                          {"distal", d.distal},
                          {"mean_pa", num(d.mean_drop)},
                          {"mean_mmhg", num(d.mean_drop / mmhg)},
                          {"peak_pa", num(d.peak_drop)},
                          {"peak_mmhg", num(d.peak_drop / mmhg)},
                          {"pressure_ratio", num(d.pressure_ratio)},
                          {"ffr", num(d.ffr)},
                          {"aortic_pressure_mmhg", num(d.aortic_pressure / mmhg)}};
  } else {
    j["pressure_drop"] = nullptr;
  }
  json wall{{"points", w.points}, {"final_wss_pa", stats(w.final_wss)}};
  if (w.averaged) {
    wall["averaged_over_s"] = w.averaged_over;
    wall["indices_from"] = w.from_series ? "wss_series" : "running_averages";
    wall["tawss_pa"] = stats(w.tawss);
    wall["osi"] = stats(w.osi);
    wall["rrt_per_pa"] = stats(w.rrt);
    wall["ecap_per_pa"] = stats(w.ecap);
    if (w.from_series) {
      wall["peak_systolic_wss_pa"] = stats(w.peak_wss);
      wall["peak_systole_s"] = w.peak_time;
    }
    wall["low_tawss_fraction"] = num(w.fractions.low_tawss);
    wall["high_osi_fraction"] = num(w.fractions.high_osi);
    wall["low_tawss_threshold_pa"] = w.thresholds.low_tawss;
    wall["high_osi_threshold"] = w.thresholds.high_osi;
    wall["weights"] = w.area_weighted ? "wall area per point (/wall/area)"
                                      : "equal per wall point (one lattice cell of wall each)";
  }
  j["wall"] = std::move(wall);
  if (f.chamber) j["chamber"] = chamber_json(*f.chamber);
  return j.dump(2) + "\n";
}

StenosisPressureDrop young_tsai(const StenosisGeometry& g, double u, double mu, double rho) {
  if (!(g.diameter > 0 && g.throat_diameter > 0 && g.throat_diameter <= g.diameter &&
        g.length >= 0))
    throw Error("a stenosis needs 0 < throat diameter <= diameter and a length >= 0");
  if (!(mu > 0 && rho > 0)) throw Error("viscosity and density must be positive");
  const double area_ratio = std::pow(g.diameter / g.throat_diameter, 2);  // A0 / A1
  StenosisPressureDrop dp;
  if (g.s.empty()) {
    const double kv =
        32.0 * (0.83 * g.length + 1.64 * g.throat_diameter) / g.diameter * area_ratio * area_ratio;
    dp.viscous = kv * mu * u / g.diameter;
  } else {
    if (g.s.size() != g.radius.size() || g.s.size() < 2)
      throw Error("a stenosis profile needs as many radii as positions, at least two");
    const double q = u * std::numbers::pi * g.diameter * g.diameter / 4;
    double integral = 0;
    for (std::size_t i = 1; i < g.s.size(); ++i) {
      if (!(g.s[i] > g.s[i - 1]) || !(g.radius[i] > 0) || !(g.radius[i - 1] > 0))
        throw Error("a stenosis profile needs increasing positions and positive radii");
      integral +=
          0.5 * (g.s[i] - g.s[i - 1]) * (std::pow(g.radius[i], -4) + std::pow(g.radius[i - 1], -4));
    }
    dp.viscous = 8 * mu * q / std::numbers::pi * integral;
  }
  constexpr double kt = 1.52;
  dp.expansion = 0.5 * kt * rho * (area_ratio - 1) * (area_ratio - 1) * std::abs(u) * u;
  return dp;
}

}  // namespace hemotwin::analysis
