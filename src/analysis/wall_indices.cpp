#include "hemotwin/analysis/wall_indices.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "hemotwin/core/error.hpp"

namespace hemotwin::analysis {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

void fill_derived(WallIndices& w) {
  const std::size_t n = w.tawss.size();
  w.rrt.assign(n, inf);
  w.ecap.assign(n, inf);
  for (std::size_t p = 0; p < n; ++p) {
    const double mean_vector = (1 - 2 * w.osi[p]) * w.tawss[p];  // |time-averaged WSS vector|
    if (mean_vector > 0) w.rrt[p] = 1 / mean_vector;
    if (w.tawss[p] > 0) w.ecap[p] = w.osi[p] / w.tawss[p];
  }
}

std::vector<std::size_t> selected(std::size_t n, const std::vector<double>& area,
                                  const std::vector<bool>& mask, const char* what) {
  if (!area.empty() && area.size() != n)
    throw Error(std::string(what) + ": " + std::to_string(area.size()) + " areas for " +
                std::to_string(n) + " wall points");
  if (!mask.empty() && mask.size() != n)
    throw Error(std::string(what) + ": a mask of " + std::to_string(mask.size()) + " for " +
                std::to_string(n) + " wall points");
  std::vector<std::size_t> out;
  for (std::size_t p = 0; p < n; ++p)
    if (mask.empty() || mask[p]) out.push_back(p);
  return out;
}

}  // namespace

WallIndices wall_indices(const std::vector<double>& times,
                         const std::vector<std::vector<Vec3>>& wss,
                         std::optional<std::size_t> peak_sample) {
  const std::size_t n = times.size();
  if (n < 2) throw Error("wall indices need at least two WSS samples, got " + std::to_string(n));
  if (wss.size() != n)
    throw Error("wall indices: " + std::to_string(n) + " times but " + std::to_string(wss.size()) +
                " WSS samples");
  const std::size_t points = wss[0].size();
  for (std::size_t k = 0; k < n; ++k) {
    if (!std::isfinite(times[k]))
      throw Error("wall indices: time " + std::to_string(k) + " is not finite");
    if (k > 0 && !(times[k] > times[k - 1]))
      throw Error("wall indices: the times must increase; sample " + std::to_string(k) +
                  " (t = " + std::to_string(times[k]) + " s) is not after sample " +
                  std::to_string(k - 1) + " (t = " + std::to_string(times[k - 1]) + " s)");
    if (wss[k].size() != points)
      throw Error("wall indices: sample " + std::to_string(k) + " has " +
                  std::to_string(wss[k].size()) + " wall points, sample 0 has " +
                  std::to_string(points));
  }
  if (peak_sample && *peak_sample >= n)
    throw Error("wall indices: the peak sample " + std::to_string(*peak_sample) +
                " is not one of the " + std::to_string(n) + " samples");
  WallIndices w;
  w.window = times.back() - times.front();
  w.tawss.assign(points, 0.0);
  w.osi.assign(points, 0.0);
  std::vector<Vec3> integral(points, Vec3::Zero());
  for (std::size_t k = 0; k + 1 < n; ++k) {
    const double h = 0.5 * (times[k + 1] - times[k]);
    for (std::size_t p = 0; p < points; ++p) {
      const Vec3& a = wss[k][p];
      const Vec3& b = wss[k + 1][p];
      if (!a.allFinite() || !b.allFinite())
        throw Error("wall indices: a WSS value at wall point " + std::to_string(p) +
                    " is not finite (sample " + std::to_string(std::isfinite(a.sum()) ? k + 1 : k) +
                    ")");
      integral[p] += h * (a + b);
      w.tawss[p] += h * (a.norm() + b.norm());  // int |tau| dt, for now
    }
  }
  for (std::size_t p = 0; p < points; ++p) {
    const double magnitude = w.tawss[p];
    w.osi[p] = magnitude > 0 ? 0.5 * (1 - integral[p].norm() / magnitude) : 0.0;
    w.osi[p] = std::clamp(w.osi[p], 0.0, 0.5);  // round-off
    w.tawss[p] = magnitude / w.window;
  }
  fill_derived(w);
  if (peak_sample) {
    w.peak_wss.resize(points);
    for (std::size_t p = 0; p < points; ++p) w.peak_wss[p] = wss[*peak_sample][p].norm();
  }
  return w;
}

WallIndices derived_indices(const std::vector<double>& tawss, const std::vector<double>& osi) {
  if (tawss.size() != osi.size())
    throw Error("wall indices: " + std::to_string(tawss.size()) + " TAWSS values but " +
                std::to_string(osi.size()) + " OSI values");
  WallIndices w;
  w.tawss = tawss;
  w.osi = osi;
  fill_derived(w);
  return w;
}

AreaFractions area_fractions(const WallIndices& indices, const std::vector<double>& area,
                             const Thresholds& thresholds, const std::vector<bool>& mask) {
  AreaFractions f;
  double low = 0, high = 0;
  for (std::size_t p : selected(indices.size(), area, mask, "area fractions")) {
    const double a = area.empty() ? 1.0 : area[p];
    f.area += a;
    ++f.points;
    if (indices.tawss[p] < thresholds.low_tawss) low += a;
    if (indices.osi[p] > thresholds.high_osi) high += a;
  }
  if (f.area > 0) {
    f.low_tawss = low / f.area;
    f.high_osi = high / f.area;
  }
  return f;
}

RegionStats region_stats(const std::vector<double>& values, const std::vector<double>& area,
                         const std::vector<bool>& mask) {
  const std::vector<std::size_t> pts = selected(values.size(), area, mask, "region statistics");
  RegionStats s;
  if (pts.empty()) return s;
  std::vector<std::pair<double, double>> vw;  // value, weight
  vw.reserve(pts.size());
  double sum = 0;
  for (std::size_t p : pts) {
    const double a = area.empty() ? 1.0 : area[p];
    if (!(a > 0)) continue;  // a point that stands for no wall (io::wall_point_areas)
    vw.emplace_back(values[p], a);
    s.area += a;
    sum += a * values[p];
  }
  if (vw.empty()) return s;
  s.points = vw.size();
  s.mean = s.area > 0 ? sum / s.area : 0.0;
  std::sort(vw.begin(), vw.end());
  s.min = vw.front().first;
  s.max = vw.back().first;
  // The lower weighted percentile: the first value whose cumulative weight reaches q of the area.
  const auto percentile = [&](double q) {
    double cum = 0;
    for (const auto& [v, a] : vw) {
      cum += a;
      if (cum >= q * s.area * (1 - 1e-12)) return v;
    }
    return vw.back().first;
  };
  s.p5 = percentile(0.05);
  s.p50 = percentile(0.5);
  s.p95 = percentile(0.95);
  return s;
}

}  // namespace hemotwin::analysis
