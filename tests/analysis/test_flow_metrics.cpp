// hemotwin::analysis flow metrics on synthetic series with known answers (exact to round-off), and
// the Young & Tsai stenosis model against hand-computed values.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <numbers>

#include "hemotwin/analysis/flow_metrics.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/run.hpp"

namespace hemotwin::analysis {
namespace {

constexpr double pi = std::numbers::pi;

io::PlaneSeries plane(std::string name, std::string kind, const std::vector<double>& t,
                      double (*flow)(double), double (*pressure)(double)) {
  io::PlaneSeries p;
  p.name = std::move(name);
  p.kind = std::move(kind);
  p.time = t;
  for (double x : t) {
    p.flow.push_back(flow(x));
    p.pressure.push_back(pressure(x));
  }
  return p;
}

/// Two cycles (period 1 s) sampled every 10 ms: a pulsatile inflow split 30/70 over two outlets,
/// proximal pressure 12 kPa + 1 kPa sin, distal 1.5 kPa + 0.5 kPa sin below it.
io::ResultsData pulsatile() {
  std::vector<double> t;
  for (int i = 0; i <= 200; ++i) t.push_back(i / 100.0);
  io::ResultsData d;
  d.path = "synthetic/results.h5";
  d.cycle_period = 1.0;
  auto q = [](double x) { return 1e-6 * (1 + 0.5 * std::sin(2 * pi * x)); };
  d.iolets.push_back(plane("inlet0", "velocity_inlet", t, +q, [](double) { return 0.0; }));
  d.iolets.push_back(plane(
      "outlet0", "pressure_outlet", t,
      [](double x) { return 0.3e-6 * (1 + 0.5 * std::sin(2 * pi * x)); },
      [](double) { return 0.0; }));
  d.iolets.push_back(plane(
      "outlet1", "pressure_outlet", t,
      [](double x) { return 0.7e-6 * (1 + 0.5 * std::sin(2 * pi * x)); },
      [](double) { return 0.0; }));
  d.sections.push_back(plane("proximal", "section", t, +q,
                             [](double x) { return 12000 + 1000 * std::sin(2 * pi * x); }));
  d.sections.push_back(plane("distal", "section", t, +q,
                             [](double x) { return 10500 + 500 * std::sin(2 * pi * x); }));
  return d;
}

TEST(FlowMetrics, MeansSplitDropAndFfrOverTheLastCycle) {
  const io::ResultsData d = pulsatile();
  FlowMetricsOptions o;
  o.proximal = "proximal";
  o.distal = "distal";
  const FlowMetrics m = flow_metrics(d, o);
  // The last cycle, [1, 2] s: 101 samples; the trapezoid integrates whole sine periods to zero.
  EXPECT_NEAR(m.window_start, 1.0, 1e-8);
  EXPECT_EQ(m.window_end, 2.0);
  EXPECT_EQ(m.window_samples, 101);
  EXPECT_NEAR(m.plane("inlet0").mean_flow, 1e-6, 1e-20);
  EXPECT_NEAR(m.plane("inlet0").peak_flow, 1.5e-6, 1e-20);
  EXPECT_NEAR(m.plane("outlet0").flow_fraction, 0.3, 1e-14);
  EXPECT_NEAR(m.plane("outlet1").flow_fraction, 0.7, 1e-14);
  EXPECT_EQ(m.plane("inlet0").flow_fraction, 0.0);
  EXPECT_NEAR(m.plane("proximal").mean_pressure, 12000, 1e-9);
  EXPECT_NEAR(m.plane("proximal").max_pressure, 13000, 1e-9);
  EXPECT_NEAR(m.plane("proximal").min_pressure, 11000, 1e-9);
  ASSERT_TRUE(m.drop);
  EXPECT_NEAR(m.drop->mean_drop, 1500, 1e-9);
  EXPECT_NEAR(m.drop->peak_drop, 2000, 1e-9);  // at t = 1.25 s
  EXPECT_NEAR(m.drop->pressure_ratio, 10500.0 / 12000.0, 1e-14);
  EXPECT_NEAR(m.drop->ffr, 10500.0 / 12000.0, 1e-14);  // no aortic pressure: as simulated
  EXPECT_NEAR(m.drop->aortic_pressure, 12000, 1e-9);

  // Against the patient's mean aortic pressure: (Pa - drop) / Pa.
  o.aortic_pressure = 93 * io::pascal_per_mmhg;
  const FlowMetrics a = flow_metrics(d, o);
  EXPECT_NEAR(a.drop->ffr, (o.aortic_pressure - 1500) / o.aortic_pressure, 1e-14);
  EXPECT_NEAR(a.drop->pressure_ratio, 10500.0 / 12000.0, 1e-14);

  // A window given: the first half-cycle, where sin >= 0: mean of sin over [0, 0.5] is 2/pi
  // (the trapezoid with 51 samples within 1e-3 of it).
  o.window_start = 0;
  o.window_end = 0.5;
  const FlowMetrics w = flow_metrics(d, o);
  EXPECT_EQ(w.window_samples, 51);
  EXPECT_NEAR(w.drop->mean_drop, 1500 + 500 * 2 / pi, 0.5);
}

TEST(FlowMetrics, SteadyRunsAverageTheirLastHalf) {
  io::ResultsData d = pulsatile();
  d.cycle_period = 0;
  const FlowMetrics m = flow_metrics(d);
  EXPECT_NEAR(m.window_start, 1.0, 1e-12);
  EXPECT_FALSE(m.drop);
}

TEST(FlowMetrics, UnknownPlanesAndEmptyWindowsAreRefusedSayingWhatThereIs) {
  const io::ResultsData d = pulsatile();
  FlowMetricsOptions o;
  o.proximal = "proximal";
  o.distal = "distl";
  try {
    (void)flow_metrics(d, o);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'distl'"), std::string::npos) << what;
    EXPECT_NE(what.find("inlet0, outlet0, outlet1, proximal, distal"), std::string::npos) << what;
    EXPECT_NE(what.find("synthetic/results.h5"), std::string::npos) << what;
  }
  o.distal = "";
  EXPECT_THROW((void)flow_metrics(d, o), Error);  // one of the two
  FlowMetricsOptions w;
  w.window_start = 5;
  w.window_end = 6;
  EXPECT_THROW((void)flow_metrics(d, w), Error);
  o.distal = "distal";
  o.aortic_pressure = -1;
  EXPECT_THROW((void)flow_metrics(d, o), Error);
}

/// A pulsating flow through a small pipe, two cycles; the averages cover the second.
Case pulsating_pipe() {
  Case c;
  c.name = "pulsating";
  c.backend = BackendKind::Cpu;
  c.geometry.shape = ShapeKind::Pipe;
  c.geometry.diameter = 0.004;
  c.geometry.length = 0.012;
  c.geometry.cells_across = 8;
  c.blood.viscosity = 0.01;
  c.inlet.mean_velocity = 0.05;
  c.inlet.amplitude = 0.6;
  c.inlet.period = 0.05;
  c.time.cycles = 2;
  c.time.duration = 0.1;
  c.output.check_every = 10;
  return c;
}

TEST(WallSummary, IndicesFromTheStoredSeriesMatchTheSolversRunningAverages) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("hemotwin-wall-series-" + std::to_string(getpid()));
  Case c = pulsating_pipe();
  io::run_case(c, dir);
  const io::ResultsData r = io::read_results(dir / "results.h5");
  ASSERT_GE(r.wss_series.size(), 10u);
  ASSERT_EQ(r.wss_series[0].size(), r.wall_points.size());
  // The last cycle (a whole number of steps), both ends included.
  const double dt = r.dt;
  EXPECT_NEAR(r.wss_series_time.back() - r.wss_series_time.front(), c.inlet.period, dt);
  // The series holds what /wall/wss holds at the end (the final state is its last sample).
  for (std::size_t i = 0; i < r.wall_points.size(); i += 37)
    EXPECT_NEAR((r.wss_series.back()[i] - r.wall_wss[i]).norm(), 0.0,
                1e-6 * r.wall_wss[i].norm() + 1e-9);

