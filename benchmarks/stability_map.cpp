// The stability map: for each collision model and wall method, the lowest relaxation time that
// stays stable and accurate, against the Mach number of the flow's peak, on two flows:
//
//   jet     a stenotic jet: a pipe 16 cells across along (1, 0.4, 0.2), 8 diameters long, with a
//           50 % (diameter) cosine stenosis two diameters long centred three diameters from the
//           parabolic inlet; pressure outlet. The throat's parabolic peak is 8 times the inlet's
//           mean velocity: the inflow is set so that it runs at the Mach number asked for.
//   vessel  a patient's internal carotid artery (../shared/data/vampy, AneuRisk C0015), 16 cells
//           across its inlet, one diameter of flow extension at its three openings, parabolic
//           inflow, pressure outlets. Its peak over its inflow's mean is measured first (a run at
//           tau 0.6) and the inflow set from it. Its inflow rises over a quarter flow-through
//           (half cosine), as cases ramp theirs: started at once, the artery's start-up wave
//           diverged every model below tau ~0.509. The jet starts at once (a harsher test).
//
// A trial runs 1.5 flow-throughs of the domain at the inlet's mean velocity (float, CPU, two
// threads by default). It passes when no cell turns non-finite, the fastest cell stays under 2.5
// times the expected peak and 0.5, and the outflow averaged over the last half flow-through is
// within 1 % of the inflow. For each (model, walls, Mach, flow) the floor is bisected in
// log(tau - 1/2) between 1e-5 and 0.1 (6 halvings: the floor to a factor 1.25 in tau - 1/2; the
// table gives the lowest tau that passed). Then, at each model's floor for the jet at Mach 0.1,
// Womersley flow (alpha 4, a periodic pipe 10 cells across, Bouzidi walls) says what accuracy
// the model keeps there.
//
//   build/benchmarks/stability_map                      # everything: several hours on 2 cores
//   build/benchmarks/stability_map --flow jet --models cumulant --mach 0.1
//   build/benchmarks/stability_map --models cumulant,kbc --womersley-at 0.50116  # accuracy only
//   build/benchmarks/stability_map --list               # the models
//
// Output: one line per floor, then a markdown table (docs/validation.md, "Stability map"), and
// the C++ table that src/core/stability.cpp holds.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <numbers>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/womersley.hpp"
#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/geometry/surface_shape.hpp"

using namespace hemotwin;
namespace fs = std::filesystem;

