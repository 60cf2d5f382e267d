// Case-file parser: key set, units, validation, messages, overrides.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/case_file.hpp"

namespace hemotwin::io {
namespace {

const std::string minimal = R"(# a minimal case
[geometry]
shape = "pipe"
diameter_mm = 4
length_mm = 20

[inlet]
mean_velocity_m_s = 0.2

[time]
duration_s = 0.1
)";

// The message of the error parse_case throws, or "" when it throws none.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_case(text, "case.toml", overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

// `minimal` with `line` inserted after the header of `table` (appended as a new table if absent).
std::string with(const std::string& table, const std::string& line) {
  std::string text = minimal;
  const std::string header = "[" + table + "]\n";
  const auto at = text.find(header);
  if (at == std::string::npos) return text + "\n" + header + line + "\n";
  return text.insert(at + header.size(), line + "\n");
}

TEST(CaseFile, MinimalCaseGetsDefaultsAndSiUnits) {
  const Case c = parse_case(minimal, "dir/my_case.toml");
  EXPECT_EQ(c.name, "my_case");  // from the file name
  EXPECT_EQ(c.source_file, "dir/my_case.toml");
  EXPECT_EQ(c.geometry.shape, ShapeKind::Pipe);
  EXPECT_DOUBLE_EQ(c.geometry.diameter, 0.004);
  EXPECT_DOUBLE_EQ(c.geometry.length, 0.020);
  EXPECT_DOUBLE_EQ(c.inlet.mean_velocity, 0.2);
  EXPECT_DOUBLE_EQ(c.time.duration, 0.1);
  EXPECT_EQ(c.time.time_step, 0.0);  // derived by the core
  const Case defaults;
  EXPECT_EQ(c.backend, defaults.backend);
  EXPECT_EQ(c.collision, defaults.collision);
  EXPECT_EQ(c.walls, defaults.walls);
  EXPECT_DOUBLE_EQ(c.blood.viscosity, defaults.blood.viscosity);
  EXPECT_DOUBLE_EQ(c.geometry.cells_across, defaults.geometry.cells_across);
  EXPECT_EQ(c.output.directory, "results/my_case");
  EXPECT_NE(c.source_text.find("mean_velocity_m_s = 0.2"), std::string::npos);
}

TEST(CaseFile, EveryKeyIsReadAndConverted) {
  const std::string text = R"(
[case]
name = "full"
description = "every key"
backend = "cpu"
precision = "double"
lattice = "D3Q27"
streaming = "two-lattice"
threads = 3
[geometry]
shape = "stenosed_pipe"
cells_across_diameter = 12
origin_mm = [1, 2, 3]
axis = [0, 1, 0]
length_mm = 30
diameter_mm = 5
[geometry.stenosis]
severity = 0.6
length_mm = 8
position_mm = 12
[blood]
density_kg_m3 = 1050
viscosity_pa_s = 0.004
[collision]
model = "trt"
trt_magic = 0.25
[walls]
method = "bounce_back"
[flow]
driver = "inlet"
[inlet]
profile = "plug"
flow_rate_ml_s = 2.5
amplitude = 0.4
period_s = 0.9
ramp_s = 0.05
[outlet]
pressure_mmhg = 80
[time]
duration_s = 0.5
time_step_s = 2e-5
[output]
directory = "out/full"
interval_s = 0.1
hdf5 = false
vti = true
check_every = 50
)";
  const Case c = parse_case(text, "full.toml");
  EXPECT_EQ(c.name, "full");
  EXPECT_EQ(c.backend, BackendKind::Cpu);
  EXPECT_EQ(c.precision, Precision::Double);
  EXPECT_EQ(c.lattice, LatticeKind::D3Q27);
  EXPECT_EQ(c.streaming, StreamingScheme::TwoLattice);
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.geometry.shape, ShapeKind::StenosedPipe);
  EXPECT_DOUBLE_EQ(c.geometry.cells_across, 12);
  EXPECT_TRUE(c.geometry.origin.isApprox(Eigen::Vector3d(1e-3, 2e-3, 3e-3)));
  EXPECT_TRUE(c.geometry.axis.isApprox(Eigen::Vector3d(0, 1, 0)));
  EXPECT_DOUBLE_EQ(c.geometry.length, 0.030);
  EXPECT_DOUBLE_EQ(c.geometry.diameter, 0.005);
  EXPECT_DOUBLE_EQ(c.geometry.stenosis_severity, 0.6);
  EXPECT_DOUBLE_EQ(c.geometry.stenosis_length, 0.008);
  EXPECT_DOUBLE_EQ(c.geometry.stenosis_position, 0.012);
  EXPECT_DOUBLE_EQ(c.blood.density, 1050);
  EXPECT_DOUBLE_EQ(c.blood.viscosity, 0.004);
  EXPECT_EQ(c.collision, CollisionModel::Trt);
  EXPECT_DOUBLE_EQ(c.trt_magic, 0.25);
  EXPECT_EQ(c.walls, WallMethod::BounceBack);
  EXPECT_EQ(c.driver, FlowDriver::Inlet);
  EXPECT_EQ(c.inlet.profile, InletProfile::Plug);
  // 2.5 mL/s through a 5 mm pipe.
  EXPECT_NEAR(c.inlet.mean_velocity, 2.5e-6 / (M_PI / 4 * 0.005 * 0.005), 1e-12);
  EXPECT_DOUBLE_EQ(c.inlet.amplitude, 0.4);
  EXPECT_DOUBLE_EQ(c.inlet.period, 0.9);
  EXPECT_DOUBLE_EQ(c.inlet.ramp, 0.05);
  EXPECT_NEAR(c.outlet.pressure, 80 * 133.322387415, 1e-9);
  EXPECT_DOUBLE_EQ(c.time.duration, 0.5);
  EXPECT_DOUBLE_EQ(c.time.time_step, 2e-5);
  EXPECT_EQ(c.output.directory, "out/full");
  EXPECT_DOUBLE_EQ(c.output.interval, 0.1);
  EXPECT_FALSE(c.output.hdf5);
  EXPECT_TRUE(c.output.vti);
  EXPECT_EQ(c.output.check_every, 50);
}

