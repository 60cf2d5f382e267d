// What a wall that moves along its normal costs (DomainSpec::moving_wall): the pulsating sphere of
// tests/core/test_normal_walls.cpp (ten cells per radius, R = 10 +- 2 cells over 2000 steps, in an
// 81^3 box of round pressure outlets), run with its wall moving and with the same lattice and a
// rigid sphere of the mean radius, MLUPS (million fluid-cell updates per second) each; the
// relink (retype, refill, links rebuilt and compiled every step) is the difference. And the left
// ventricle of tests/core/test_chamber_flow.cpp (a small lattice whose wall sweeps a thick shell)
// and the same at twice the resolution, moving (relinked every step, every 4th and every 16th)
// against a rigid cast at end-diastole.
//
//   build/benchmarks/bench_moving_wall
//   build/benchmarks/bench_moving_wall --benchmark_filter=double
//   build/benchmarks/bench_moving_wall --benchmark_filter=ventricle_series  (the wall as a
//       surface series: built where hemotwin::geometry is)
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "hemotwin/core/engine.hpp"
#ifdef HEMOTWIN_BENCH_SERIES
#include "hemotwin/geometry/chamber_phantom.hpp"
#endif

using namespace hemotwin;

namespace {

constexpr double kHalf = 40, kRadius = 10, kAmplitude = 2, kPeriod = 2000;

std::shared_ptr<PulsatingSphere> sphere() {
  return std::make_shared<PulsatingSphere>(
      Vec3::Zero(), kRadius, kAmplitude, kPeriod,
      Eigen::AlignedBox3d(Vec3::Constant(-kHalf), Vec3::Constant(kHalf)));
}

DomainSpec sphere_box(bool moving) {
  DomainSpec spec;
  const auto s = sphere();
  if (moving)
    spec.moving_wall = {s, 1.0, 0.0};
  else
    spec.shape = s->at(kPeriod / 2);  // R = R0
  spec.origin = Vec3::Constant(-kHalf);
  spec.cells = {int(2 * kHalf) + 1, int(2 * kHalf) + 1, int(2 * kHalf) + 1};
  for (int a = 0; a < 3; ++a)
    for (double side : {-1.0, 1.0}) {
      IoletPlane out;
      out.name = "face";
      out.kind = IoletKind::PressureOutlet;
      out.normal = Vec3::Zero();
      out.normal[a] = side;
      out.point = (kHalf - 1.5) * out.normal;
      out.reach = kHalf - 8;
      spec.iolets.push_back(out);
    }
  return spec;
}

template <class T>
void sphere_steps(benchmark::State& state, bool moving) {
  EngineOptions opt;
  opt.tau = 0.8;
  Engine<T, D3Q19> e(sphere_box(moving), opt);
  e.set_iolet_values(std::vector<double>(6, 1.0));
  e.initialise();
  e.run(20);
  std::int64_t updates = 0;
  for (auto _ : state) {
    // Steps through the whole stroke: 100 steps move the wall by up to 0.6 cells.
    e.run(100);
    updates += 100 * e.lattice().fluid_cells();
  }
  state.counters["MLUPS"] = benchmark::Counter(double(updates) / 1e6, benchmark::Counter::kIsRate);
  state.counters["fluid_cells"] = double(e.lattice().fluid_cells());
  state.counters["moved_cells"] = double(e.wall_moved_cells()[0] + e.wall_moved_cells()[1]);
}

// The ventricle phantom of test_chamber_flow (36 cells apex to base, EF 60 %, a beat of 16 000
// steps) at `scale` times its resolution (its beat `scale` times as many steps: the wall as fast
// in lattice units), both valves open; `every` 0: a rigid cast at end-diastole.
// With `series`, the wall is that chamber as a surface series (16 phases of a 16 x 32 mesh, as
// `hemotwin phantom ventricle` writes it and a 4D scan gives it): its crossings are ray-triangle
// intersections and its velocity the nearest surface point's.
template <class T>
void ventricle_steps(benchmark::State& state, int scale, int every, bool series = false) {
  VolumeCurve curve;
  curve.period = 16000.0 * scale;
  const auto lv = std::make_shared<ProlateChamber>(Vec3::Zero(), Vec3::UnitZ(), 24.0 * scale,
                                                   12.0 * scale, 0.5, curve);
  std::shared_ptr<const MovingShape> wall = lv;
#ifdef HEMOTWIN_BENCH_SERIES
  if (series)
    wall = prolate_series(*lv, prolate_cavity_mesh(24.0 * scale, 12.0 * scale, 0.5, 16, 32), 16);
#else
  if (series) state.SkipWithError("built without hemotwin::geometry");
#endif
  DomainSpec spec;
  if (every > 0)
    spec.moving_wall = {wall, 1.0, 0.0, 64, every};
  else
    spec.shape = wall->at(0);
  const auto box = lv->envelope();
  spec.origin = box.min() - Vec3::Constant(2);
  for (int a = 0; a < 3; ++a) spec.cells[a] = int(std::ceil(box.sizes()[a])) + 5;
  for (auto [name, x, r] : {std::tuple{"mitral", -3.8, 3.2}, {"aortic", 3.7, 3.0}}) {
    IoletPlane v;
    v.name = name;
    v.kind = IoletKind::PressureOutlet;
    v.point = Vec3(x * scale, 0, -0.5);
    v.normal = Vec3::UnitZ();
    v.reach = v.radius = r * scale;
    spec.iolets.push_back(v);
  }
  EngineOptions opt;
  opt.tau = 0.6;
  // The first 800 steps of the beat (its ejection begins), from a new engine each time; the
  // cost is counted per fluid-cell update, as the cavity shrinks.
  constexpr int kSteps = 800;
  std::int64_t updates = 0, fluid = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Engine<T, D3Q19> e(spec, opt);
    e.set_iolet_values({1.0, 1.0});
    e.initialise();
    state.ResumeTiming();
    for (int k = 0; k < kSteps; ++k) {
      e.step();
      updates += e.lattice().fluid_cells();
    }
    fluid = e.lattice().fluid_cells();
  }
  state.counters["MLUPS"] = benchmark::Counter(double(updates) / 1e6, benchmark::Counter::kIsRate);
  state.counters["fluid_cells"] = double(fluid);
}

}  // namespace

