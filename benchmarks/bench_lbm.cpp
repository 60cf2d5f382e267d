// MLUPS (million fluid-cell updates per second) of the stream-collide + boundary step, per backend
// and precision, on dense periodic boxes (64^3, 128^3, 256^3) and on a sparse stenosed pipe, with
// the fraction of the memory-bandwidth roofline: MLUPS * bytes per update / measured bandwidth.
//
//   build/benchmarks/bench_lbm                       # everything this machine has
//   build/benchmarks/bench_lbm --benchmark_filter=cpu/aa/float
//   build/benchmarks/bench_lbm --benchmark_filter=features   # what each physics option costs
//   build/benchmarks/bench_lbm --benchmark_filter=cpu/aa/.*collisions   # the collision models
//
// The bandwidth is measured here too (a streaming copy with the same threads), so the fraction is
// of this machine's reachable bandwidth, not a datasheet number.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/simulation.hpp"
#ifdef HEMOTWIN_HAVE_CUDA
#include "hemotwin/core/detail/cuda_backend.hpp"
#endif

using namespace hemotwin;

namespace {

// Copy bandwidth (read + write bytes per second) of the CPU with all OpenMP threads.
double cpu_bandwidth() {
  static double bw = [] {
    const std::size_t n = std::size_t(1) << 27;  // 512 MiB per array of float
    std::vector<float> a(n), b(n);
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) a[i] = float(i), b[i] = 0;
    double best = 0;
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i) b[i] = a[i] + 1.0f;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::max(best, 2.0 * n * sizeof(float) / s);
    }
    benchmark::DoNotOptimize(b.data());
    return best;
  }();
  return bw;
}

// Device-to-device copy bandwidth of the CUDA device (bytes read plus written per second).
double device_bandwidth() {
#ifdef HEMOTWIN_HAVE_CUDA
  static double bw = cuda::copy_bandwidth(std::size_t(1) << 30);
  return bw;
#else
  return 0;
#endif
}

DomainSpec dense_box(int n) {
  DomainSpec spec;
  spec.shape = std::make_shared<BoxShape>(Vec3::Constant(-10), Vec3::Constant(1e9));
  spec.cells = {n, n, n};
  spec.periodic = {true, true, true};
  return spec;
}

// The demo's stenosed artery at 20 cells across: a pipe along x with a 50 % stenosis.
DomainSpec stenosed_pipe() {
  const double D = 20, L = 200;
  auto pipe = std::make_shared<PipeShape>(Vec3::Zero(), Vec3(1, 0, 0), 0.5 * D, L);
  pipe->with_stenosis(0.5, 0.5 * L, 2 * D).unbounded_length(true);
  DomainSpec spec =
      DomainSpec::around(std::make_shared<PipeShape>(Vec3::Zero(), Vec3(1, 0, 0), 0.5 * D, L), 1.0);
  spec.shape = pipe;
  spec.iolets = {
      {"inlet0", IoletKind::VelocityInlet, Vec3::Zero(), Vec3(-1, 0, 0), true, 0.5 * D},
      {"outlet0", IoletKind::PressureOutlet, Vec3(L, 0, 0), Vec3(1, 0, 0), false, 0.5 * D}};
  return spec;
}

// The physics options of issue 4 on the stenosed pipe, each against plain TRT: what they cost.
enum class Feature {
  None,
  Bgk,
  CarreauYasuda,
  Smagorinsky,
  Womersley,
  Windkessel,
  Regularized,
  RegularizedLes
};

const char* feature_name(Feature f) {
  switch (f) {
    case Feature::None:
      return "trt";
    case Feature::Bgk:
      return "bgk";
    case Feature::CarreauYasuda:
      return "carreau_yasuda";
    case Feature::Smagorinsky:
      return "smagorinsky";
    case Feature::Womersley:
      return "womersley_inlet";
    case Feature::Windkessel:
      return "windkessel_outlet";
    case Feature::Regularized:
      return "regularized";
    case Feature::RegularizedLes:
      return "regularized_smagorinsky";
  }
  return "?";
}

