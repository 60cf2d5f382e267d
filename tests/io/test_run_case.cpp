// run_case end to end on a tiny pipe: the files it commits, what they hold, the callbacks, and the
// atomic-commit promise — a run that fails leaves an earlier results directory byte for byte as it
// was, with no staging directory left behind.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/cycles.hpp"
#include "hemotwin/io/results_reader.hpp"
#include "hemotwin/io/run.hpp"
#include "synthetic.hpp"

namespace hemotwin::io {
namespace {

namespace fs = std::filesystem;

/// A pipe of 8 cells across, 16 cells long, about 70 steps; fields every ~17 steps.
Case tiny_pipe() {
  Case c;
  c.name = "tiny-pipe";
  c.source_text = "# tiny pipe for the io tests\n[case]\nname = \"tiny-pipe\"\n";
  c.backend = BackendKind::Cpu;
  c.threads = 1;
  c.geometry.shape = ShapeKind::Pipe;
  c.geometry.diameter = 0.004;
  c.geometry.length = 0.008;
  c.geometry.cells_across = 8;
  c.inlet.mean_velocity = 0.05;
  c.time.max_mach = 0.08;  // below the limit of 0.1 with a margin for rounding
  c.time.duration = 0.02;
  c.output.interval = 0.005;
  c.output.check_every = 10;
  c.output.hdf5 = true;
  c.output.vti = true;
  return c;
}

using test::slurp;

std::map<std::string, std::string> directory_contents(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out[e.path().filename()] = slurp(e.path());
  return out;
}

bool has_partial(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".partial-") != std::string::npos) return true;
  return false;
}

/// Names of the groups under /fields.
std::vector<std::string> field_groups(const fs::path& h5) {
  std::vector<std::string> names;
  const hid_t f = H5Fopen(h5.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0);
  const hid_t g = H5Gopen2(f, "/fields", H5P_DEFAULT);
  H5G_info_t info;
  H5Gget_info(g, &info);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[128];
    H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    names.push_back(name);
  }
  H5Gclose(g);
  H5Fclose(f);
  return names;
}

TEST(RunCase, CommitsResultsSummaryAndCaseAndReportsProgress) {
  test::TempDir tmp("run");
  const Case c = tiny_pipe();
  std::string info;
  std::vector<Progress> progress;
  RunCallbacks cb;
  cb.on_info = [&](const std::string& s) { info = s; };
  cb.on_progress = [&](const Progress& p) { progress.push_back(p); };
  const RunResult r = run_case(c, tmp / "results", cb);

  EXPECT_EQ(r.directory, tmp / "results");
  EXPECT_EQ(r.hdf5, tmp / "results" / "results.h5");
  EXPECT_EQ(r.xdmf, tmp / "results" / "results.xdmf");
  EXPECT_EQ(r.summary, tmp / "results" / "summary.json");
  for (const char* name : {"results.h5", "results.xdmf", "results.vti", "case.toml", "summary.json",
                           "wall.vtp", "wall_surface.vtp", "iolets.csv"})
    EXPECT_TRUE(fs::is_regular_file(tmp / "results" / name)) << name;
  {
    // The wall: points, normals, WSS, and TAWSS/OSI over the last tenth of this steady run.
    const hid_t f = H5Fopen(r.hdf5.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    for (const char* name :
         {"/wall", "/wall/points", "/wall/normals", "/wall/wss", "/wall/tawss", "/wall/osi"})
      EXPECT_GT(H5Lexists(f, name, H5P_DEFAULT), 0) << name;
    H5Fclose(f);
    EXPECT_NE(slurp(tmp / "results" / "wall.vtp").find("Name=\"tawss\""), std::string::npos);
  }
  EXPECT_FALSE(has_partial(tmp.path()));
  EXPECT_EQ(slurp(tmp / "results" / "case.toml"), c.source_text);
  EXPECT_NE(info.find("backend cpu"), std::string::npos) << info;
  EXPECT_NE(info.find("two-lattice streaming"), std::string::npos) << info;  // auto, small
  EXPECT_FALSE(r.stopped_early);

  // Progress after every sample, never past the end, the last one at the end.
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().step, progress.back().total_steps);
  EXPECT_EQ(r.steps, progress.back().total_steps);
  for (std::size_t i = 1; i < progress.size(); ++i)
    EXPECT_GT(progress[i].step, progress[i - 1].step);
  for (const auto& p : progress) EXPECT_TRUE(p.step % 10 == 0 || p.step == p.total_steps);
  EXPECT_GT(r.mlups, 0);

  // Fields at each whole interval and at the end, each once.
  const auto groups = field_groups(r.hdf5);
  const double dt = nlohmann::json::parse(slurp(r.summary))["dt_s"].get<double>();
  const std::int64_t every = std::llround(0.005 / dt);
  std::vector<std::string> expected;
  for (std::int64_t s = every; s < r.steps; s += every) {
    char name[32];
    std::snprintf(name, sizeof name, "step_%08lld", static_cast<long long>(s));
    expected.push_back(name);
  }
  char last[32];
  std::snprintf(last, sizeof last, "step_%08lld", static_cast<long long>(r.steps));
  expected.push_back(last);
  EXPECT_EQ(groups, expected);
  const std::string xdmf = slurp(r.xdmf);
  for (const auto& g : groups)
    EXPECT_NE(xdmf.find("/fields/" + g + "/velocity"), std::string::npos);

  const auto j = nlohmann::json::parse(slurp(r.summary));
  EXPECT_EQ(j["name"], "tiny-pipe");
  EXPECT_EQ(j["steps"], r.steps);
  EXPECT_EQ(j["backend"], "cpu");
  EXPECT_EQ(j["streaming"], "two-lattice");
  EXPECT_GT(j["fluid_cells"].get<std::int64_t>(), 0);
  EXPECT_EQ(j["samples"].get<std::size_t>(), progress.size() + 1);  // + the initial state
  ASSERT_EQ(j["iolets"].size(), 2u);
  EXPECT_EQ(j["iolets"][0]["kind"], "velocity_inlet");
  EXPECT_TRUE(j["iolets"][0]["final_flow_ml_s"].is_number());
  EXPECT_TRUE(j["mass_balance"]["relative_mass_change"].is_number());
  EXPECT_TRUE(j["mass_balance"]["flow_imbalance"].is_number());
  EXPECT_EQ(j["files"]["vti"], "results.vti");
  EXPECT_EQ(j["files"]["wall"], "wall.vtp");
}