TEST(CaseFile, BodyForceChannelAndBox) {
  const Case ch = parse_case(R"(
[geometry]
shape = "channel"
axis = [0, 0, 1]
diameter_mm = 2
size_mm = [4, 4, 2]
[flow]
driver = "body_force"
[body_force]
gradient_pa_m = 100
oscillation_amplitude_pa_m = 50
period_s = 0.5
direction = [1, 0, 0]
[outlet]
pressure_pa = -5
[time]
duration_s = 1
max_mach = 0.05
)",
                             "ch.toml");
  EXPECT_EQ(ch.geometry.shape, ShapeKind::Channel);
  EXPECT_EQ(ch.driver, FlowDriver::BodyForce);
  EXPECT_DOUBLE_EQ(ch.body_force.gradient, 100);
  EXPECT_DOUBLE_EQ(ch.body_force.oscillation_amplitude, 50);
  EXPECT_DOUBLE_EQ(ch.body_force.period, 0.5);
  EXPECT_TRUE(ch.geometry.size.isApprox(Eigen::Vector3d(4e-3, 4e-3, 2e-3)));
  EXPECT_DOUBLE_EQ(ch.outlet.pressure, -5);
  EXPECT_DOUBLE_EQ(ch.time.max_mach, 0.05);

  const std::string box = R"(
[geometry]
shape = "box"
size_mm = [1, 2, 3]
[time]
duration_s = 1
)";
  EXPECT_NE(error_of(box).find("a closed box has no inlet"), std::string::npos) << error_of(box);
  EXPECT_EQ(error_of(box + "[flow]\ndriver = \"body_force\"\n[body_force]\ngradient_pa_m = 1\n"),
            "");
}

TEST(CaseFile, IntegerAcceptedWhereNumberExpected) {
  const Case c = parse_case(with("blood", "density_kg_m3 = 1000"), "c.toml");
  EXPECT_DOUBLE_EQ(c.blood.density, 1000.0);
}

TEST(CaseFile, UnknownKeyNamesFileLineAndNearestKey) {
  // Line 8: the misspelt key.
  const std::string text = with("inlet", "mean_velocty_m_s = 0.3");
  const std::string msg = error_of(text);
  EXPECT_TRUE(msg.starts_with("case.toml:8: ")) << msg;
  EXPECT_NE(msg.find("unknown key 'mean_velocty_m_s' in [inlet]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'mean_velocity_m_s'?"), std::string::npos) << msg;
  try {
    parse_case(text, "case.toml");
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "case.toml");
    EXPECT_EQ(e.line(), 8);
    EXPECT_EQ(e.key(), "inlet.mean_velocty_m_s");
  }
}

TEST(CaseFile, UnknownKeySuggestsKeyOfAnotherTable) {
  const std::string msg = error_of(with("time", "mean_velocity_m_s = 0.3"));
  EXPECT_NE(msg.find("did you mean [inlet] mean_velocity_m_s?"), std::string::npos) << msg;
  const std::string top = error_of("name = \"x\"\n" + minimal);
  EXPECT_TRUE(top.starts_with("case.toml:1: ")) << top;
  EXPECT_NE(top.find("at the top level; did you mean [case] name?"), std::string::npos) << top;
}

TEST(CaseFile, KeyWithoutUnitSuggestsTheKeyWithUnit) {
  const std::string msg = error_of(with("blood", "viscosity = 0.0035"));
  EXPECT_NE(msg.find("did you mean 'viscosity_pa_s'? (keys carry their unit in the name)"),
            std::string::npos)
      << msg;
  const std::string kpa = error_of(with("outlet", "pressure_kpa = 1"));
  EXPECT_NE(kpa.find("'pressure_pa' or 'pressure_mmhg'"), std::string::npos) << kpa;
}

TEST(CaseFile, UnknownTableIsRefused) {
  const std::string msg = error_of(minimal + "\n[inelt]\nramp_s = 0.1\n");
  EXPECT_TRUE(msg.starts_with("case.toml:13: ")) << msg;
  EXPECT_NE(msg.find("unknown table [inelt]; did you mean [inlet]?"), std::string::npos) << msg;
  const std::string nested = error_of(minimal + "\n[geometry.stenosys]\nseverity = 0.5\n");
  EXPECT_NE(nested.find("did you mean [geometry.stenosis]?"), std::string::npos) << nested;
  const std::string none = error_of(minimal + "\n[zzzzzzzzzz]\n");
  EXPECT_NE(none.find("valid tables: [case], [geometry]"), std::string::npos) << none;
}

TEST(CaseFile, FirstUnknownKeyInTheFileIsReported) {
  const std::string msg = error_of("zzz_b = 1\n" + with("inlet", "aaa_a = 2"));
  EXPECT_TRUE(msg.starts_with("case.toml:1: ")) << msg;
  EXPECT_NE(msg.find("(and 1 more unknown key)"), std::string::npos) << msg;
}

TEST(CaseFile, WrongTypeIsRefused) {
  const std::string msg = error_of(with("blood", "viscosity_pa_s = \"0.0035\""));
  EXPECT_TRUE(msg.starts_with("case.toml:")) << msg;
  EXPECT_NE(msg.find("key 'blood.viscosity_pa_s': expected a number, got the string \"0.0035\""),
            std::string::npos)
      << msg;
  EXPECT_NE(error_of(with("case", "threads = 2.5")).find("expected an integer"), std::string::npos);
  EXPECT_NE(error_of(with("output", "hdf5 = 1")).find("expected true or false"), std::string::npos);
  EXPECT_NE(error_of(with("case", "name = 3")).find("expected a string"), std::string::npos);
  EXPECT_NE(error_of("inlet = 3\n[geometry]\nshape=\"pipe\"").find("expected a table [inlet]"),
            std::string::npos);
  EXPECT_NE(error_of(minimal + "[[output]]\n").find("not [[output]]"), std::string::npos);
}