  double peak_time = 0;
  const WallIndices idx = wall_indices(r, &peak_time);
  ASSERT_EQ(idx.size(), r.tawss.size());
  // The solver weights each sample by the step before it, the analysis integrates by the
  // trapezoid: over ~30 samples a cycle the two agree within a few per cent (1.6 % here).
  double diff = 0, norm = 0;
  for (std::size_t i = 0; i < idx.size(); ++i) {
    diff += std::abs(idx.tawss[i] - r.tawss[i]);
    norm += r.tawss[i];
  }
  std::printf("TAWSS from the series against the solver's running average: %.2f %% (L1)\n",
              100 * diff / norm);
  EXPECT_LT(diff / norm, 0.03);
  // Peak systole: the sample of the largest measured inflow, which the imposed 1 + 0.6 sin puts
  // near a quarter period into the cycle.
  const auto& in = r.plane("inlet0");
  std::size_t k = 0;
  for (std::size_t j = 0; j < in.time.size(); ++j)
    if (in.time[j] >= r.wss_series_time.front() && in.flow[j] > in.flow[k]) k = j;
  EXPECT_EQ(peak_time, in.time[k]);
  EXPECT_NEAR(peak_time, r.wss_series_time.front() + 0.25 * c.inlet.period, 0.1 * c.inlet.period);
  // Peak WSS exceeds the mean everywhere it is not tiny.
  double peak_mean = 0, tawss_mean = 0;
  for (std::size_t i = 0; i < idx.size(); ++i) {
    peak_mean += idx.peak_wss[i];
    tawss_mean += idx.tawss[i];
  }
  EXPECT_GT(peak_mean / tawss_mean, 1.3);