namespace {

const double kCs = 1 / std::sqrt(3.0);

struct Model {
  const char* name;
  CollisionModel collision;
  bool q27, les;
  WallMethod walls;
};

const Model kModels[] = {
    {"bgk", CollisionModel::Bgk, false, false, WallMethod::Bouzidi},
    {"trt", CollisionModel::Trt, false, false, WallMethod::Bouzidi},
    {"trt_bounce_back", CollisionModel::Trt, false, false, WallMethod::BounceBack},
    {"bgk_les", CollisionModel::Bgk, false, true, WallMethod::Bouzidi},
    {"regularized", CollisionModel::Regularized, false, false, WallMethod::Bouzidi},
    {"regularized_les", CollisionModel::Regularized, false, true, WallMethod::Bouzidi},
    {"cumulant", CollisionModel::Cumulant, true, false, WallMethod::Bouzidi},
    {"cumulant_bounce_back", CollisionModel::Cumulant, true, false, WallMethod::BounceBack},
    {"cumulant_les", CollisionModel::Cumulant, true, true, WallMethod::Bouzidi},
    {"kbc", CollisionModel::Kbc, true, false, WallMethod::Bouzidi},
    {"kbc_les", CollisionModel::Kbc, true, true, WallMethod::Bouzidi},
};

struct Flow {
  std::string name;
  DomainSpec spec;
  double length = 0;          // cells, for the flow-through time
  double peak_over_mean = 0;  // the fastest speed over the inlet's mean velocity
  double ramp = 0;            // flow-throughs over which the inflow rises (half cosine); 0: at once
};

Flow jet_flow() {
  const double D = 16, R = 0.5 * D, len = 8 * D;
  const Vec3 axis = Vec3(1, 0.4, 0.2).normalized(), start(4, 4, 4);
  auto pipe = std::make_shared<PipeShape>(start, axis, R, len);
  pipe->with_stenosis(0.5, 3 * D, 2 * D).unbounded_length(true);
  Flow f;
  f.name = "jet";
  f.spec = DomainSpec::around(std::make_shared<PipeShape>(start, axis, R, len), 1.0, 3);
  f.spec.shape = pipe;
  f.spec.iolets = {{"inlet", IoletKind::VelocityInlet, start, -axis, true, R},
                   {"outlet", IoletKind::PressureOutlet, start + len * axis, axis, false, R}};
  f.length = len;
  f.peak_over_mean = 8;  // the throat's parabolic peak: 2 x the area ratio 4
  return f;
}

std::optional<Flow> vessel_flow(const fs::path& data) {
  const fs::path file = data / "vampy" / "models_artery_artery.vtp";
  if (!fs::exists(file)) {
    std::printf("vessel: %s is absent; skipped\n", file.c_str());
    return std::nullopt;
  }
  const TriangleMesh artery = read_surface(file);
  auto open = find_openings(artery);
  for (auto& o : open) o.extension = 1.0;
  const double dx = 2 * open[0].radius / 16;  // 16 cells across the inlet (the largest opening)
  Flow f;
  f.name = "vessel";
  f.spec = surface_domain(close_openings(artery, open), dx);
  // Lengths in cells: the centres of the inlet and the farthest outlet, plus the extensions.
  double far = 0;
  for (const auto& o : open) far = std::max(far, (o.centre - open[0].centre).norm());
  f.length = (far + 4 * open[0].radius) / dx;
  // Started at once, the artery's start-up wave diverged every model below tau ~0.509 within a
  // few hundred steps; cases ramp their inflow (inlet.ramp_s), and so does this trial.
  f.ramp = 0.25;
  return f;
}

template <class L>
EngineOptions options_for(const Model& m, double tau) {
  EngineOptions o{BackendKind::Cpu, m.collision, tau, 3.0 / 16, m.walls};
  if (m.les) {
    o.viscosity.les = 3 * 0.1 * 0.1;  // Smagorinsky, C_s = 0.1
    o.viscosity.tau_min = tau;
    o.viscosity.tau_max = 100;
  }
  return o;
}

struct Trial {
  bool passed = false;
  std::string why;
  double max_speed = 0, balance = 0;
  std::int64_t steps = 0;
};

// Runs a flow at (tau, inlet mean velocity u_in) and says whether it passed.
template <class L>
Trial run_trial(const Flow& f, const Model& m, double tau, double u_in, double expected_peak) {
  Engine<float, L> e(f.spec, options_for<L>(m, tau));
  std::vector<double> values(f.spec.iolets.size(), 1.0);
  const std::int64_t through = std::int64_t(f.length / u_in);
  const std::int64_t ramp = std::int64_t(f.ramp * double(through));
  const auto inflow = [&](std::int64_t step) {
    values[0] = step >= ramp ? u_in : u_in * 0.5 * (1 - std::cos(std::numbers::pi * step / ramp));
    e.set_iolet_values(values);
  };
  inflow(0);
  const std::int64_t total = through * 3 / 2, average_from = total - through / 2;
  Trial t;
  double in = 0, out = 0;
  int samples = 0;
  const int every = 200;
  while (e.steps() < total) {
    if (e.steps() < ramp)
      for (int k = 0; k < every; k += 10) {
        e.run(10);
        inflow(e.steps());
      }
    else
      e.run(every);
    const LatticeDiagnostics d = e.diagnostics();
    t.steps = e.steps();
    if (d.bad_cell >= 0) {
      t.why = "non-finite at step " + std::to_string(e.steps());
      return t;
    }
    t.max_speed = std::max(t.max_speed, d.max_speed);
    if (!(d.max_speed < 0.5 && d.max_speed < 2.5 * expected_peak)) {
      t.why = "speed " + std::to_string(d.max_speed) + " at step " + std::to_string(e.steps());
      return t;
    }
    if (e.steps() > average_from) {
      in += d.iolet_flow[0];
      for (std::size_t k = 1; k < d.iolet_flow.size(); ++k) out += d.iolet_flow[k];
      ++samples;
    }
  }
  t.balance = samples > 0 ? out / in - 1 : 1;
  if (!(std::abs(t.balance) < 0.01)) {
    t.why = "outflow / inflow - 1 = " + std::to_string(t.balance);
    return t;
  }
  t.passed = true;
  return t;
}

Trial trial(const Flow& f, const Model& m, double tau, double u_in, double peak) {
  return m.q27 ? run_trial<D3Q27>(f, m, tau, u_in, peak) : run_trial<D3Q19>(f, m, tau, u_in, peak);
}

// The vessel's fastest speed over its inlet mean, from a calm run (TRT, tau 0.6, Mach ~0.03).
double measure_peak_ratio(const Flow& f) {
  const double u_in = 0.01;
  Engine<float, D3Q19> e(
      f.spec, {BackendKind::Cpu, CollisionModel::Trt, 0.6, 3.0 / 16, WallMethod::Bouzidi});
  std::vector<double> values(f.spec.iolets.size(), 1.0);
  values[0] = u_in;
  e.set_iolet_values(values);
  const std::int64_t steps = std::int64_t(2 * f.length / u_in);
  double peak = 0;
  for (std::int64_t s = 0; s < steps; s += 500) {
    e.run(500);
    if (s > steps / 2) peak = std::max(peak, e.diagnostics().max_speed);
  }
  return peak / u_in;
}

struct Floor {
  double tau = NAN;     // the lowest tau that passed (NaN: none up to 0.6)
  double failed = NAN;  // the highest that failed below it
  Trial at;
};

Floor bisect(const Flow& f, const Model& m, double mach) {
  const double peak = mach * kCs, u_in = peak / f.peak_over_mean;
  double lo = std::log(1e-5), hi = std::log(0.1);
  Floor fl;
  Trial t = trial(f, m, 0.5 + std::exp(hi), u_in, peak);
  if (!t.passed) {
    std::printf("  %-20s %-6s Ma %.3f: fails even at tau %.3f (%s)\n", m.name, f.name.c_str(), mach,
                0.5 + std::exp(hi), t.why.c_str());
    return fl;
  }
  fl.tau = 0.5 + std::exp(hi);
  fl.at = t;
  Trial bottom = trial(f, m, 0.5 + std::exp(lo), u_in, peak);
  if (bottom.passed) {
    fl.tau = 0.5 + std::exp(lo);
    fl.at = bottom;
    return fl;
  }
  fl.failed = 0.5 + std::exp(lo);
  for (int i = 0; i < 6; ++i) {
    const double mid = 0.5 * (lo + hi);
    const Trial r = trial(f, m, 0.5 + std::exp(mid), u_in, peak);
    std::printf("    %-20s %-6s Ma %.3f tau %.6f: %s (peak %.4f, balance %+.2e, %lld steps)\n",
                m.name, f.name.c_str(), mach, 0.5 + std::exp(mid),
                r.passed ? "pass" : r.why.c_str(), r.max_speed, r.balance, (long long)r.steps);
    std::fflush(stdout);
    if (r.passed) {
      hi = mid;
      fl.tau = 0.5 + std::exp(mid);
      fl.at = r;
    } else {
      lo = mid;
      fl.failed = 0.5 + std::exp(mid);
    }
  }
  return fl;
}

// Womersley flow (alpha 4) in a periodic pipe 10 cells across at tau: the relative L2 error of
// the velocity over a period, after two periods from rest.
template <class L>
double womersley_error(const Model& m, double tau) {
  const double D = 10, R = 0.5 * D, nu = (tau - 0.5) / 3, alpha = 4;
  const double omega = alpha * alpha * nu / (R * R), period = 2 * std::numbers::pi / omega;
  // A peak of 0.01: small against the speed of sound, large against float's noise.
  const double F0 = 0.01 * nu / (R * R * womersley_peak(alpha));
  const int n = 16;
  auto pipe =
      std::make_shared<PipeShape>(Vec3(0.5 * (n - 1), 0.5 * (n - 1), 0), Vec3(0, 0, 1), R, 8.0);
  pipe->unbounded_length(true);
  DomainSpec spec;
  spec.shape = pipe;
  spec.cells = {n, n, 8};
  spec.periodic = {false, false, true};
  EngineOptions o = options_for<L>(m, tau);
  o.walls = WallMethod::Bouzidi;
  Engine<double, L> e(spec, o);
  const auto force_at = [&](double t) { return Vec3(0, 0, F0 * std::cos(omega * t)); };
  const std::int64_t warmup = std::int64_t(std::ceil(2 * period));
  std::int64_t step = 0;
  for (; step < warmup; ++step) {
    e.set_force(force_at(double(step)));
    e.step();
  }
  const Vec3 c(0.5 * (n - 1), 0.5 * (n - 1), 0);
  const std::complex<double> i(0, 1);
  double num = 0, den = 0;
  for (int k = 0; k < 8; ++k) {
    const std::int64_t target = warmup + std::int64_t(std::llround(k * period / 8));
    for (; step < target; ++step) {
      e.set_force(force_at(double(step)));
      e.step();
    }
    e.set_force(force_at(double(step)));
    std::vector<double> rho, u;
    e.moments(rho, u);
    for (std::size_t cell = 0; cell < rho.size(); ++cell) {
      if (!e.lattice().is_fluid(std::int64_t(cell))) continue;
      const Vec3 p = e.lattice().position(std::int64_t(cell));
      const double r = std::hypot(p.x() - c.x(), p.y() - c.y());
      const double ua = std::real(F0 * R * R / nu * womersley_oscillation(alpha, r / R) *
                                  std::exp(i * omega * double(step)));
      num += (u[3 * cell + 2] - ua) * (u[3 * cell + 2] - ua) + u[3 * cell] * u[3 * cell] +
             u[3 * cell + 1] * u[3 * cell + 1];
      den += ua * ua;
    }
  }
  return std::sqrt(num / den);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "stability_map: %s\nusage: stability_map [--flow jet|vessel|all] [--models "
               "a,b,...] [--mach 0.05,0.1,...] [--no-accuracy] [--womersley-at TAU] [--data DIR] "
               "[--list]\n",
               why.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "all";
  std::vector<std::string> models;
  std::vector<double> machs = {0.05, 0.1, 0.15};
  bool accuracy = true;
  double womersley_at = 0;  // > 0: only the Womersley accuracy of the models at this tau
  fs::path data = HEMOTWIN_SHARED_DATA_DIR;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    const auto value = [&]() -> std::string {
      if (a + 1 >= argc) usage(arg + " needs a value");
      return argv[++a];
    };
    if (arg == "--flow") {
      which = value();
      if (which != "jet" && which != "vessel" && which != "all")
        usage("--flow takes jet, vessel or all, not '" + which + "'");
    } else if (arg == "--models") {
      models = split(value());
    } else if (arg == "--mach") {
      machs.clear();
      for (const auto& m : split(value())) {
        char* end = nullptr;
        const double v = std::strtod(m.c_str(), &end);
        if (*end != '\0' || !(v > 0 && v < 0.5))
          usage("--mach takes numbers in (0, 0.5), not '" + m + "'");
        machs.push_back(v);
      }
    } else if (arg == "--womersley-at") {
      const std::string v = value();
      char* end = nullptr;
      womersley_at = std::strtod(v.c_str(), &end);
      if (*end != '\0' || !(womersley_at > 0.5 && womersley_at < 2))
        usage("--womersley-at takes a relaxation time in (0.5, 2), not '" + v + "'");
    } else if (arg == "--no-accuracy") {
      accuracy = false;
    } else if (arg == "--data") {
      data = value();
    } else if (arg == "--list") {
      for (const auto& m : kModels) std::printf("%s\n", m.name);
      return 0;
    } else {
      usage("unknown argument '" + arg + "'");
    }
  }
  std::vector<const Model*> chosen;
  for (const auto& m : kModels)
    if (models.empty() || std::find(models.begin(), models.end(), m.name) != models.end())
      chosen.push_back(&m);
  for (const auto& name : models)
    if (std::none_of(std::begin(kModels), std::end(kModels),
                     [&](const Model& m) { return name == m.name; }))
      usage("no model '" + name + "' (--list shows them)");