template <class T, class L>
void run(benchmark::State& state, const DomainSpec& spec, BackendKind backend,
         StreamingScheme scheme, bool has_iolets, Feature feature = Feature::None) {
  if (backend == BackendKind::Cuda && !cuda_device_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  EngineOptions options{backend, CollisionModel::Trt, 0.6, 3.0 / 16, WallMethod::Bouzidi};
  options.streaming = scheme;
  if (feature == Feature::Bgk) options.collision = CollisionModel::Bgk;
  if (feature == Feature::Regularized || feature == Feature::RegularizedLes)
    options.collision = CollisionModel::Regularized;
  if (feature == Feature::CarreauYasuda) {  // Cho & Kensey's blood at dx = 0.1 mm, tau_min 0.6
    auto& v = options.viscosity;
    v.model = kernels::ViscosityModel::CarreauYasuda;
    v.p[1] = 0.1 / 3;  // nu_inf (lattice)
    v.p[0] = v.p[1] * 0.056 / 0.00345;
    v.p[2] = 3.313 / (v.p[1] * 1e-8 / (0.00345 / 1060));  // lambda / dt
    v.p[3] = 2;
    v.p[4] = 0.3568;
    v.tau_min = 0.5 + 3 * v.p[1];
    v.tau_max = 0.5 + 3 * v.p[0];
  }
  if (feature == Feature::Smagorinsky || feature == Feature::RegularizedLes) {
    options.viscosity.les = 3 * 0.1 * 0.1;
    options.viscosity.tau_min = 0.6;
    options.viscosity.tau_max = 100;
  }
  Engine<T, L> e(spec, options);
  std::vector<int> outlet = {1};
  std::vector<double> flow, density, values = {0.02, 1.0};
  std::vector<std::vector<double>> profiles(2);
  if (has_iolets)
    e.set_iolet_values({0.02, 1.0});
  else
    e.set_force(Vec3(1e-6, 0, 0));
  e.run(5);  // warm up
  (void)e.diagnostics();
  for (auto _ : state) {
    e.step();
    if (feature == Feature::Womersley) {  // a new profile table every step, as Simulation does
      profiles[0].assign(kernels::profile_samples + 1, 0.0);
      for (int j = 0; j <= kernels::profile_samples; ++j)
        profiles[0][j] =
            0.04 * (1.0 - double(j * j) / (kernels::profile_samples * kernels::profile_samples));
      e.set_iolet_values(values, profiles);
    }
    if (feature == Feature::Windkessel) {  // the outlet's flow, every step
      e.sample_iolets(outlet, flow, density);
      values[1] = 1.0 + 1e-3 * flow[0];
      e.set_iolet_values(values);
    }
#ifdef HEMOTWIN_HAVE_CUDA
    if (backend == BackendKind::Cuda) cuda::synchronize();
#endif
  }
#ifdef HEMOTWIN_HAVE_CUDA
  if (backend == BackendKind::Cuda) cuda::synchronize();
#endif
  const double fluid = double(e.lattice().fluid_cells());
  const double updates = fluid * double(state.iterations()) / 1e6;  // millions
  state.counters["MLUPS"] = benchmark::Counter(updates, benchmark::Counter::kIsRate);
  state.counters["fluid_cells"] = fluid;
  state.counters["stored_cells"] = double(e.lattice().brick_count()) * brick_cells;
  state.counters["bytes_per_update"] = Engine<T, L>::bytes_per_update();
  state.counters["population_MiB"] = double(e.population_bytes()) / (1 << 20);
  const double bandwidth = backend == BackendKind::Cpu ? cpu_bandwidth() : device_bandwidth();
  const double roofline = bandwidth / Engine<T, L>::bytes_per_update() / 1e6;
  state.counters["roofline_MLUPS"] = roofline;
  // MLUPS over the roofline: the counter's rate divides by the same elapsed time as MLUPS.
  state.counters["of_roofline"] =
      benchmark::Counter(updates / roofline, benchmark::Counter::kIsRate);
  if (backend == BackendKind::Cpu) state.counters["threads"] = omp_get_max_threads();
  state.SetLabel(std::string(backend == BackendKind::Cpu ? "cpu" : "cuda") + " " + L::name + " " +
                 (sizeof(T) == 4 ? "float" : "double") + " " + to_string(e.streaming()) + " " +
                 feature_name(feature));
}

// The collision models side by side (collisions/PRECISION/CASE/N): N = 0 TRT D3Q19, 1 TRT
// D3Q27, 2 regularized D3Q19, 3 regularized + Smagorinsky D3Q19, 4 cumulant D3Q27, 5 cumulant +
// Smagorinsky D3Q27, 6 KBC D3Q27. D3Q27 moves 27/19 of D3Q19's bytes per update.
struct CollisionCase {
  CollisionModel model;
  bool q27, les;
  const char* name;
};
constexpr CollisionCase kCollisionCases[] = {
    {CollisionModel::Trt, false, false, "trt_d3q19"},
    {CollisionModel::Trt, true, false, "trt_d3q27"},
    {CollisionModel::Regularized, false, false, "regularized_d3q19"},
    {CollisionModel::Regularized, false, true, "regularized_smagorinsky_d3q19"},
    {CollisionModel::Cumulant, true, false, "cumulant_d3q27"},
    {CollisionModel::Cumulant, true, true, "cumulant_smagorinsky_d3q27"},
    {CollisionModel::Kbc, true, false, "kbc_d3q27"}};

template <class T, class L>
void run_collision(benchmark::State& state, const DomainSpec& spec, BackendKind backend,
                   StreamingScheme scheme, bool has_iolets, const CollisionCase& c) {
  if (backend == BackendKind::Cuda && !cuda_device_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  EngineOptions options{backend, c.model, 0.51, 3.0 / 16, WallMethod::Bouzidi};
  options.streaming = scheme;
  if (c.les) {
    options.viscosity.les = 3 * 0.1 * 0.1;
    options.viscosity.tau_min = 0.51;
    options.viscosity.tau_max = 100;
  }
  Engine<T, L> e(spec, options);
  if (has_iolets)
    e.set_iolet_values({0.02, 1.0});
  else
    e.set_force(Vec3(1e-6, 0, 0));
  e.run(5);
  for (auto _ : state) {
    e.step();
#ifdef HEMOTWIN_HAVE_CUDA
    if (backend == BackendKind::Cuda) cuda::synchronize();
#endif
  }
  const double fluid = double(e.lattice().fluid_cells());
  const double updates = fluid * double(state.iterations()) / 1e6;
  state.counters["MLUPS"] = benchmark::Counter(updates, benchmark::Counter::kIsRate);
  state.counters["fluid_cells"] = fluid;
  state.counters["bytes_per_update"] = Engine<T, L>::bytes_per_update();
  const double bandwidth = backend == BackendKind::Cpu ? cpu_bandwidth() : device_bandwidth();
  const double roofline = bandwidth / Engine<T, L>::bytes_per_update() / 1e6;
  state.counters["roofline_MLUPS"] = roofline;
  state.counters["of_roofline"] =
      benchmark::Counter(updates / roofline, benchmark::Counter::kIsRate);
  if (backend == BackendKind::Cpu) state.counters["threads"] = omp_get_max_threads();
  state.SetLabel(std::string(backend == BackendKind::Cpu ? "cpu" : "cuda") + " " +
                 (sizeof(T) == 4 ? "float" : "double") + " " + to_string(e.streaming()) + " " +
                 c.name);
}

template <class T>
void collisions(benchmark::State& state, BackendKind backend, StreamingScheme scheme, bool dense) {
  const CollisionCase& c = kCollisionCases[state.range(0)];
  const DomainSpec spec = dense ? dense_box(64) : stenosed_pipe();
  if (c.q27)
    run_collision<T, D3Q27>(state, spec, backend, scheme, !dense, c);
  else
    run_collision<T, D3Q19>(state, spec, backend, scheme, !dense, c);
}

template <class T>
void dense(benchmark::State& state, BackendKind backend, StreamingScheme scheme) {
  run<T, D3Q19>(state, dense_box(int(state.range(0))), backend, scheme, false);
}
template <class T>
void stenosis(benchmark::State& state, BackendKind backend, StreamingScheme scheme) {
  run<T, D3Q19>(state, stenosed_pipe(), backend, scheme, true);
}
template <class T>
void feature(benchmark::State& state, BackendKind backend, StreamingScheme scheme) {
  run<T, D3Q19>(state, stenosed_pipe(), backend, scheme, true, Feature(state.range(0)));
}

// Names: BACKEND/SCHEME/PRECISION/CASE[/SIZE], e.g. cpu/aa/float/dense/128.
void register_all() {
  for (auto backend : {BackendKind::Cpu, BackendKind::Cuda}) {
#ifndef HEMOTWIN_HAVE_CUDA
    if (backend == BackendKind::Cuda) continue;
#endif
    for (auto scheme : {StreamingScheme::AaPattern, StreamingScheme::TwoLattice}) {
      const std::string prefix =
          std::string(backend == BackendKind::Cpu ? "cpu" : "cuda") + "/" + to_string(scheme) + "/";
      auto add = [&](const std::string& name, auto fn) {
        return benchmark::RegisterBenchmark((prefix + name).c_str(), fn, backend, scheme)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinTime(2.0);
      };
      add("float/dense", dense<float>)->Arg(64)->Arg(128)->Arg(256);
      add("double/dense", dense<double>)->Arg(64)->Arg(128)->Arg(256);
      add("float/stenosis", stenosis<float>);
      add("double/stenosis", stenosis<double>);
      // features/float/stenosis/N: N = Feature (0 TRT, 1 BGK, 2 Carreau-Yasuda, 3 Smagorinsky,
      // 4 Womersley inlet tables every step, 5 Windkessel outlet sampled every step, 6
      // regularized collision, 7 regularized with Smagorinsky: the stenotic-jet setting).
      add("features/float/stenosis", feature<float>)->DenseRange(0, 7);
      // collisions/PRECISION/CASE/N: the collision models (kCollisionCases) at tau 0.51.
      for (bool is_dense : {false, true}) {
        const std::string where = is_dense ? "/dense64" : "/stenosis";
        for (int precision = 0; precision < 2; ++precision) {
          const std::string name =
              std::string("collisions/") + (precision == 0 ? "float" : "double") + where;
          auto fn = [is_dense, precision](benchmark::State& st, BackendKind b, StreamingScheme s) {
            if (precision == 0)
              collisions<float>(st, b, s, is_dense);
            else
              collisions<double>(st, b, s, is_dense);
          };
          add(name, fn)->DenseRange(0, int(std::size(kCollisionCases)) - 1);
        }
      }
    }
  }
}
}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("hemotwin_threads", std::to_string(omp_get_max_threads()));
  benchmark::AddCustomContext("cuda_device", cuda_device_description());
  benchmark::AddCustomContext("cpu_copy_bandwidth_GBs", std::to_string(cpu_bandwidth() / 1e9));
  if (cuda_device_available())
    benchmark::AddCustomContext("cuda_copy_bandwidth_GBs",
                                std::to_string(device_bandwidth() / 1e9));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