int main(int argc, char** argv) {
  for (bool moving : {false, true}) {
    const std::string kind = moving ? "moving" : "rigid";
    benchmark::RegisterBenchmark(("sphere/float/" + kind).c_str(),
                                 [moving](benchmark::State& s) { sphere_steps<float>(s, moving); })
        ->Unit(benchmark::kMillisecond)
        ->MinTime(3.0)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("sphere/double/" + kind).c_str(),
                                 [moving](benchmark::State& s) { sphere_steps<double>(s, moving); })
        ->Unit(benchmark::kMillisecond)
        ->MinTime(3.0)
        ->UseRealTime();
  }
  for (int scale : {1, 2})
    for (int every : {0, 1, 4, 16})
      benchmark::RegisterBenchmark(
          ("ventricle/x" + std::to_string(scale) + "/double/" +
           (every ? "moving_every_" + std::to_string(every) : std::string("rigid")))
              .c_str(),
          [scale, every](benchmark::State& s) { ventricle_steps<double>(s, scale, every); })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(scale == 1 ? 3 : 1)
          ->UseRealTime();
#ifdef HEMOTWIN_BENCH_SERIES
  for (int scale : {1, 2})
    for (int every : {0, 4, 16})
      benchmark::RegisterBenchmark(
          ("ventricle_series/x" + std::to_string(scale) + "/double/" +
           (every ? "moving_every_" + std::to_string(every) : std::string("rigid")))
              .c_str(),
          [scale, every](benchmark::State& s) { ventricle_steps<double>(s, scale, every, true); })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(scale == 1 ? 3 : 1)
          ->UseRealTime();
#endif
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
