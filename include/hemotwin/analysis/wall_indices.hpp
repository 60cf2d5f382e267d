#pragma once
// clang-format off
// Haemodynamic wall indices from wall-shear-stress time series (hemotwin::analysis), with the
// standard definitions:
//   TAWSS = (1/T) int |tau| dt                        time-averaged WSS magnitude
//   OSI   = (1/2) (1 - |int tau dt| / int |tau| dt)   Ku et al. 1985, Arteriosclerosis 5:293
//   RRT   = 1 / ((1 - 2 OSI) TAWSS) = T / |int tau dt|
//                                                     Himburg et al. 2004, AJP Heart 286:H1916
//   ECAP  = OSI / TAWSS                               Di Achille et al. 2014, Proc R Soc A 470
// over a window [t_0, t_n] of samples, integrated by the trapezoidal rule (exact for WSS linear
// between samples), and the area fractions of the wall with low TAWSS (below 0.4 Pa: Malek,
// Alper & Izumo 1999, JAMA 282:2035) or high OSI (above 0.2 by default; studies vary, so both are
// parameters).
// clang-format on
#include <Eigen/Core>
#include <cstddef>
#include <optional>
#include <vector>

namespace hemotwin::analysis {

using Vec3 = Eigen::Vector3d;

/// Per wall point, over the window.
struct WallIndices {
  std::vector<double> tawss;     // Pa
  std::vector<double> osi;       // 0 (unidirectional) .. 1/2 (purely oscillating); 0 where no shear
  std::vector<double> rrt;       // 1/Pa; +inf where the mean WSS vector vanishes
  std::vector<double> ecap;      // 1/Pa; +inf where TAWSS is 0
  std::vector<double> peak_wss;  // Pa: |WSS| at the peak (systolic) sample, if one was named
  double window = 0;             // s, t_n - t_0
  std::size_t size() const { return tawss.size(); }
};

/// Indices of the samples `wss[k]` (one vector per wall point, Pa) taken at `times[k]` (s,
/// strictly increasing, at least two). `peak_sample`: the sample of peak systole (e.g. of peak
/// inflow), whose |WSS| goes into peak_wss. Throws hemotwin::Error saying what is wrong (sizes,
/// times not increasing, non-finite values).
WallIndices wall_indices(const std::vector<double>& times,
                         const std::vector<std::vector<Vec3>>& wss,
                         std::optional<std::size_t> peak_sample = std::nullopt);

/// RRT and ECAP from TAWSS and OSI already averaged (as results.h5 /wall stores them).
WallIndices derived_indices(const std::vector<double>& tawss, const std::vector<double>& osi);

struct Thresholds {
  double low_tawss = 0.4;  // Pa
  double high_osi = 0.2;
};

/// Shares of the wall area (or of the points, without areas) with TAWSS below and OSI above the
/// thresholds, and the area counted. `area`: per point (m^2 or any unit), or empty for equal
/// weights. `mask`: the points to count (a region), or empty for all.
struct AreaFractions {
  double low_tawss = 0;
  double high_osi = 0;
  double area = 0;
  std::size_t points = 0;
};
AreaFractions area_fractions(const WallIndices& indices, const std::vector<double>& area = {},
                             const Thresholds& thresholds = {}, const std::vector<bool>& mask = {});

/// Area-weighted statistics of one index over a region (the points `mask` selects; empty: all):
/// mean, minimum, maximum, and the 5th, 50th and 95th area-weighted percentiles.
struct RegionStats {
  double mean = 0, min = 0, max = 0, p5 = 0, p50 = 0, p95 = 0;
  double area = 0;
  std::size_t points = 0;
};
RegionStats region_stats(const std::vector<double>& values, const std::vector<double>& area = {},
                         const std::vector<bool>& mask = {});

}  // namespace hemotwin::analysis