  const WallSummary w = wall_summary(r);
  EXPECT_TRUE(w.from_series);
  // Each wall point's area (/wall/area): they partition the pipe's wall surface and undo the
  // staircase's crowding of wall points where the wall runs at 45 degrees to the grid. cos^2(2 phi)
  // around the axis averages 1/2 over the wall; over the points alike it comes out lower.
  ASSERT_EQ(r.wall_area.size(), r.wall_points.size());
  EXPECT_TRUE(w.area_weighted);
  double total = 0, by_area = 0, by_point = 0;
  for (std::size_t i = 0; i < r.wall_area.size(); ++i) {
    const double phi = std::atan2(r.wall_points[i].z(), r.wall_points[i].y());
    const double f = std::pow(std::cos(2 * phi), 2);
    total += r.wall_area[i];
    by_area += r.wall_area[i] * f;
    by_point += f;
  }
  by_area /= total;
  by_point /= double(r.wall_area.size());
  const double wall = pi * c.geometry.diameter * c.geometry.length;
  std::printf(
      "wall areas: %.4g m^2 in all (pi D L %.4g); mean cos^2(2 phi) %.4f by area, %.4f by "
      "point (1/2 over the wall)\n",
      total, wall, by_area, by_point);
  EXPECT_NEAR(total / wall, 1, 0.02);
  EXPECT_NEAR(by_area, 0.5, 0.02);
  EXPECT_NEAR(w.averaged_over, c.inlet.period, dt);
  EXPECT_GT(w.peak_wss.mean, w.tawss.mean);

  // Without the series the summary falls back on the stored TAWSS and OSI.
  c.output.wall_series = false;
  io::run_case(c, dir);
  const io::ResultsData q = io::read_results(dir / "results.h5");
  EXPECT_TRUE(q.wss_series.empty());
  const WallSummary v = wall_summary(q);
  EXPECT_TRUE(v.averaged);
  EXPECT_FALSE(v.from_series);
  EXPECT_NEAR(v.tawss.mean, w.tawss.mean, 0.03 * w.tawss.mean);
  fs::remove_all(dir);
}

TEST(YoungTsai, BluntPlugByHand) {
  // D0 4 mm, D1 2 mm (A0/A1 = 4), Ls 8 mm, U 0.1 m/s, blood:
  //   K_v = 32 (0.83 x 8 + 1.64 x 2) / 4 x 16 = 1269.76; viscous = K_v mu U / D0 = 111.104 Pa
  //   expansion = 1.52 / 2 x 1060 x 9 x 0.01 = 72.504 Pa
  StenosisGeometry g{0.004, 0.002, 0.008, {}, {}};
  const auto dp = young_tsai(g, 0.1, 0.0035, 1060);
  EXPECT_NEAR(dp.viscous, 111.104, 1e-9);
  EXPECT_NEAR(dp.expansion, 72.504, 1e-9);
  EXPECT_NEAR(dp.total(), 183.608, 1e-9);
  // Reversed flow reverses the drop.
  EXPECT_NEAR(young_tsai(g, -0.1, 0.0035, 1060).total(), -183.608, 1e-9);
}

TEST(YoungTsai, ProfileOfAStraightTubeIsPoiseuille) {
  // No narrowing: no expansion loss, and the viscous term is 32 mu U L / D^2 exactly.
  StenosisGeometry g{0.004, 0.004, 0.01, {0, 0.0025, 0.005, 0.01}, {0.002, 0.002, 0.002, 0.002}};
  const auto dp = young_tsai(g, 0.2, 0.0035, 1060);
  EXPECT_NEAR(dp.viscous, 32 * 0.0035 * 0.2 * 0.01 / (0.004 * 0.004), 1e-9);
  EXPECT_EQ(dp.expansion, 0.0);
  g.radius[1] = 0;
  EXPECT_THROW((void)young_tsai(g, 0.2, 0.0035, 1060), Error);
  EXPECT_THROW((void)young_tsai({0.004, 0.005, 0.01, {}, {}}, 0.2, 0.0035, 1060), Error);
}

}  // namespace
}  // namespace hemotwin::analysis