  if (womersley_at > 0) {  // a floor found earlier: what accuracy the models keep there
    for (const Model* m : chosen) {
      const double err = m->q27 ? womersley_error<D3Q27>(*m, womersley_at)
                                : womersley_error<D3Q19>(*m, womersley_at);
      std::printf("  %-20s tau %.6f: Womersley alpha 4 L2 error %.3e\n", m->name, womersley_at,
                  err);
      std::fflush(stdout);
    }
    return 0;
  }
  std::vector<Flow> flows;
  if (which != "vessel") flows.push_back(jet_flow());
  if (which != "jet")
    if (auto v = vessel_flow(data)) {
      v->peak_over_mean = measure_peak_ratio(*v);
      std::printf("vessel: %lld fluid cells, %.0f cells long, peak / inlet mean %.2f\n",
                  (long long)SparseLattice(v->spec).fluid_cells(), v->length, v->peak_over_mean);
      flows.push_back(std::move(*v));
    }
  std::printf("stability map: %d OpenMP threads, float, CPU\n", omp_get_max_threads());
  const auto t0 = std::chrono::steady_clock::now();
  // floors[model][flow][mach]
  std::map<std::string, std::map<std::string, std::map<double, Floor>>> floors;
  for (const Model* m : chosen)
    for (const Flow& f : flows)
      for (double mach : machs) {
        const Floor fl = bisect(f, *m, mach);
        floors[m->name][f.name][mach] = fl;
        std::printf(
            "floor %-20s %-6s Ma %.3f: tau %.6f (fails at %.6f); peak %.4f, balance %+.2e\n",
            m->name, f.name.c_str(), mach, fl.tau, fl.failed, fl.at.max_speed, fl.at.balance);
        std::fflush(stdout);
      }