TEST(RunCase, SectionsAreSampledWithTheIoletsAndReadBack) {
  test::TempDir tmp("run-sections");
  Case c = tiny_pipe();
  c.output.vti = false;
  c.time.duration = 0.2;  // 870 steps: the start-up pressure waves have died out
  c.output.interval = 0;
  c.blood.viscosity =
      0.01;  // tau 0.53: the tiny pipe at 0.0035 Pa s is only stable for a short run
  // Two sections across the pipe (axis x from 0 to 8 mm); "b" faces upstream, so its flow counts
  // negative.
  c.sections = {{"a", {0.003, 0, 0}, {1, 0, 0}, 0}, {"b", {0.005, 0, 0}, {-2, 0, 0}, 0}};
  const RunResult r = run_case(c, tmp / "results");

  const ResultsData d = read_results(r.hdf5);
  EXPECT_EQ(d.case_name, "tiny-pipe");
  EXPECT_EQ(d.case_text, c.source_text);
  EXPECT_GT(d.dt, 0);
  EXPECT_EQ(d.cycle_period, 0);  // steady
  ASSERT_EQ(d.iolets.size(), 2u);
  EXPECT_EQ(d.iolets[0].kind, "velocity_inlet");
  EXPECT_TRUE(d.iolets[1].is_outlet());
  ASSERT_EQ(d.sections.size(), 2u);
  EXPECT_EQ(d.sections[0].name, "a");
  EXPECT_EQ(d.sections[1].name, "b");
  EXPECT_EQ(d.sections[1].normal, Eigen::Vector3d(-1, 0, 0));  // stored normalised
  EXPECT_NEAR(d.sections[0].centre.x(), 0.003, 1e-12);
  // The sampled cross-section is the pipe's, pi (2 mm)^2, as far as 8 cells across resolve it
  // (the cells whose centres lie inside).
  EXPECT_NEAR(d.sections[0].area / (M_PI * 4e-6), 1.0, 0.12);
  const auto& in = d.plane("inlet0");
  const auto& a = d.plane("a");
  const auto& b = d.plane("b");
  ASSERT_EQ(a.time, in.time);
  // By the end the flow through both sections is the inflow (b's counted against its normal),
  // and the pressure falls downstream.
  EXPECT_NEAR(a.flow.back() / in.flow.back(), 1.0, 0.02);
  EXPECT_NEAR(-b.flow.back() / in.flow.back(), 1.0, 0.02);
  EXPECT_GT(a.pressure.back(), b.pressure.back());
  EXPECT_EQ(d.wall_points.size(), d.tawss.size());
  EXPECT_GT(d.averaged_over, 0);
  try {
    (void)d.plane("nowhere");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("inlet0, outlet0, a, b"), std::string::npos) << e.what();
  }

  const auto j = nlohmann::json::parse(slurp(r.summary));
  ASSERT_EQ(j["sections"].size(), 2u);
  EXPECT_EQ(j["sections"][0]["name"], "a");
  EXPECT_TRUE(j["sections"][0]["mean_pressure_mmhg"].is_number());
  const std::string csv = slurp(tmp / "results" / "iolets.csv");
  EXPECT_NE(csv.find(",a_flow_ml_s,a_pressure_mmhg,b_flow_ml_s,b_pressure_mmhg\n"),
            std::string::npos);

  // Not a results file: the error names it.
  std::ofstream(tmp / "bogus.h5") << "not hdf5";
  EXPECT_THROW(read_results(tmp / "bogus.h5"), Error);
  EXPECT_THROW(read_results(tmp / "absent.h5"), Error);
}

