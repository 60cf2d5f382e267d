// The phantom stenosis series (50, 70 and 90 % diameter reduction, cosine-shaped, 2 diameters long,
// in a 4 mm vessel) run through the whole chain: a case with proximal and distal sections, run to
// a results directory, read back, and analysed. Checked against the reduced-order model of Young
// & Tsai (viscous term integrated along the cosine profile, docs/analysis.md) within 25 %, and
// the virtual FFR falls as the stenosis tightens.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <numbers>

#include "hemotwin/analysis/flow_metrics.hpp"
#include "hemotwin/core/case.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/results_reader.hpp"
#include "hemotwin/io/run.hpp"

namespace hemotwin::analysis {
namespace {

namespace fs = std::filesystem;
constexpr double pi = std::numbers::pi;

constexpr double D = 0.004, L = 12 * D, Ls = 2 * D, throat_at = 4 * D;
constexpr double proximal_at = throat_at - Ls / 2 - D;    // 1 D upstream of the narrowing
constexpr double distal_at = throat_at + Ls / 2 + 5 * D;  // 5 D downstream: pressure recovered
constexpr double mu = 0.0035, rho = 1060;

struct Series {
  double severity;
  double reynolds;  // of the unobstructed vessel, U D / nu
  int cells;        // across D
  CollisionModel collision;
  double duration;   // s
  double time_step;  // s; 0: from max_mach
};

Case stenosis_case(const Series& r) {
  Case c;
  c.name = "stenosis-" + std::to_string(int(std::lround(100 * r.severity)));
  c.backend = BackendKind::Cpu;
  c.collision = r.collision;
  c.geometry.shape = ShapeKind::StenosedPipe;
  c.geometry.diameter = D;
  c.geometry.length = L;
  c.geometry.cells_across = r.cells;
  c.geometry.stenosis_severity = r.severity;
  c.geometry.stenosis_length = Ls;
  c.geometry.stenosis_position = throat_at;
  c.blood.viscosity = mu;
  c.blood.density = rho;
  c.inlet.mean_velocity = r.reynolds * mu / rho / D;
  c.outlet.pressure = 0;
  c.sections = {{"proximal", {proximal_at, 0, 0}, {1, 0, 0}, 0},
                {"distal", {distal_at, 0, 0}, {1, 0, 0}, 0}};
  c.time.duration = r.duration;
  c.time.time_step = r.time_step;
  c.output.check_every = 100;
  c.output.interval = 0;
  return c;
}

struct Outcome {
  double u = 0;         // m/s, inflow mean velocity
  double drop = 0;      // Pa, mean proximal - distal over the last 15 % of the run
  double stenosis = 0;  // Pa, the drop less Poiseuille's loss over the straight parts between
  double model = 0;     // Pa, Young & Tsai with the integrated viscous term
  double ffr = 0;       // against a mean aortic pressure of 93 mmHg
  double section_flow_error = 0;  // the distal section's mean flow against the inflow
};

Outcome run(const Series& r) {
  const fs::path dir =
      fs::temp_directory_path() / ("hemotwin-stenosis-series-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(int(std::lround(100 * r.severity))));
  const Case c = stenosis_case(r);
  io::run_case(c, dir);
  const io::ResultsData data = io::read_results(dir / "results.h5");
  FlowMetricsOptions o;
  o.proximal = "proximal";
  o.distal = "distal";
  o.aortic_pressure = 93 * io::pascal_per_mmhg;
  o.window_start = 0.85 * r.duration;  // the settled end of the run
  const FlowMetrics m = flow_metrics(data, o);
  fs::remove_all(dir);

  Outcome out;
  out.u = c.inlet.mean_velocity;
  out.drop = m.drop->mean_drop;
  out.ffr = m.drop->ffr;
  out.stenosis = out.drop - 32 * mu * out.u * (distal_at - proximal_at - Ls) / (D * D);
  StenosisGeometry g{D, D * (1 - r.severity), Ls, {}, {}};
  for (int i = 0; i <= 2000; ++i) {
    const double s = Ls * i / 2000;
    g.s.push_back(s);
    g.radius.push_back(0.5 * D *
                       (1 - 0.5 * r.severity * (1 + std::cos(2 * pi * (s - Ls / 2) / Ls))));
  }
  out.model = young_tsai(g, out.u, mu, rho).total();
  // Young & Tsai's own blunt-plug K_v, for comparison only (docs/validation.md).
  const double blunt = young_tsai({D, D * (1 - r.severity), Ls, {}, {}}, out.u, mu, rho).total();
  const double q_in = m.plane("inlet0").mean_flow;
  out.section_flow_error = m.plane("distal").mean_flow / q_in - 1;
  std::printf(
      "severity %.0f %%, Re %.0f, %d cells across: U %.4g m/s, drop %.4g Pa, stenosis %.4g Pa, "
      "Young-Tsai %.4g Pa (ratio %.3f; blunt-plug K_v %.4g Pa, ratio %.3f), FFR %.4f, distal flow "
      "%+.2f %%\n",
      100 * r.severity, r.reynolds, r.cells, out.u, out.drop, out.stenosis, out.model,
      out.stenosis / out.model, blunt, out.stenosis / blunt, out.ffr, 100 * out.section_flow_error);
  return out;
}

TEST(StenosisSeries, PressureDropsAgreeWithYoungTsaiAtModerateReynoldsNumbers) {
  // 50 % at Re 60 (throat Re 120) and 70 % at Re 30 (throat Re 100): as fast as the Mach and tau
  // limits allow at 20 cells across (tau 0.507 and 0.505). Each runs until its drop has settled
  // within about 1 % (0.57 and 0.24 s). The 50 % case needs the regularized collision: TRT at
  // tau 0.507 diverges at the inlet (the instability noted in docs/validation.md).
  for (const Series& r : {Series{0.5, 60, 20, CollisionModel::Regularized, 0.6, 0},
                          Series{0.7, 30, 20, CollisionModel::Trt, 0.3, 0}}) {
    const Outcome o = run(r);
    EXPECT_NEAR(o.stenosis / o.model, 1.0, 0.25) << "severity " << r.severity;
    EXPECT_NEAR(o.section_flow_error, 0.0, 0.01) << "severity " << r.severity;
  }
}

TEST(StenosisSeries, VirtualFfrFallsAsTheStenosisTightens) {
  // 50, 70 and 90 % at one flow (Re 2, 0.0017 m/s) and one time step (that of the 90 % throat,
  // 2.4 cells across at 24 cells across the vessel): the stenosis' drop grows 4-fold, then
  // 45-fold, each within 25 % of Young & Tsai. At this flow the drops are small
  // (FFR near 1 even at 90 %): a clinical flow through a 90 % throat needs some 60 cells across
  // the vessel, a GPU's work (docs/validation.md).
  double last_ffr = 1.0, last_stenosis = 0.0;
  for (double severity : {0.5, 0.7, 0.9}) {
    const Outcome o = run(Series{severity, 2, 24, CollisionModel::Trt, 0.4, 2.9142e-5});
    EXPECT_NEAR(o.stenosis / o.model, 1.0, 0.25) << "severity " << severity;
    EXPECT_NEAR(o.section_flow_error, 0.0, 0.03) << "severity " << severity;
    EXPECT_LT(o.ffr, last_ffr) << "severity " << severity;
    EXPECT_GT(o.stenosis, 3 * last_stenosis) << "severity " << severity;
    last_ffr = o.ffr;
    last_stenosis = o.stenosis;
  }
}

}  // namespace
}  // namespace hemotwin::analysis