  std::printf("\n| model | walls | flow |");
  for (double mach : machs) std::printf(" Ma %.2f |", mach);
  std::printf("\n|---|---|---|");
  for (std::size_t i = 0; i < machs.size(); ++i) std::printf("---|");
  std::printf("\n");
  for (const Model* m : chosen)
    for (const Flow& f : flows) {
      std::printf("| %s | %s | %s |", m->name, to_string(m->walls), f.name.c_str());
      for (double mach : machs) std::printf(" %.5f |", floors[m->name][f.name][mach].tau);
      std::printf("\n");
    }
  if (accuracy) {
    std::printf("\nWomersley alpha 4, 10 cells across, at each model's jet floor (Ma 0.1):\n");
    for (const Model* m : chosen) {
      const auto it = floors[m->name].find("jet");
      if (it == floors[m->name].end() || !it->second.count(0.1)) continue;
      const double tau = it->second[0.1].tau;
      if (!std::isfinite(tau)) continue;
      // A Womersley period at tau - 1/2 = 1e-4 is 2 million steps: below 0.5005 (a floor at the
      // map's bottom, where LES sets the viscosity) it says nothing worth the hours.
      if (tau < 0.5005) {
        std::printf("  %-20s tau %.6f: below 0.5005, not run\n", m->name, tau);
        continue;
      }
      const double err = m->q27 ? womersley_error<D3Q27>(*m, tau) : womersley_error<D3Q19>(*m, tau);
      const double ref = m->q27 ? womersley_error<D3Q27>(*m, 0.6) : womersley_error<D3Q19>(*m, 0.6);
      std::printf("  %-20s tau %.6f: L2 error %.3e (at tau 0.6: %.3e)\n", m->name, tau, err, ref);
      std::fflush(stdout);
    }
  }
  std::printf("\ntotal %.0f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}
