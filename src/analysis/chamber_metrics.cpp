#include "hemotwin/analysis/chamber_metrics.hpp"

#include <algorithm>
#include <cmath>

#include "hemotwin/core/error.hpp"

namespace hemotwin::analysis {

namespace {

// The value of a sampled curve at t (linear between samples, held beyond them).
double at_time(const std::vector<double>& time, const std::vector<double>& v, double t) {
  if (t <= time.front()) return v.front();
  if (t >= time.back()) return v.back();
  const auto hi = std::size_t(std::upper_bound(time.begin(), time.end(), t) - time.begin());
  const std::size_t lo = hi - 1;
  const double s = (t - time[lo]) / (time[hi] - time[lo]);
  return v[lo] + s * (v[hi] - v[lo]);
}

// Integral over [t0, t1] of a curve sampled at `time`, as trapezoids (instantaneous values).
double trapezoid(const std::vector<double>& time, const std::vector<double>& v, double t0,
                 double t1) {
  double sum = 0;
  for (std::size_t i = 1; i < time.size(); ++i) {
    const double a = std::max(t0, time[i - 1]), b = std::min(t1, time[i]);
    if (b <= a) continue;
    sum += 0.5 * (b - a) * (at_time(time, v, a) + at_time(time, v, b));
  }
  return sum;
}

// Over [t0, t1] of a flow whose sample i is its mean over (time[i-1], time[i]]: the parts of
// each interval inside the window, the positive and the negative values apart.
std::pair<double, double> step_integral(const std::vector<double>& time,
                                        const std::vector<double>& q, double t0, double t1) {
  double positive = 0, negative = 0;
  for (std::size_t i = 1; i < time.size() && i < q.size(); ++i) {
    const double h = std::min(t1, time[i]) - std::max(t0, time[i - 1]);
    if (h <= 0) continue;
    (q[i] > 0 ? positive : negative) += h * q[i];
  }
  return {positive, -negative};
}

ValveVolumes valve_volumes(const io::PlaneSeries& p, double t0, double t1) {
  ValveVolumes v;
  v.name = p.name;
  std::tie(v.outflow, v.inflow) = step_integral(p.time, p.flow, t0, t1);
  for (std::size_t i = 1; i < p.time.size() && i < p.flow.size(); ++i) {
    if (p.time[i] <= t0 || p.time[i - 1] >= t1) continue;
    v.peak_outflow = std::max(v.peak_outflow, p.flow[i]);
    v.peak_inflow = std::max(v.peak_inflow, -p.flow[i]);
  }
  return v;
}

// The wall's and the fluid cells' volumes over [t0, t1]: smallest and largest, and when.
struct Ranges {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, lo_time = 0, hi_time = 0;
  double cells_lo = lo, cells_hi = hi;
};

Ranges ranges(const io::DomainSeries& d, double t0, double t1) {
  Ranges g;
  for (std::size_t i = 0; i < d.time.size(); ++i) {
    if (d.time[i] < t0 || d.time[i] > t1) continue;
    const double v = d.wall_volume[i];
    if (v > g.hi) std::tie(g.hi, g.hi_time) = std::pair(v, d.time[i]);
    if (v < g.lo) std::tie(g.lo, g.lo_time) = std::pair(v, d.time[i]);
    if (d.fluid_volume.empty()) continue;
    g.cells_lo = std::min(g.cells_lo, d.fluid_volume[i]);
    g.cells_hi = std::max(g.cells_hi, d.fluid_volume[i]);
  }
  return g;
}

// Each valve's volumes over [t0, t1], and the wall's volume change against their net inflow.
struct Balance {
  std::vector<ValveVolumes> valves;
  double volume_change = 0, net_inflow = 0, error = 0;  // error: over `stroke`
};

Balance balance(const io::ResultsData& r, double t0, double t1, double stroke) {
  Balance b;
  for (const auto& p : r.iolets) {
    b.valves.push_back(valve_volumes(p, t0, t1));
    b.net_inflow += b.valves.back().inflow - b.valves.back().outflow;
  }
  const auto& d = r.domain;
  b.volume_change = at_time(d.time, d.wall_volume, t1) - at_time(d.time, d.wall_volume, t0);
  const double scale = stroke > 0 ? stroke : std::abs(b.volume_change);
  b.error = scale > 0 ? (b.volume_change - b.net_inflow) / scale : 0;
  return b;
}

void volume_curve(const io::DomainSeries& d, ChamberMetrics& m) {
  const double t1 = m.window_end;
  const Ranges g = ranges(d, m.window_start, t1);
  const double lo = g.lo, hi = g.hi;
  m.end_diastole_time = g.hi_time;
  m.end_systole_time = g.lo_time;
  m.end_diastolic_volume = hi;
  m.end_systolic_volume = lo;
  m.stroke_volume = hi - lo;
  m.ejection_fraction = hi > 0 ? m.stroke_volume / hi : 0;
  m.lattice_volume_min = g.cells_lo;
  m.lattice_volume_max = g.cells_hi;
  // Mid-diastole: halfway from end-systole to the largest volume after it, where the chamber
  // refills by at least half its stroke volume (an ejection-only run has no diastole).
  double refill = lo, refill_time = m.end_systole_time;
  for (std::size_t i = 0; i < d.time.size(); ++i)
    if (d.time[i] > m.end_systole_time && d.time[i] <= t1 && d.wall_volume[i] > refill)
      std::tie(refill, refill_time) = std::pair(d.wall_volume[i], d.time[i]);
  if (m.stroke_volume > 0 && refill - lo >= 0.5 * m.stroke_volume) {
    const double mid = 0.5 * (m.end_systole_time + refill_time);
    double best = std::numeric_limits<double>::infinity();
    for (double t : d.time)
      if (std::abs(t - mid) < best)
        std::tie(best, m.mid_diastole_time) = std::pair(std::abs(t - mid), t);
  }
}

// Beat k of the run, [k T, (k+1) T]: its volumes, valves, balance and mass drift.
BeatMetrics beat_metrics(const io::ResultsData& r, int k) {
  const io::DomainSeries& d = r.domain;
  BeatMetrics b;
  b.beat = k;
  b.start = k * r.cycle_period;
  b.end = (k + 1) * r.cycle_period;
  const Ranges g = ranges(d, b.start, b.end);
  b.end_diastolic_volume = g.hi;
  b.end_systolic_volume = g.lo;
  b.stroke_volume = g.hi - g.lo;
  b.ejection_fraction = g.hi > 0 ? b.stroke_volume / g.hi : 0;
  b.lattice_ejection_fraction = g.cells_hi > 0 ? (g.cells_hi - g.cells_lo) / g.cells_hi : 0;
  Balance v = balance(r, b.start, b.end, b.stroke_volume);
  b.valves = std::move(v.valves);
  b.balance_error = v.error;
  if (!d.mass.empty()) {
    const double m0 = at_time(d.time, d.mass, b.start);
    b.mass_change = m0 != 0 ? (at_time(d.time, d.mass, b.end) - m0) / m0 : b.mass_change;
  }
  return b;
}

void energies(const io::DomainSeries& d, ChamberMetrics& m) {
  const double t0 = m.window_start, t1 = m.window_end, span = t1 - t0;
  if (!d.kinetic_energy.empty()) {
    m.mean_kinetic_energy = trapezoid(d.time, d.kinetic_energy, t0, t1) / span;
    for (std::size_t i = 0; i < d.time.size(); ++i)
      if (d.time[i] >= t0 && d.time[i] <= t1 && d.kinetic_energy[i] > m.peak_kinetic_energy)
        std::tie(m.peak_kinetic_energy, m.peak_kinetic_energy_time) =
            std::pair(d.kinetic_energy[i], d.time[i]);
  }
  if (!d.viscous_dissipation.empty()) {
    m.dissipated_energy = trapezoid(d.time, d.viscous_dissipation, t0, t1);
    m.mean_dissipation = m.dissipated_energy / span;
    for (std::size_t i = 0; i < d.time.size(); ++i)
      if (d.time[i] >= t0 && d.time[i] <= t1)
        m.peak_dissipation = std::max(m.peak_dissipation, d.viscous_dissipation[i]);
  }
}

}  // namespace

std::optional<ChamberMetrics> chamber_metrics(const io::ResultsData& r, double t0, double t1) {
  const io::DomainSeries& d = r.domain;
  if (!d.chamber() || d.time.size() < 2) return std::nullopt;
  ChamberMetrics m;
  const double first = d.time.front(), last = d.time.back();
  const double period = r.cycle_period;
  m.whole_cycle = period > 0 && last - first >= period * (1 - 1e-3);  // as io::averaging_window
  m.window_start = std::isnan(t0) ? (m.whole_cycle ? std::max(first, last - period) : first) : t0;
  m.window_end = std::isnan(t1) ? last : t1;
  int samples = 0;
  for (double t : d.time) samples += t >= m.window_start && t <= m.window_end;
  if (samples < 2)
    throw Error("the chamber's window [" + std::to_string(m.window_start) + ", " +
                    std::to_string(m.window_end) + "] s holds " + std::to_string(samples) +
                    " samples (at least 2 needed); the results span [" + std::to_string(first) +
                    ", " + std::to_string(last) + "] s",
                r.path.string());
  if (!std::isnan(t0) || !std::isnan(t1))
    m.whole_cycle =
        period > 0 && std::abs((m.window_end - m.window_start) - period) < 1e-3 * period;

  volume_curve(d, m);
  Balance v = balance(r, m.window_start, m.window_end, m.stroke_volume);
  m.valves = std::move(v.valves);
  m.volume_change = v.volume_change;
  m.net_valve_inflow = v.net_inflow;
  m.balance_error = v.error;
  energies(d, m);
  // The whole beats: those the samples span (to a thousandth of a period, as the window).
  if (period > 0)
    for (int k = std::max(0, int(std::ceil(first / period - 1e-3)));
         (k + 1) * period <= last + 1e-3 * period; ++k)
      m.beats.push_back(beat_metrics(r, k));
  return m;
}

}  // namespace hemotwin::analysis
