#include "chamber_setup.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <sstream>
#include <utility>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/moving_shapes.hpp"

namespace hemotwin::detail {
namespace {
// A valve's jet peaks over its mean velocity by this: 1.0 in the LV phantom (test_chamber_flow:
// the chamber narrows towards the valve, the jet is plug-like), with a margin.
constexpr double kJet = 1.5;
// The volume's rate (of its fastest) that closed valves may see: a spline through the phases of
// a scan rounds the corners of the volume curve, and its rate near a valve's closing is a few
// per cent of the fastest (up to 9 % with 16 phases of the LV phantom: test_chamber_case).
constexpr double kClosedRate = 0.1;
}  // namespace

std::vector<bool> ChamberValves::open_at(std::size_t iolets, double t) const {
  std::vector<bool> open(iolets, true);
  if (!(period > 0)) return open;
  double phase = std::fmod(t / period, 1.0);
  if (phase < 0) phase += 1;
  for (std::size_t k = 0; k < iolet.size(); ++k)
    open[std::size_t(iolet[k])] = timing[k].open_at(phase);
  return open;
}

bool ChamberValves::has_diodes() const {
  for (const auto& v : timing)
    if (v.diode) return true;
  return false;
}

void ChamberValves::start_diodes(double t) {
  double phase = period > 0 ? std::fmod(t / period, 1.0) : 0.0;
  if (phase < 0) phase += 1;
  diode_open.assign(timing.size(), 0);
  for (std::size_t k = 0; k < timing.size(); ++k)
    if (timing[k].diode) diode_open[k] = timing[k].open_at(phase) ? 1 : 0;
}

bool ChamberValves::step_diodes(const std::vector<double>& inside,
                                const std::vector<double>& outside,
                                const std::vector<double>& outflow) {
  bool changed = false;
  for (std::size_t k = 0; k < timing.size(); ++k) {
    if (!timing[k].diode) continue;
    // Along the valve's way: out of the chamber for an ejecting valve, into it for a filling one.
    const double way = timing[k].timing == ValveTiming::Ejection ? 1.0 : -1.0;
    const double push = way * (inside[k] - outside[k]);
    const double flow = way * outflow[k];
    const char next = diode_open[k] ? char(flow >= 0 || push >= 0) : char(push > 0);
    changed = changed || next != diode_open[k];
    diode_open[k] = next;
  }
  return changed;
}

std::vector<bool> ChamberValves::open_now(std::size_t iolets, double t) const {
  std::vector<bool> open = open_at(iolets, t);
  for (std::size_t k = 0; k < timing.size() && k < diode_open.size(); ++k)
    if (timing[k].diode) open[std::size_t(iolet[k])] = diode_open[k] != 0;
  return open;
}

namespace {
// The phases (fractions of the cycle) of the wall's smallest and largest volume, on n phases.
std::pair<double, double> volume_extremes(const MovingShape& shape, int n) {
  const double period = shape.period();
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, at_lo = 0, at_hi = 0;
  for (int k = 0; k < n; ++k) {
    const double v = shape.volume(k * period / n);
    if (v < lo) std::tie(lo, at_lo) = std::pair(v, double(k) / n);
    if (v > hi) std::tie(hi, at_hi) = std::pair(v, double(k) / n);
  }
  return {at_lo, at_hi};
}
}  // namespace

ChamberValves chamber_valves(const Case& c, const DomainSpec& spec,
                             std::vector<std::string>* notes) {
  ChamberValves v;
  v.period = spec.moving_wall.shape ? spec.moving_wall.shape->period() : 0.0;
  std::optional<std::pair<double, double>> extremes;
  for (const auto& valve : c.valves) {
    int found = -1;
    for (std::size_t k = 0; k < spec.iolets.size(); ++k)
      if (spec.iolets[k].name == valve.name) found = int(k);
    if (found < 0) {
      std::string names;
      for (const auto& io : spec.iolets) names += (names.empty() ? "" : ", ") + io.name;
      throw Error("valve '" + valve.name + "' is not an opening of the domain (its openings: " +
                      (names.empty() ? "none" : names) + ")",
                  c.source_file, "valves." + valve.name);
    }
    v.iolet.push_back(found);
    v.timing.push_back(valve);
    if (valve.timing == ValveTiming::Phases) continue;
    const MovingShape* shape = spec.moving_wall.shape.get();
    if (!shape || std::isnan(shape->volume(0)))
      throw Error("valve '" + valve.name +
                      "' opens with the wall's volume, and this wall does not give its volume: "
                      "set opens_at and closes_at",
                  c.source_file, "valves." + valve.name + ".open_during");
    if (!extremes) extremes = volume_extremes(*shape, 4096);
    const auto [smallest, largest] = *extremes;
    const bool filling = valve.timing == ValveTiming::Filling;
    v.timing.back().opens_at = filling ? smallest : largest;
    v.timing.back().closes_at = filling ? largest : smallest;
    if (notes) {
      std::ostringstream s;
      s.precision(4);
      s << "valve " << valve.name << ": open while the chamber " << (filling ? "fills" : "ejects")
        << ", from " << v.timing.back().opens_at << " to " << v.timing.back().closes_at
        << " of the cycle (the wall's " << (filling ? "smallest" : "largest") << " to "
        << (filling ? "largest" : "smallest") << " volume)";
      notes->push_back(s.str());
    }
  }
  return v;
}

double chamber_peak_velocity(const Case& c, const DomainSpec& spec, const ChamberValves& valves,
                             std::string& where) {
  const MovingShape& shape = *spec.moving_wall.shape;
  const std::string& file = c.source_file;
  const double period = shape.period();
  constexpr int n = 512;
  const double h = period / n;
  if (std::isnan(shape.volume(0))) {
    if (!(c.time.time_step > 0))
      throw Error(
          "the moving wall's shape does not give its volume, from which the time step "
          "would follow: set time.time_step_s",
          file, "time.time_step_s");
    where = "the time step is the case's (time.time_step_s)";
    return 0;
  }
  std::vector<double> rate(n);
  double fastest = 0;
  for (int k = 0; k < n; ++k) {
    const double t = k * h;
    rate[k] = (shape.volume(t + 0.5 * h) - shape.volume(t - 0.5 * h)) / h;
    fastest = std::max(fastest, std::abs(rate[k]));
  }
  double peak = 0, at = 0, closed = 0;
  for (int k = 0; k < n; ++k) {
    const double t = k * h;
    const auto open = valves.open_at(spec.iolets.size(), t);
    double area = 0;
    for (std::size_t j = 0; j < open.size(); ++j)
      if (open[j]) area += std::numbers::pi * spec.iolets[j].radius * spec.iolets[j].radius;
    if (area > 0) {
      if (std::abs(rate[k]) / area > peak) peak = std::abs(rate[k]) / area, at = t;
      continue;
    }
    closed = std::max(closed, std::abs(rate[k]));
    if (std::abs(rate[k]) > kClosedRate * fastest) {
      std::ostringstream s;
      s.precision(3);
      s << "the chamber's volume " << (rate[k] > 0 ? "grows" : "shrinks") << " by "
        << std::abs(rate[k]) * 1e6 << " mL/s at " << t / period << " of its cycle (t = " << t
        << " s) while every valve is closed: blood cannot go anywhere; open a valve then "
           "(valves.NAME.opens_at, closes_at)";
      if (std::abs(rate[k]) < 0.3 * fastest)
        s << " or give the wall more phases (its spline between them rounds the volume's "
             "corners)";
      throw Error(s.str(), file, "valves");
    }
  }
  std::ostringstream s;
  s.precision(3);
  s << "peak velocity " << kJet * peak << " m/s expected at " << at / period
    << " of the cycle: " << kJet << " times the volume's rate ("
    << rate[std::size_t(std::lround(at / h)) % n] * 1e6 << " mL/s) over the open valves' area";
  if (closed > 0)
    s << "; while every valve is closed the volume changes by up to " << closed * 1e6 << " mL/s ("
      << 100 * closed / fastest << " % of its fastest rate)";
  where = s.str();
  return kJet * peak;
}

}  // namespace hemotwin::detail
