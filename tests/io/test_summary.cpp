// summary.json: the mass balance (mass change, inlet/outlet imbalance over the last half of the
// run), time averages, unit conversions and the keys docs/file-format.md promises.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/summary.hpp"
#include "synthetic.hpp"

namespace hemotwin::io {
namespace {

std::vector<IoletInfo> two_outlets() {
  return {{"inlet0", IoletKind::VelocityInlet, {0, 0, 0}, {-1, 0, 0}, 1e-5},
          {"outlet0", IoletKind::PressureOutlet, {0.01, 0, 0}, {1, 0, 0}, 6e-6},
          {"outlet1", IoletKind::PressureOutlet, {0.01, 0.005, 0}, {1, 0, 0}, 4e-6}};
}

/// Samples every 0.1 s from 0 to 1 s: inlet flow ramps 0 -> 2e-6 m^3/s over the first half, then
/// holds; the outlets carry 60 % and 39 % of it (1 % lost); mass grows by 0.5 %.
std::vector<Diagnostics> series() {
  std::vector<Diagnostics> s;
  for (int i = 0; i <= 10; ++i) {
    Diagnostics d;
    d.step = 100 * i;
    d.time = 0.1 * i;
    d.mass = 1000.0 * (1.0 + 0.0005 * i);
    d.max_speed = 0.3;
    const double q = 2e-6 * std::min(1.0, d.time / 0.5);
    d.iolet_flow = {q, 0.60 * q, 0.39 * q};
    d.iolet_pressure = {1333.22387415, 10.0 * i, 20.0};
    s.push_back(d);
  }
  return s;
}

TEST(Summary, TimeAverageUsesTheTrapezoidalRuleOverTheWindow) {
  const auto s = series();
  std::vector<double> v(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) v[i] = s[i].time;  // f(t) = t
  EXPECT_NEAR(time_average(s, v, 0.0, 1.0), 0.5, 1e-12);
  EXPECT_NEAR(time_average(s, v, 0.5, 1.0), 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(time_average(s, v, 0.95, 1.0), 1.0);  // one sample
  EXPECT_EQ(time_average(s, v, 2.0, 3.0), 0.0);          // none
  const auto [t0, t1] = averaging_window(s);
  EXPECT_DOUBLE_EQ(t0, 0.5);
  EXPECT_DOUBLE_EQ(t1, 1.0);
}

TEST(Summary, MassBalanceReportsMassChangeAndFlowImbalance) {
  const MassBalance mb = mass_balance(series(), two_outlets());
  ASSERT_TRUE(mb.relative_mass_change.has_value());
  EXPECT_NEAR(*mb.relative_mass_change, 0.005, 1e-12);
  ASSERT_TRUE(mb.flow_imbalance.has_value());
  EXPECT_NEAR(*mb.flow_imbalance, 0.01, 1e-12);
  EXPECT_NEAR(mb.inlet_flow, 2e-6, 1e-18);
  EXPECT_NEAR(mb.outlet_flow, 0.99 * 2e-6, 1e-18);
  EXPECT_EQ(mb.window_samples, 6);  // t = 0.5 ... 1.0

  const MassBalance none = mass_balance({}, two_outlets());
  EXPECT_FALSE(none.relative_mass_change.has_value());
  EXPECT_FALSE(none.flow_imbalance.has_value());
  const MassBalance no_iolets = mass_balance(series(), {});
  EXPECT_TRUE(no_iolets.relative_mass_change.has_value());
  EXPECT_FALSE(no_iolets.flow_imbalance.has_value());
}

RunSummary sample_summary() {
  RunSummary s;
  s.name = "bifurcation";
  s.hemotwin_version = "0.1.0";
  s.git_commit = "abc";
  s.steps = 1000;
  s.total_steps = 1000;
  s.simulated_time = 1.0;
  s.wall_time_s = 2.5;
  s.fluid_cells = 50000;
  s.mlups = 20.0;
  s.backend = "cpu";
  s.device = "2 threads";
  s.precision = "float";
  s.lattice = "D3Q19";
  s.collision = "trt";
  s.dx = 1e-4;
  s.dt = 1e-3;
  s.tau = 0.8;
  s.iolets = two_outlets();
  s.series = series();
  s.files = {{"hdf5", "results.h5"}, {"xdmf", "results.xdmf"}};
  return s;
}

TEST(Summary, JsonHoldsTheDocumentedKeys) {
  const auto j = nlohmann::json::parse(summary_json(sample_summary()));
  for (const char* key : {"format",
                          "format_version",
                          "name",
                          "hemotwin_version",
                          "git_commit",
                          "steps",
                          "total_steps",
                          "stopped_early",
                          "simulated_time_s",
                          "wall_time_s",
                          "fluid_cells",
                          "mlups",
                          "backend",
                          "device",
                          "precision",
                          "lattice",
                          "collision",
                          "dx_m",
                          "dt_s",
                          "tau",
                          "samples",
                          "averaging_window_s",
                          "mass_balance",
                          "iolets",
                          "files"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["format"], "hemotwin-summary");
  EXPECT_EQ(j["name"], "bifurcation");
  EXPECT_EQ(j["steps"], 1000);
  EXPECT_EQ(j["fluid_cells"], 50000);
  EXPECT_DOUBLE_EQ(j["mlups"].get<double>(), 20.0);
  EXPECT_EQ(j["lattice"], "D3Q19");
  EXPECT_EQ(j["files"]["hdf5"], "results.h5");
  EXPECT_NEAR(j["mass_balance"]["relative_mass_change"].get<double>(), 0.005, 1e-12);
  EXPECT_NEAR(j["mass_balance"]["flow_imbalance"].get<double>(), 0.01, 1e-12);
  EXPECT_EQ(j["mass_balance"]["window_samples"], 6);

  ASSERT_EQ(j["iolets"].size(), 3u);
  const auto& in = j["iolets"][0];
  for (const char* key :
       {"name", "kind", "area_m2", "centre_m", "normal", "final_flow_m3_s", "final_flow_ml_s",
        "final_pressure_pa", "final_pressure_mmhg", "mean_flow_m3_s", "mean_flow_ml_s",
        "mean_pressure_pa", "mean_pressure_mmhg"})
    EXPECT_TRUE(in.contains(key)) << key;
  EXPECT_EQ(in["kind"], "velocity_inlet");
  EXPECT_EQ(j["iolets"][1]["kind"], "pressure_outlet");
  EXPECT_NEAR(in["final_flow_ml_s"].get<double>(), 2.0, 1e-12);
  EXPECT_NEAR(in["final_pressure_mmhg"].get<double>(), 10.0, 1e-12);
  EXPECT_NEAR(j["iolets"][1]["mean_flow_ml_s"].get<double>(), 1.2, 1e-12);
  EXPECT_NEAR(j["iolets"][1]["mean_pressure_pa"].get<double>(), 75.0, 1e-9);  // 10 t, t in 5..10
}

TEST(Summary, EmptyRunGivesNullsNotGarbage) {
  RunSummary s = sample_summary();
  s.series.clear();
  s.mlups = std::nan("");
  const auto j = nlohmann::json::parse(summary_json(s));
  EXPECT_TRUE(j["mlups"].is_null());
  EXPECT_TRUE(j["mass_balance"]["relative_mass_change"].is_null());
  EXPECT_TRUE(j["iolets"][0]["final_flow_m3_s"].is_null());
}

TEST(Summary, WriteSummaryWritesTheJsonAndNamesTheFileOnError) {
  test::TempDir dir("summary");
  write_summary(dir / "summary.json", sample_summary());
  std::ifstream in(dir / "summary.json");
  EXPECT_EQ(nlohmann::json::parse(in)["name"], "bifurcation");
  try {
    write_summary(dir / "missing" / "summary.json", sample_summary());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing/summary.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace hemotwin::io