TEST(RunCase, ASectionOutsideTheFluidIsRefusedByName) {
  Case c = tiny_pipe();
  c.sections = {{"beyond", {0.02, 0, 0}, {1, 0, 0}, 0}};
  try {
    (void)run_case(c, test::TempDir("run-bad-section") / "results");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("section 'beyond' cuts no fluid"), std::string::npos)
        << e.what();
  }
  c.sections = {{"a", {0.003, 0, 0}, {0, 0, 0}, 0}};
  EXPECT_THROW((void)run_case(c, test::TempDir("run-bad-section2") / "results"), Error);
}

TEST(RunCase, AFailingRunLeavesTheEarlierResultsUntouched) {
  test::TempDir tmp("run-atomic");
  const fs::path dir = tmp / "results";
  run_case(tiny_pipe(), dir);
  const auto before = directory_contents(dir);
  ASSERT_EQ(before.size(), 8u);  // wall_surface.vtp too (a pipe)

  // A run that throws part way (here from the progress callback, after fields were written).
  Case second = tiny_pipe();
  second.name = "second";
  second.output.vti = false;
  RunCallbacks cb;
  int calls = 0;
  cb.on_progress = [&](const Progress&) {
    if (++calls == 4) throw std::runtime_error("interrupted by the test");
  };
  EXPECT_THROW(run_case(second, dir, cb), std::runtime_error);
  EXPECT_EQ(directory_contents(dir), before);
  EXPECT_FALSE(has_partial(tmp.path()));

  // A run whose Simulation cannot be built.
  Case invalid = tiny_pipe();
  invalid.blood.viscosity = 0;
  EXPECT_THROW(run_case(invalid, dir), Error);
  EXPECT_EQ(directory_contents(dir), before);
  EXPECT_FALSE(has_partial(tmp.path()));
}