TEST(CaseFile, RangesAreChecked) {
  auto expect = [](const std::string& text, const std::string& part) {
    const std::string msg = error_of(text);
    EXPECT_NE(msg.find(part), std::string::npos) << "message: " << msg << "\nexpected: " << part;
  };
  expect(with("blood", "viscosity_pa_s = -0.0035"),
         "key 'blood.viscosity_pa_s': must lie in [0.0001, 10] Pa s, got -0.0035");
  expect(with("blood", "density_kg_m3 = 1.06"), "must lie in [500, 3000] kg/m³, got 1.06");
  // Finite but absurd: named as out of range, not as what it would break further on.
  std::string absurd = minimal;
  absurd.replace(absurd.find("= 0.2"), 5, "= 1e308");
  expect(absurd, "key 'inlet.mean_velocity_m_s': must lie in (0, 20] m/s, got 1e308");
  expect(with("geometry", "cells_across_diameter = 3"), "must lie in [4, 4096] cells, got 3");
  expect(with("geometry", "origin_mm = [1, 2]"), "expected an array of 3 numbers");
  expect(with("geometry", "axis = [1, \"y\", 0]"), "element 2 is the string \"y\"");
  expect(with("geometry", "axis = [0, 0, 0]"), "must be a non-zero vector");
  expect(with("inlet", "amplitude = -1"), "must lie in [0, 10], got -1");
  expect(with("inlet", "period_s = 0"), "must lie in (0, 100] s, got 0");
  expect(with("time", "max_mach = 0.5"), "must lie in (0, 0.1]");
  expect(with("time", "time_step_s = 1.0"), "is longer than time.duration_s");
  expect(with("output", "check_every = 0"), "must be >= 1, got 0");
  expect(with("blood", "viscosity_pa_s = nan"), "must be a finite number");
  std::string sten = minimal;
  sten.replace(sten.find("\"pipe\""), 6, "\"stenosed_pipe\"");
  expect(sten + "[geometry.stenosis]\nseverity = 0.96\nlength_mm = 5\n",
         "must lie in [0, 0.95], got 0.96");
  expect(sten + "[geometry.stenosis]\nseverity = 0.5\nlength_mm = 5\nposition_mm = 19\n",
         "must lie inside the pipe");
  expect(sten + "[geometry.stenosis]\nseverity = 0.5\n", "required key missing");
}

TEST(CaseFile, EnumValuesListTheValidOnes) {
  const std::string msg = error_of(with("case", "backend = \"cdua\""));
  EXPECT_NE(msg.find("invalid value \"cdua\"; valid values: \"auto\", \"cpu\", \"cuda\"; did you "
                     "mean \"cuda\"?"),
            std::string::npos)
      << msg;
  EXPECT_EQ(parse_case(with("case", "lattice = \"d3q27\""), "c.toml").lattice, LatticeKind::D3Q27);
  EXPECT_NE(error_of(with("walls", "method = \"magic\"")).find("\"bouzidi\", \"bounce_back\""),
            std::string::npos);
  const std::string aa = error_of(with("case", "streaming = \"AB\""));
  EXPECT_NE(aa.find("key 'case.streaming': invalid value \"AB\"; valid values: \"auto\", "
                    "\"two-lattice\", \"aa\""),
            std::string::npos)
      << aa;
}

TEST(CaseFile, RequiredKeysMustBePresent) {
  std::string no_duration = minimal.substr(0, minimal.find("[time]"));
  const std::string msg = error_of(no_duration);
  EXPECT_NE(msg.find("case.toml: key 'time.duration_s': required key missing"), std::string::npos)
      << msg;
  EXPECT_NE(error_of("[time]\nduration_s = 1\n").find("key 'geometry.shape': required key missing"),
            std::string::npos);
  std::string no_inflow = minimal;
  no_inflow.erase(no_inflow.find("mean_velocity_m_s"), 24);
  EXPECT_NE(error_of(no_inflow).find("inlet.flow_rate_ml_s"), std::string::npos)
      << error_of(no_inflow);
}

TEST(CaseFile, KeysThatExcludeEachOther) {
  EXPECT_NE(error_of(with("outlet", "pressure_pa = 1\npressure_mmhg = 2")).find("not both"),
            std::string::npos);
  EXPECT_NE(error_of(with("time", "time_step_s = 1e-5\nmax_mach = 0.05")).find("not both"),
            std::string::npos);
  EXPECT_NE(error_of(with("inlet", "flow_rate_ml_s = 1")).find("not both"), std::string::npos);
}

TEST(CaseFile, NotesForKeysThatDoNotApply) {
  std::vector<std::string> notes;
  parse_case(with("geometry", "size_mm = [1, 1, 1]") + "[geometry.stenosis]\nseverity = 0.3\n",
             "c.toml", {}, &notes);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find("geometry.size_mm is ignored"), std::string::npos) << notes[0];
  EXPECT_NE(notes[1].find("[geometry.stenosis] is ignored"), std::string::npos) << notes[1];
}

TEST(CaseFile, SyntaxErrorHasLineAndColumn) {
  const std::string msg = error_of(minimal + "[time\n");
  EXPECT_TRUE(std::regex_search(msg, std::regex("^case\\.toml:12:[0-9]+: "))) << msg;
  const std::string dup = error_of(with("inlet", "mean_velocity_m_s = 0.1"));
  EXPECT_TRUE(std::regex_search(dup, std::regex("^case\\.toml:9:[0-9]+: "))) << dup;
}

TEST(CaseFile, MissingFileNamesThePath) {
  try {
    load_case("/nonexistent/dir/case.toml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("case file not found: /nonexistent/dir/case.toml"),
              std::string::npos)
        << e.what();
  }
}

