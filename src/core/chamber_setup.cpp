#include "chamber_setup.hpp"

#include <cmath>
#include <numbers>
#include <sstream>

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

std::vector<bool> ChamberValves::open_at(const Case& c, std::size_t iolets, double t) const {
  std::vector<bool> open(iolets, true);
  if (!(period > 0)) return open;
  double phase = std::fmod(t / period, 1.0);
  if (phase < 0) phase += 1;
  for (std::size_t k = 0; k < iolet.size(); ++k)
    open[std::size_t(iolet[k])] = c.valves[k].open_at(phase);
  return open;
}

ChamberValves chamber_valves(const Case& c, const DomainSpec& spec) {
  ChamberValves v;
  v.period = spec.moving_wall.shape ? spec.moving_wall.shape->period() : 0.0;
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
    const auto open = valves.open_at(c, spec.iolets.size(), t);
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