TEST(RunCase, AnUnusableOutputDirectoryFailsBeforeTheFirstStep) {
  test::TempDir tmp("run-unusable");
  std::ofstream(tmp / "a-file") << "not a directory";
  RunCallbacks cb;
  bool informed = false;
  int progress_calls = 0;
  cb.on_info = [&](const std::string&) { informed = true; };
  cb.on_progress = [&](const Progress&) { ++progress_calls; };
  try {
    run_case(tiny_pipe(), tmp / "a-file", cb);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a-file"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(informed);  // the case was fine: the simulation was built
  EXPECT_EQ(progress_calls, 0);
  EXPECT_EQ(slurp(tmp / "a-file"), "not a directory");
}

TEST(RunCase, StopRequestCommitsWhatWasComputed) {
  test::TempDir tmp("run-stop");
  Case c = tiny_pipe();
  c.output.vti = false;
  RunCallbacks cb;
  int polls = 0;
  cb.should_stop = [&] { return ++polls > 3; };
  const RunResult r = run_case(c, tmp / "results", cb);
  EXPECT_TRUE(r.stopped_early);
  EXPECT_GT(r.steps, 0);
  const auto j = nlohmann::json::parse(slurp(r.summary));
  EXPECT_TRUE(j["stopped_early"].get<bool>());
  EXPECT_EQ(j["steps"], r.steps);
  EXPECT_LT(r.steps, j["total_steps"].get<std::int64_t>());
  EXPECT_FALSE(fs::exists(tmp / "results" / "results.vti"));
  // The state it stopped at is the last field output.
  char last[32];
  std::snprintf(last, sizeof last, "step_%08lld", static_cast<long long>(r.steps));
  EXPECT_EQ(field_groups(r.hdf5).back(), last);
}

TEST(RunCase, CyclesReportTheirChangeAndStopOncePeriodic) {
  test::TempDir tmp("run-cycles");
  Case c = tiny_pipe();
  c.output.vti = false;
  c.output.interval = 0;
  c.blood.viscosity = 0.035;  // tau 0.56: a smooth pulsation on 8 cells
  c.inlet.amplitude = 0.5;
  c.inlet.period = 0.02;
  c.time.cycles = 10;
  c.time.duration = 10 * c.inlet.period;
  c.time.cycle_tolerance = 0.01;
  const RunResult r = run_case(c, tmp / "results");
  const auto j = nlohmann::json::parse(slurp(r.summary));
  const auto& cy = j["cycles"];
  EXPECT_DOUBLE_EQ(cy["period_s"].get<double>(), 0.02);
  EXPECT_TRUE(cy["converged"].get<bool>()) << cy.dump();
  const int done = cy["completed"].get<int>();
  EXPECT_GE(done, 2);
  EXPECT_LT(done, 10);  // stopped once periodic
  ASSERT_EQ(cy["changes"].size(), std::size_t(done - 1));
  EXPECT_LT(cy["changes"].back()["pressure_change"].get<double>(), 0.01);
  EXPECT_LT(cy["changes"].back()["flow_change"].get<double>(), 0.01);
  EXPECT_LT(r.steps, j["total_steps"].get<std::int64_t>());
  // The averages cover the last cycle.
  const auto window = j["averaging_window_s"];
  EXPECT_NEAR(window[1].get<double>() - window[0].get<double>(), 0.02, 1e-6);
  // The time series as CSV: a header and one row per sample.
  const std::string csv = slurp(tmp / "results" / "iolets.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "time_s,inlet0_flow_ml_s,inlet0_pressure_mmhg,outlet0_flow_ml_s,outlet0_pressure_mmhg");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), j["samples"].get<long>() + 1);
  const hid_t f = H5Fopen(r.hdf5.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t g = H5Gopen2(f, "/wall", H5P_DEFAULT);
  double averaged = 0;
  const hid_t a = H5Aopen(g, "averaged_over", H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_DOUBLE, &averaged);
  H5Aclose(a);
  H5Gclose(g);
  H5Fclose(f);
  EXPECT_NEAR(averaged, 0.02, 0.0005);  // one cycle (to a step)
}

TEST(Cycles, ChangeIsRelativeToTheCycleAndTheLargestOverIolets) {
  // Two iolets, two cycles of 10 samples: the second's outlet pressure 2 % higher on average.
  std::vector<Diagnostics> series;
  for (int i = 0; i <= 20; ++i) {
    Diagnostics d;
    d.time = 0.1 * i;
    const double s = std::sin(2 * 3.141592653589793 * d.time);
    d.iolet_flow = {1e-6 * (1 + 0.5 * s), 1e-6 * (1 + 0.5 * s)};
    d.iolet_pressure = {1000 + 100 * s, (i > 10 ? 102.0 : 100.0) + 10 * s};
    series.push_back(d);
  }
  const CycleStats a = cycle_stats(series, 0, 1), b = cycle_stats(series, 1, 2);
  EXPECT_NEAR(a.flow[0], 1e-6, 1e-12);
  const CycleChange ch = cycle_change(a, b, 2);
  EXPECT_EQ(ch.cycle, 2);
  EXPECT_NEAR(ch.pressure, 0.02, 2e-3);  // (102 - 100) / ~102, the outlet's
  EXPECT_NEAR(ch.flow, 0.0, 1e-12);
}

}  // namespace
}  // namespace hemotwin::io