TEST(CaseFile, OverridesApplyBeforeValidation) {
  const Case c =
      parse_case(minimal, "c.toml",
                 {"inlet.mean_velocity_m_s=0.3", "case.backend=cpu", "case.precision=\"double\"",
                  "geometry.axis=[0,0,1]", "blood.viscosity_pa_s = 4e-3", "output.vti=true",
                  "time.time_step_s=.5e-5", "case.name=2024", "outlet.pressure_mmhg=10"});
  EXPECT_DOUBLE_EQ(c.inlet.mean_velocity, 0.3);
  EXPECT_EQ(c.backend, BackendKind::Cpu);
  EXPECT_EQ(c.precision, Precision::Double);
  EXPECT_TRUE(c.geometry.axis.isApprox(Eigen::Vector3d(0, 0, 1)));
  EXPECT_DOUBLE_EQ(c.blood.viscosity, 4e-3);
  EXPECT_TRUE(c.output.vti);
  EXPECT_DOUBLE_EQ(c.time.time_step, 0.5e-5);
  EXPECT_EQ(c.name, "2024");
  EXPECT_EQ(c.output.directory, "results/2024");
  EXPECT_NEAR(c.outlet.pressure, 1333.22387415, 1e-9);
  // The effective case is what was run.
  EXPECT_NE(c.source_text.find("mean_velocity_m_s = 0.3"), std::string::npos) << c.source_text;
  EXPECT_NE(c.source_text.find("--set inlet.mean_velocity_m_s=0.3"), std::string::npos);
  // An override replaces the key it excludes.
  std::string dt = with("time", "max_mach = 0.05");
  EXPECT_DOUBLE_EQ(parse_case(dt, "c.toml", {"time.time_step_s=1e-5"}).time.time_step, 1e-5);
}

TEST(CaseFile, BadOverridesNameTheOverride) {
  auto expect = [](const std::string& o, const std::string& part) {
    const std::string msg = error_of(minimal, {o});
    EXPECT_NE(msg.find(part), std::string::npos) << "message: " << msg << "\nexpected: " << part;
  };
  expect("inlet.mean_velocty_m_s=0.3",
         "--set inlet.mean_velocty_m_s: unknown key 'mean_velocty_m_s' in [inlet]; did you mean "
         "'mean_velocity_m_s'?");
  expect("inelt.ramp_s=0.1", "--set inelt.ramp_s: unknown table [inelt]; did you mean [inlet]?");
  expect("duration_s=1", "did you mean [time] duration_s?");
  expect("blood.viscosity_pa_s=-1",
         "--set blood.viscosity_pa_s: must lie in [0.0001, 10] Pa s, got -1");
  expect("blood.viscosity_pa_s=abc",
         "--set blood.viscosity_pa_s: expected a number, got the string \"abc\"");
  expect("case.backend=gpu", "--set case.backend: invalid value \"gpu\"");
  expect("inlet.mean_velocity_m_s", "--set inlet.mean_velocity_m_s: expected KEY=VALUE");
  expect("=3", "expected a dotted key path");
  expect("inlet=3", "[inlet] is a table");
  expect("time.duration_s=", "no value after '='");
}

TEST(CaseFile, ToTomlRoundTrips) {
  Case c = parse_case(
      with("geometry", "axis = [0, 1, 1]"), "c.toml",
      {"geometry.shape=stenosed_pipe", "geometry.stenosis.severity=0.4",
       "geometry.stenosis.length_mm=6", "outlet.pressure_mmhg=12", "time.time_step_s=1e-5"});
  std::vector<std::string> notes;
  const Case d = parse_case(to_toml(c), "again.toml", {}, &notes);
  EXPECT_TRUE(notes.empty()) << notes.front();
  EXPECT_EQ(d.name, c.name);
  EXPECT_EQ(d.geometry.shape, c.geometry.shape);
  EXPECT_NEAR(d.geometry.stenosis_severity, 0.4, 1e-15);
  EXPECT_NEAR(d.geometry.stenosis_length, c.geometry.stenosis_length, 1e-15);
  EXPECT_NEAR(d.geometry.stenosis_position, 0.010, 1e-15);
  EXPECT_TRUE(d.geometry.axis.isApprox(c.geometry.axis));
  EXPECT_NEAR(d.outlet.pressure, c.outlet.pressure, 1e-9);
  EXPECT_DOUBLE_EQ(d.time.time_step, 1e-5);
  EXPECT_EQ(d.output.directory, c.output.directory);
  EXPECT_EQ(to_toml(d), to_toml(c));
}

TEST(CaseFile, FileGeometries) {
  const std::string scan = R"(
[geometry]
shape = "scan"
file = "scans/cta.nii.gz"
spacing_mm = 0.25
extension_diameters = 2
inlets = ["opening2", "opening3"]
cut_points_mm = [[0, 3, 0], [12.7, 57.2, 0]]
cut_normals = [[0, -1, 0], [0.42, 0.91, 0]]
smoothing_mm = 0.3
[geometry.segmentation]
seeds_mm = [[1, 2, 3], [4.5, -5, 6]]
lower = 150
upper = 900
roi_min_mm = [-10, -20, -30]
roi_max_mm = [10, 20, 30]
smoothing_iterations = 3
series = 1
method = "sato"
vesselness_level = 0.1
sigma_min_mm = 0.4
sigma_max_mm = 3
level_set = true
barrier_radius_mm = 12
[inlet]
flow_rate_ml_s = 4.5
[time]
duration_s = 0.1
)";
  std::vector<std::string> notes;
  const Case c = parse_case(scan, "dir/scan.toml", {}, &notes);
  EXPECT_TRUE(notes.empty()) << notes.front();
  const auto& g = c.geometry;
  EXPECT_EQ(g.shape, ShapeKind::Scan);
  EXPECT_EQ(g.file, "scans/cta.nii.gz");
  EXPECT_DOUBLE_EQ(g.spacing, 0.25e-3);
  EXPECT_DOUBLE_EQ(g.extension, 2);
  EXPECT_EQ(g.inlets, (std::vector<std::string>{"opening2", "opening3"}));
  EXPECT_DOUBLE_EQ(g.smoothing, 0.3e-3);
  ASSERT_EQ(g.cut_points.size(), 2u);
  EXPECT_TRUE(g.cut_points[1].isApprox(Eigen::Vector3d(12.7e-3, 57.2e-3, 0)));
  EXPECT_TRUE(g.cut_normals[1].isApprox(Eigen::Vector3d(0.42, 0.91, 0)));
  ASSERT_EQ(g.seeds.size(), 2u);
  EXPECT_TRUE(g.seeds[1].isApprox(Eigen::Vector3d(4.5e-3, -5e-3, 6e-3)));
  EXPECT_TRUE(g.has_lower && g.has_upper && g.has_roi);
  EXPECT_DOUBLE_EQ(g.upper, 900);
  EXPECT_TRUE(g.roi_max.isApprox(Eigen::Vector3d(0.01, 0.02, 0.03)));
  EXPECT_EQ(g.smoothing_iterations, 3);
  EXPECT_EQ(g.series, 1);
  EXPECT_TRUE(g.vesselness && g.sato && g.level_set);
  EXPECT_DOUBLE_EQ(g.vesselness_level, 0.1);
  EXPECT_DOUBLE_EQ(g.sigma_min, 0.4e-3);
  EXPECT_DOUBLE_EQ(g.sigma_max, 3e-3);
  EXPECT_DOUBLE_EQ(g.barrier_radius, 12e-3);
  EXPECT_NEAR(c.inlet.flow_rate, 4.5e-6, 1e-18);  // shared by the inlets once they are found
  // Round trip.
  const Case d = parse_case(to_toml(c), "again.toml", {}, &notes);
  EXPECT_TRUE(notes.empty()) << notes.front();
  ASSERT_EQ(d.geometry.seeds.size(), 2u);
  EXPECT_TRUE(d.geometry.seeds[1].isApprox(g.seeds[1], 1e-14));
  EXPECT_TRUE(d.geometry.roi_min.isApprox(g.roi_min, 1e-14));
  EXPECT_EQ(d.geometry.inlets, g.inlets);
  EXPECT_TRUE(d.geometry.vesselness && d.geometry.sato && d.geometry.level_set);
  EXPECT_NEAR(d.geometry.sigma_max, 3e-3, 1e-15);
  ASSERT_EQ(d.geometry.cut_points.size(), 2u);
  EXPECT_TRUE(d.geometry.cut_points[1].isApprox(g.cut_points[1], 1e-14));
  EXPECT_TRUE(d.geometry.cut_normals[0].isApprox(g.cut_normals[0]));
  EXPECT_NEAR(d.inlet.flow_rate, 4.5e-6, 1e-18);

  // What a file geometry needs, and what it refuses.
  const std::string surface =
      "[geometry]\nshape = \"surface\"\n[inlet]\nmean_velocity_m_s = 0.1\n[time]\nduration_s = "
      "0.1\n";
  auto err = [&](const std::string& text, const std::vector<std::string>& o = {}) {
    try {
      parse_case(text, "case.toml", o);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(err(surface).find("key 'geometry.file': required key missing"), std::string::npos)
      << err(surface);
  EXPECT_EQ(err(surface, {"geometry.file=a.stl"}), "");
  EXPECT_NE(err(surface, {"geometry.file=a.stl", "geometry.shape=scan"})
                .find("geometry.segmentation.seeds_mm': required key missing"),
            std::string::npos);
  EXPECT_NE(err(surface, {"geometry.file=a.stl", "geometry.shape=scan",
                          "geometry.segmentation.seeds_mm=[[1, 2]]"})
                .find("expected an array of points [[x, y, z], ...], element 1"),
            std::string::npos);
  EXPECT_NE(err(surface, {"geometry.file=a.stl", "geometry.shape=scan",
                          "geometry.segmentation.seeds_mm=[[1, 2, 3]]",
                          "geometry.segmentation.roi_min_mm=[0, 0, 0]"})
                .find("needs both roi_min_mm and roi_max_mm"),
            std::string::npos);
  EXPECT_NE(err(surface, {"geometry.file=a.stl", "geometry.cut_points_mm=[[1, 2, 3]]"})
                .find("each cut needs a point (cut_points_mm) and a normal (cut_normals): got 1 "
                      "points and 0 normals"),
            std::string::npos);
  EXPECT_NE(err(surface, {"geometry.file=a.stl", "geometry.cut_points_mm=[[1, 2, 3]]",
                          "geometry.cut_normals=[[0, 0, 0]]"})
                .find("normal 1 is zero"),
            std::string::npos);
  EXPECT_NE(err(surface, {"geometry.file=a.stl", "geometry.inlets=[1]"})
                .find("expected an array of strings, element 1 is"),
            std::string::npos);
  EXPECT_NE(
      err(surface, {"geometry.file=a.stl", "flow.driver=body_force", "body_force.gradient_pa_m=1"})
          .find("driven through its openings"),
      std::string::npos);
  // Keys of file geometries on an analytic shape, and the reverse, are noted.
  std::vector<std::string> n2;
  parse_case(surface, "case.toml", {"geometry.file=a.stl", "geometry.length_mm=4"}, &n2);
  ASSERT_EQ(n2.size(), 1u);
  EXPECT_NE(n2[0].find("geometry.length_mm is ignored"), std::string::npos) << n2[0];
}

TEST(CaseFile, InflowWaveformFromAFile) {
  const auto dir = std::filesystem::temp_directory_path() / "hemotwin-case-waveform";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "q.dat") << "# t (s)  Q (mL/s)\n0 4\n0.2 9\n0.4 6\n0.6 5\n0.8 4\n";
  std::ofstream(dir / "back.dat") << "0 4\n0.2 9\n0.1 6\n0.8 4\n";
  auto with_waveform = [&](const std::string& extra) {
    std::string t = minimal;
    const auto at = t.find("mean_velocity_m_s");
    t.replace(at, t.find('\n', at) - at,
              "waveform_file = \"q.dat\"\nwaveform_unit = \"ml_s\"" + extra);
    return t;
  };
  const Case c = parse_case(with_waveform(""), (dir / "case.toml").string());
  EXPECT_DOUBLE_EQ(c.inlet.period, 0.8);
  ASSERT_EQ(c.inlet.waveform_time.size(), 5u);  // four samples and the closing one
  EXPECT_NEAR(c.inlet.waveform_flow[1], 9e-6, 1e-18);
  EXPECT_EQ(to_toml(c).find("amplitude"), std::string::npos);
  EXPECT_NE(to_toml(c).find("waveform_file = \"q.dat\""), std::string::npos);
  // A period that does not match, a file that goes back in time, both inflows: refused.
  auto error = [&](const std::string& t) {
    try {
      parse_case(t, (dir / "case.toml").string());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  std::string msg = error(with_waveform("\nperiod_s = 1.0"));
  EXPECT_NE(msg.find("key 'inlet.waveform_file'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("q.dat:6: the waveform spans 0.800000 s"), std::string::npos) << msg;
  std::string back = with_waveform("");
  back.replace(back.find("q.dat"), 5, "back.dat");
  msg = error(back);
  EXPECT_NE(msg.find("back.dat:3: time 0.1 s does not follow"), std::string::npos) << msg;
  msg = error(with_waveform("\nflow_rate_ml_s = 5"));
  EXPECT_NE(msg.find("set either inlet.flow_rate_ml_s or inlet.waveform_file"), std::string::npos)
      << msg;
}

TEST(CaseFile, OutletModelsPerOutlet) {
  const auto dir = std::filesystem::temp_directory_path() / "hemotwin-case-outlets";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "p.dat") << "0 80\n0.3 120\n0.6 95\n1 80\n";
  const std::string text = minimal + R"(
[flow]
reference_pressure_mmhg = 90

[outlet]
model = "windkessel"
r1_pa_s_m3 = 2.4875e8
r2_pa_s_m3 = 1.8697e9
compliance_m3_pa = 1.7529e-10
pressure_mmhg = 5

[outlets.opening3]
model = "resistance"
resistance_pa_s_m3 = 3e9
sponge_diameters = 2
sponge_viscosity_ratio = 30

[outlets.opening4]
model = "flow_split"
flow_fraction = 0.3

[outlets.opening5]
model = "pressure"
pressure_file = "p.dat"
pressure_unit = "mmhg"
)";
  const auto file = (dir / "case.toml").string();
  std::vector<std::string> notes;
  const Case c = parse_case(text, file, {"outlets.opening2.r2_pa_s_m3=2e9"}, &notes);
  EXPECT_NEAR(c.reference_pressure, 90 * pascal_per_mmhg, 1e-9);
  EXPECT_EQ(c.outlet.model, OutletModel::Windkessel);
  EXPECT_DOUBLE_EQ(c.outlet.resistance, 2.4875e8);
  EXPECT_DOUBLE_EQ(c.outlet.compliance, 1.7529e-10);
  EXPECT_NEAR(c.outlet.pressure, 5 * pascal_per_mmhg, 1e-9);
  ASSERT_EQ(c.outlets.size(), 4u);
  const OutletSpec& o2 = outlet_spec(c, "opening2");  // from the override, the rest from [outlet]
  EXPECT_EQ(o2.model, OutletModel::Windkessel);
  EXPECT_DOUBLE_EQ(o2.distal_resistance, 2e9);
  EXPECT_DOUBLE_EQ(o2.compliance, 1.7529e-10);
  EXPECT_EQ(outlet_spec(c, "opening3").model, OutletModel::Resistance);
  EXPECT_DOUBLE_EQ(outlet_spec(c, "opening3").resistance, 3e9);
  EXPECT_DOUBLE_EQ(outlet_spec(c, "opening3").sponge_diameters, 2);
  EXPECT_DOUBLE_EQ(outlet_spec(c, "opening3").sponge_viscosity_ratio, 30);
  EXPECT_DOUBLE_EQ(outlet_spec(c, "opening2").sponge_diameters, 0);  // none unless asked for
  EXPECT_DOUBLE_EQ(outlet_spec(c, "opening4").flow_fraction, 0.3);
  const OutletSpec& o5 = outlet_spec(c, "opening5");
  ASSERT_EQ(o5.pressure_time.size(), 4u);
  EXPECT_NEAR(o5.pressure_value[1], 120 * pascal_per_mmhg, 1e-9);
  EXPECT_EQ(&outlet_spec(c, "opening9"), &c.outlet);
  // Written out and read back: the same outlets.
  const Case d = parse_case(to_toml(c), file, {}, &notes);
  ASSERT_EQ(d.outlets.size(), 4u);
  EXPECT_DOUBLE_EQ(outlet_spec(d, "opening2").distal_resistance, 2e9);
  EXPECT_EQ(outlet_spec(d, "opening4").model, OutletModel::FlowSplit);
  EXPECT_DOUBLE_EQ(outlet_spec(d, "opening3").sponge_diameters, 2);
  EXPECT_DOUBLE_EQ(outlet_spec(d, "opening3").sponge_viscosity_ratio, 30);
  EXPECT_NEAR(d.reference_pressure, c.reference_pressure, 1e-9);

  // Bad outlets: each refused with the file, line and what is valid.
  auto error = [&](const std::string& t) {
    try {
      parse_case(t, file);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  std::string msg = error(minimal + "\n[outlet]\nmodel = \"windkessel\"\nr1_pa_s_m3 = 1e8\n");
  EXPECT_NE(msg.find("key 'outlet.r2_pa_s_m3': required key missing: model = \"windkessel\" needs "
                     "the distal resistance R2"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("case.toml:13:"), std::string::npos) << msg;  // the [outlet] table's line
  msg = error(minimal + "\n[outlets.opening2]\nmodel = \"resistance\"\nresistance_pa_s_m3 = -3\n");
  EXPECT_NE(msg.find("case.toml:15: key 'outlets.opening2.resistance_pa_s_m3': must lie in (0, "
                     "1e14] Pa s/m³, got -3"),
            std::string::npos)
      << msg;
  msg = error(minimal + "\n[outlets.opening2]\nmodel = \"flow_split\"\nflow_fraction = 1.5\n");
  EXPECT_NE(msg.find("must lie in (0, 1), got 1.5"), std::string::npos) << msg;
  msg =
      error(minimal + "\n[outlets.opening2]\nsponge_diameters = 2\nsponge_viscosity_ratio = 0.5\n");
  EXPECT_NE(
      msg.find("key 'outlets.opening2.sponge_viscosity_ratio': must lie in [1, 1000], got 0.5"),
      std::string::npos)
      << msg;
  msg = error(minimal + "\n[outlets.opening2]\nr2 = 3\n");
  EXPECT_NE(msg.find("unknown key 'r2' in [outlets.opening2]; did you mean 'r2_pa_s_m3'?"),
            std::string::npos)
      << msg;
  msg = error(minimal + "\n[outlet]\nmodel = \"rcr\"\n");
  EXPECT_NE(msg.find("valid values: \"pressure\", \"resistance\", \"windkessel\", \"flow_split\""),
            std::string::npos)
      << msg;
  std::filesystem::remove_all(dir);
}

TEST(CaseFile, BloodRheologyAndTurbulence) {
  std::vector<std::string> notes;
  const Case c =
      parse_case(with("blood", "model = \"carreau_yasuda\"\nrelaxation_time_s = 1.5") +
                     "\n[turbulence]\nmodel = \"smagorinsky\"\nsmagorinsky_constant = 0.15\n",
                 "c.toml", {}, &notes);
  EXPECT_EQ(c.blood.model, RheologyModel::CarreauYasuda);
  EXPECT_DOUBLE_EQ(c.blood.relaxation_time, 1.5);
  EXPECT_DOUBLE_EQ(c.blood.zero_shear_viscosity, 0.056);  // Cho & Kensey's
  EXPECT_TRUE(c.turbulence.smagorinsky);
  EXPECT_DOUBLE_EQ(c.turbulence.constant, 0.15);
  const Case d = parse_case(to_toml(c), "again.toml", {}, &notes);
  EXPECT_EQ(d.blood.model, RheologyModel::CarreauYasuda);
  EXPECT_DOUBLE_EQ(d.blood.relaxation_time, 1.5);
  EXPECT_TRUE(d.turbulence.smagorinsky);
  // Out of range, missing, inconsistent: refused with the line and what is valid.
  std::string msg = error_of(with("blood", "model = \"carreau_yasuda\"\npower_index = 2"));
  EXPECT_NE(msg.find("key 'blood.power_index': must lie in (0, 1.5], got 2"), std::string::npos)
      << msg;
  msg = error_of(with("blood", "model = \"power_law\"\npower_index = 0.7"));
  EXPECT_NE(msg.find("key 'blood.consistency_pa_sn': required key missing"), std::string::npos)
      << msg;
  msg = error_of(with("blood", "model = \"casson\"\nmax_viscosity_pa_s = 0.001"));
  EXPECT_NE(msg.find("must be at least the smallest (0.00345 Pa s)"), std::string::npos) << msg;
  msg = error_of(with("blood", "relaxation_time_s = -3"));
  EXPECT_NE(msg.find("must lie in (0, 1000] s, got -3"), std::string::npos) << msg;
  msg = error_of(with("turbulence", "model = \"smagorinsky\"\nsmagorinsky_constant = 2"));
  EXPECT_NE(msg.find("must lie in (0, 0.5], got 2"), std::string::npos) << msg;
  notes.clear();
  parse_case(with("blood", "relaxation_time_s = 2"), "c.toml", {}, &notes);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("blood.relaxation_time_s is ignored"), std::string::npos) << notes[0];
}

TEST(CaseFile, CardiacCycles) {
  std::string text = minimal;
  text.replace(text.find("duration_s = 0.1"), 16, "cycles = 3\ncycle_tolerance = 0.01");
  text.replace(text.find("mean_velocity_m_s = 0.2"), 23,
               "mean_velocity_m_s = 0.2\namplitude = 0.5\nperiod_s = 0.8");
  const Case c = parse_case(text, "c.toml");
  EXPECT_EQ(c.time.cycles, 3);
  EXPECT_DOUBLE_EQ(c.time.duration, 2.4);
  EXPECT_DOUBLE_EQ(c.time.cycle_tolerance, 0.01);
  const Case d = parse_case(to_toml(c), "again.toml");
  EXPECT_EQ(d.time.cycles, 3);
  EXPECT_DOUBLE_EQ(d.time.duration, 2.4);
  std::string steady = minimal;
  steady.replace(steady.find("duration_s = 0.1"), 16, "cycles = 3");
  EXPECT_NE(error_of(steady).find("cycles need a pulsatile flow"), std::string::npos)
      << error_of(steady);
  std::string both = text;
  both.insert(both.find("cycles = 3"), "duration_s = 1\n");
  EXPECT_NE(error_of(both).find("set either time.duration_s or time.cycles"), std::string::npos)
      << error_of(both);
  EXPECT_NE(error_of(with("time", "cycle_tolerance = 0.01")).find("needs time.cycles"),
            std::string::npos);
}

TEST(CaseFile, LocateErrorPlacesCoreErrorsAtTheKey) {
  const auto dir = std::filesystem::temp_directory_path() / "hemotwin_test_locate";
  std::filesystem::create_directories(dir);
  const auto file = (dir / "c.toml").string();
  std::ofstream(file) << with("time", "time_step_s = 1e-5");
  const Error core("tau too small", file, "time.time_step_s");
  const Error placed = locate_error(core);
  EXPECT_EQ(std::string(placed.what()), file + ":11: key 'time.time_step_s': tau too small");
  const Error twice(core.what(), file, "time.time_step_s");  // a re-thrown one
  EXPECT_EQ(std::string(locate_error(twice).what()), placed.what());
  EXPECT_EQ(std::string(locate_error(core, {"time.time_step_s=1e-6"}).what()),
            "--set time.time_step_s: tau too small");
  const Error message_only(file + ": key 'time.time_step_s': tau too small");  // no file(), key()
  EXPECT_EQ(std::string(locate_error(message_only, {}, file).what()), placed.what());
  EXPECT_EQ(std::string(locate_error(message_only).what()), message_only.what());  // no case file
  const Error absent("x", file, "case.backend");  // key not in the file: no line to give
  EXPECT_EQ(std::string(locate_error(absent).what()), file + ": key 'case.backend': x");
  std::filesystem::remove_all(dir);
}

TEST(CaseFile, WindkesselSplitFromTheWholeOutflow) {
  const std::string text = minimal + R"(
[outlet]
model = "windkessel"
total_resistance_pa_s_m3 = 1.2e8
total_compliance_m3_pa = 8e-10
proximal_fraction = 0.08
murray_exponent = 2.5

[outlets.opening3]
r1_pa_s_m3 = 1e7
r2_pa_s_m3 = 2e8
compliance_m3_pa = 1e-10

[outlets.opening4]
sponge_diameters = 1
)";
  const Case c = parse_case(text, "case.toml");
  EXPECT_DOUBLE_EQ(c.outlet.total_resistance, 1.2e8);
  EXPECT_DOUBLE_EQ(c.outlet.total_compliance, 8e-10);
  EXPECT_DOUBLE_EQ(c.outlet.proximal_fraction, 0.08);
  EXPECT_DOUBLE_EQ(c.outlet.murray_exponent, 2.5);
  // An outlet with its own R1, R2, C leaves the split; one that sets something else stays in it.
  EXPECT_EQ(outlet_spec(c, "opening3").total_resistance, 0);
  EXPECT_DOUBLE_EQ(outlet_spec(c, "opening4").total_resistance, 1.2e8);
  const Case d = parse_case(to_toml(c), "case.toml");  // written out and read back
  EXPECT_DOUBLE_EQ(d.outlet.total_resistance, 1.2e8);
  EXPECT_DOUBLE_EQ(outlet_spec(d, "opening4").total_resistance, 1.2e8);
  EXPECT_DOUBLE_EQ(outlet_spec(d, "opening3").distal_resistance, 2e8);
  // Both ways at once, or a total without its compliance, are refused naming the key.
  EXPECT_NE(error_of(with("outlet",
                          "model = \"windkessel\"\ntotal_resistance_pa_s_m3 = 1e8\n"
                          "total_compliance_m3_pa = 1e-9\nr2_pa_s_m3 = 1e8"))
                .find("outlet.total_resistance_pa_s_m3"),
            std::string::npos);
  EXPECT_NE(error_of(with("outlet", "model = \"windkessel\"\ntotal_resistance_pa_s_m3 = 1e8"))
                .find("outlet.total_compliance_m3_pa"),
            std::string::npos);
  EXPECT_NE(error_of(with("outlet", "murray_exponent = 7")).find("outlet.murray_exponent"),
            std::string::npos);
}

TEST(CaseFile, SurfaceFileUnit) {
  const std::string surface = R"(
[geometry]
shape = "surface"
file = "wall.stl"
file_unit = "m"

[inlet]
mean_velocity_m_s = 0.2

[time]
duration_s = 0.1
)";
  EXPECT_DOUBLE_EQ(parse_case(surface, "case.toml").geometry.file_unit, 1000);
  const Case back = parse_case(to_toml(parse_case(surface, "case.toml")), "case.toml");
  EXPECT_DOUBLE_EQ(back.geometry.file_unit, 1000);
  std::string cm = surface;
  cm.replace(cm.find("\"m\""), 3, "\"cm\"");
  EXPECT_DOUBLE_EQ(parse_case(cm, "case.toml").geometry.file_unit, 10);
  std::string inches = surface;
  inches.replace(inches.find("\"m\""), 3, "\"in\"");
  EXPECT_NE(error_of(inches).find("geometry.file_unit"), std::string::npos);
  std::string labels = surface;
  labels.replace(labels.find("\"surface\""), 9, "\"label_map\"");
  const std::string e = error_of(labels);
  EXPECT_NE(e.find("geometry.file_unit"), std::string::npos) << e;
  EXPECT_NE(e.find("header"), std::string::npos) << e;
}

TEST(CaseFile, EditDistance) {
  EXPECT_EQ(edit_distance("", "abc"), 3);
  EXPECT_EQ(edit_distance("length", "lenght"), 1);  // transposition
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
}

TEST(CaseFile, ExampleAndDocsCoverEveryKey) {
  const std::filesystem::path src = HEMOTWIN_SOURCE_DIR;
  const Case demo = load_case(src / "examples/cases/stenosis.toml");
  EXPECT_EQ(demo.geometry.shape, ShapeKind::StenosedPipe);
  std::ifstream doc(src / "docs/case-file.md");
  ASSERT_TRUE(doc) << "docs/case-file.md missing";
  std::stringstream text;
  text << doc.rdbuf();
  for (const auto& key : case_file_keys()) {
    const auto leaf = key.substr(key.rfind('.') + 1);
    EXPECT_NE(text.str().find("`" + leaf + "`"), std::string::npos) << key << " is not documented";
  }
}

}  // namespace
}  // namespace hemotwin::io
