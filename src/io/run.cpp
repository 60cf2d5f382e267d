#include "hemotwin/io/run.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <optional>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/shapes.hpp"
#include "hemotwin/core/simulation.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/cycles.hpp"
#include "hemotwin/io/output_dir.hpp"
#include "hemotwin/io/results_writer.hpp"
#include "hemotwin/io/summary.hpp"
#include "hemotwin/io/vti_writer.hpp"
#include "hemotwin/version.hpp"

namespace hemotwin::io {

namespace {

constexpr const char* hdf5_name = "results.h5";
constexpr const char* xdmf_name = "results.xdmf";
constexpr const char* vti_name = "results.vti";
constexpr const char* case_name = "case.toml";
constexpr const char* wall_name = "wall.vtp";
constexpr const char* wall_surface_name = "wall_surface.vtp";
constexpr const char* csv_name = "iolets.csv";

// The time over which TAWSS and OSI average: the last cardiac cycle of a pulsatile run, the last
// tenth of a steady one.
// The cardiac period of a pulsatile run; 0 for a steady one.
double cycle_period(const Case& c) {
  const bool inlet = c.driver == FlowDriver::Inlet;
  const bool pulsatile = inlet ? (!c.inlet.waveform_time.empty() || c.inlet.amplitude > 0)
                               : c.body_force.oscillation_amplitude > 0;
  return pulsatile ? (inlet ? c.inlet.period : c.body_force.period) : 0.0;
}
double averaging_time(const Case& c) {
  const double period = cycle_period(c);
  return period > 0 ? std::min(period, c.time.duration) : 0.1 * c.time.duration;
}
constexpr const char* summary_name = "summary.json";

// A pipe's wall as triangles (m): a ring every cell along the axis and about a cell apart around
// it, on the radius the pipe's shape gives (its stenosis included).
WallSurface pipe_wall(const Case& c) {
  const auto& g = c.geometry;
  const Vec3 a = g.axis.normalized();
  PipeShape shape(g.origin, a, 0.5 * g.diameter, g.length);
  if (g.shape == ShapeKind::StenosedPipe)
    shape.with_stenosis(g.stenosis_severity, g.stenosis_position, g.stenosis_length);
  const double dx = g.diameter / g.cells_across;
  const int m = std::max(2, int(std::ceil(g.length / dx)));
  const int n = std::max(24, int(std::ceil(std::numbers::pi * g.diameter / dx)));
  const Vec3 e1 = a.unitOrthogonal(), e2 = a.cross(e1);
  WallSurface w;
  for (int j = 0; j <= m; ++j) {
    const double s = g.length * j / m, r = shape.radius_at(s);
    for (int i = 0; i < n; ++i) {
      const double t = 2 * std::numbers::pi * i / n;
      w.points.push_back(g.origin + s * a + r * (std::cos(t) * e1 + std::sin(t) * e2));
    }
  }
  for (int j = 0; j < m; ++j)
    for (int i = 0; i < n; ++i) {
      const std::int64_t p = std::int64_t(j) * n + i, q = std::int64_t(j) * n + (i + 1) % n;
      w.triangles.push_back({p, q, q + n});
      w.triangles.push_back({p, q + n, p + n});
    }
  return w;
}

}  // namespace

RunResult run_case(const Case& c, const std::filesystem::path& output_dir,
                   const RunCallbacks& callbacks) {
  using Clock = std::chrono::steady_clock;

  // Errors up to on_info are about the case (the CLI reports them so); the staging directory comes
  // right after, so an unwritable output directory still fails before any step is computed.
  WallSurface wall_surface;
  std::unique_ptr<Simulation> sim;
  if (callbacks.geometry) {
    FileGeometry g = callbacks.geometry(c);
    wall_surface = std::move(g.wall);
    sim = Simulation::create(c, std::move(g.domain));
  } else {
    sim = Simulation::create(c);
    if (c.geometry.shape == ShapeKind::Pipe || c.geometry.shape == ShapeKind::StenosedPipe)
      wall_surface = pipe_wall(c);
  }
  const std::string backend = to_string(sim->backend());
  const std::string device = sim->device();
  const std::string info =
      "backend " + backend + " (" + device + "), " + to_string(sim->streaming()) + " streaming";
  if (callbacks.on_info) callbacks.on_info(info);

  OutputDir out(output_dir, summary_name);
  out.replace_on_commit(
      {hdf5_name, xdmf_name, vti_name, wall_surface_name, case_name, summary_name});

  const GridInfo& grid = sim->grid();
  const std::vector<IoletInfo>& iolets = sim->iolets();
  const Units& units = sim->units();
  const std::int64_t total = sim->total_steps();
  const std::int64_t first_step = sim->step_count();
  const std::int64_t check = std::max(1, c.output.check_every);
  // Field outputs fall on whole steps: every interval_steps steps (0: only the final state).
  std::int64_t interval_steps = 0;
  if (c.output.interval > 0) {
    interval_steps = std::max<std::int64_t>(1, std::llround(c.output.interval / units.dt()));
    if (c.output.hdf5 && total / interval_steps > 1000)
      spdlog::warn("output.interval = {} s gives {} field outputs; the results file will be large",
                   c.output.interval, total / interval_steps);
  }
  spdlog::info("run '{}': {} steps of dt = {:.4g} s, {} fluid cells, {}", c.name, total, units.dt(),
               grid.fluid_cells, info);
  for (const auto& n : sim->notes()) spdlog::info("run '{}': {}", c.name, n);

  const Provenance provenance = Provenance::current(backend, device);
  const std::string case_text = c.source_text.empty() ? to_toml(c) : c.source_text;
  std::optional<ResultsWriter> writer;
  if (c.output.hdf5) {
    ResultsMetadata meta;
    meta.provenance = provenance;
    meta.case_name = c.name;
    meta.case_text = case_text;
    meta.case_file = c.source_file;
    meta.dt = units.dt();
    meta.sections = sim->sections();
    meta.cycle_period = cycle_period(c);
    writer.emplace(out.staged(hdf5_name), grid, iolets, meta);
  }

  std::vector<Diagnostics> series;
  // Wall shear stress: sampled with the diagnostics over the averaging window (the last cycle).
  const double t_end = double(total) * units.dt();
  const double window_start = t_end - averaging_time(c) - 0.5 * units.dt();
  std::optional<WallShearAverage> wall_average;
  WallShearField wall;
  double last_wall_time = c.time.cycles > 0 ? 0.0 : window_start;
  // With cycles the averages restart with each cycle and those of the last complete one are kept
  // (a run that stops once periodic ends on a cycle's end).
  const bool by_cycle = c.time.cycles > 0;
  std::vector<double> cycle_tawss, cycle_osi;
  double cycle_averaged = 0;
  // The samples themselves (output.wall_series), float: those of the window so far, and with
  // cycles those of the last complete cycle.
  struct WallSeries {
    std::vector<double> time;
    std::vector<std::vector<float>> wss;
  } wall_series, cycle_wall_series;
  auto sample_wall = [&] {
    if (!by_cycle && sim->time() < window_start) return;
    wall = sim->wall_shear();
    if (!wall_average) wall_average.emplace(wall.point.size());
    if (wall.time > last_wall_time) wall_average->add(wall.wss, wall.time - last_wall_time);
    last_wall_time = wall.time;
    if (c.output.wall_series && (wall_series.time.empty() || wall.time > wall_series.time.back())) {
      std::vector<float> v(3 * wall.wss.size());
      for (std::size_t k = 0; k < wall.wss.size(); ++k)
        for (int a = 0; a < 3; ++a) v[3 * k + std::size_t(a)] = float(wall.wss[k][a]);
      wall_series.time.push_back(wall.time);
      wall_series.wss.push_back(std::move(v));
    }
  };
  // Cardiac cycles: each one's iolet means against the one before; stop once periodic.
  const double period = c.time.cycles > 0
                            ? (c.driver == FlowDriver::Inlet ? c.inlet.period : c.body_force.period)
                            : 0.0;
  auto cycle_end_step = [&](int k) { return std::llround((k + 1) * period / units.dt()); };
  std::vector<CycleStats> cycle_stats_done;
  std::vector<CycleChange> changes;
  bool converged = false;
  auto end_of_cycle = [&] {
    const int k = int(cycle_stats_done.size());
    if (wall_average) {
      cycle_tawss = wall_average->tawss();
      cycle_osi = wall_average->osi();
      cycle_averaged = wall_average->duration();
      wall_average->reset();
    }
    if (!wall_series.time.empty()) {
      // The cycle's last sample also opens the next cycle's series (the trapezoid needs both ends).
      cycle_wall_series = wall_series;
      wall_series.time.erase(wall_series.time.begin(), wall_series.time.end() - 1);
      wall_series.wss.erase(wall_series.wss.begin(), wall_series.wss.end() - 1);
    }
    cycle_stats_done.push_back(
        cycle_stats(series, k * period - 0.5 * units.dt(), (k + 1) * period + 0.5 * units.dt()));
    if (k == 0) {
      spdlog::info("run '{}': cycle 1 of {} done", c.name, c.time.cycles);
      return;
    }
    const CycleChange ch = cycle_change(cycle_stats_done[k - 1], cycle_stats_done[k], k + 1);
    changes.push_back(ch);
    spdlog::info(
        "run '{}': cycle {} of {}: change from cycle {}: pressure {:.3g} %, flow {:.3g} % (the "
        "largest over the inlets and outlets)",
        c.name, k + 1, c.time.cycles, k, 100 * ch.pressure, 100 * ch.flow);
    if (c.time.cycle_tolerance > 0 && ch.largest() < c.time.cycle_tolerance) {
      converged = true;
      spdlog::info("run '{}': periodic within {:.3g} % after {} cycles; stopping", c.name,
                   100 * c.time.cycle_tolerance, k + 1);
    }
  };
  auto sample = [&] {
    Diagnostics d = sim->diagnostics();
    if (writer) writer->append_diagnostics(d);
    series.push_back(std::move(d));
    sample_wall();
    if (period > 0 && sim->step_count() >= cycle_end_step(int(cycle_stats_done.size())))
      end_of_cycle();
  };

  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  auto mlups = [&](double seconds) {
    const double steps = static_cast<double>(sim->step_count() - first_step);
    return seconds > 0 ? static_cast<double>(grid.fluid_cells) * steps / seconds / 1e6 : 0.0;
  };
  std::int64_t last_progress = -1;
  auto progress = [&] {
    last_progress = sim->step_count();
    if (!callbacks.on_progress) return;
    Progress p;
    p.step = sim->step_count();
    p.total_steps = total;
    p.elapsed_s = elapsed();
    p.mlups = mlups(p.elapsed_s);
    callbacks.on_progress(p);
  };

  sample();  // the initial state: the reference for the mass balance
  bool stopped_early = false;
  while (sim->step_count() < total) {
    if (callbacks.should_stop && callbacks.should_stop()) {
      stopped_early = true;
      spdlog::info("run '{}': stop requested at step {} of {}", c.name, sim->step_count(), total);
      break;
    }
    const std::int64_t step = sim->step_count();
    std::int64_t next = std::min(total, (step / check + 1) * check);
    if (interval_steps > 0) next = std::min(next, (step / interval_steps + 1) * interval_steps);
    const std::int64_t cycle_end =
        period > 0 ? cycle_end_step(int(cycle_stats_done.size())) : total;
    if (cycle_end > step) next = std::min(next, cycle_end);
    sim->advance(next - step);
    const std::int64_t now = sim->step_count();
    if (now % check == 0 || now == total || now == cycle_end) {
      sample();
      progress();
    }
    // The final state is written below, once, whatever the interval.
    if (writer && interval_steps > 0 && now % interval_steps == 0 && now < total)
      writer->write_fields(sim->snapshot());
    if (converged) break;
  }

  const std::int64_t final_step = sim->step_count();
  if (series.back().step != final_step) sample();
  const double wall_time = elapsed();
  if (last_progress != final_step) progress();

  if (writer || c.output.vti) {
    const FieldSnapshot snapshot = sim->snapshot();
    if (writer && (writer->snapshots().empty() || writer->snapshots().back().step != snapshot.step))
      writer->write_fields(snapshot);
    if (c.output.vti) write_vti(out.staged(vti_name), grid, snapshot);
  }

  if (wall.point.empty() || wall.time != sim->time()) wall = sim->wall_shear();
  std::vector<double> tawss, osi;
  double averaged_over = 0;
  if (by_cycle && cycle_averaged > 0) {
    tawss = cycle_tawss;
    osi = cycle_osi;
    averaged_over = cycle_averaged;
  } else if (!by_cycle && wall_average && wall_average->duration() > 0) {
    tawss = wall_average->tawss();
    osi = wall_average->osi();
    averaged_over = wall_average->duration();
  }
  // The wall area each wall point stands for, where the run has a wall surface.
  const std::vector<double> wall_area = wall_surface.empty() || wall.point.empty()
                                            ? std::vector<double>{}
                                            : wall_point_areas(wall_surface, wall.point);
  if (writer) {
    writer->write_wall(wall, tawss, osi, averaged_over, wall_area);
    if (c.output.wall_series) {
      const WallSeries& ws = by_cycle && cycle_averaged > 0 ? cycle_wall_series : wall_series;
      writer->write_wall_series(ws.time, ws.wss);
    }
  }
  write_wall_vtp(out.staged(wall_name), wall, tawss, osi);
  if (!wall_surface.empty() && !wall.point.empty())
    write_wall_surface_vtp(out.staged(wall_surface_name), wall_surface, wall, tawss, osi);

  RunSummary summary;
  if (writer) {
    writer->close();
    write_xdmf(out.staged(xdmf_name), hdf5_name, grid, writer->snapshots());
    summary.files.emplace_back("hdf5", hdf5_name);
    summary.files.emplace_back("xdmf", xdmf_name);
  }
  if (c.output.vti) summary.files.emplace_back("vti", vti_name);
  summary.files.emplace_back("wall", wall_name);
  if (!wall_surface.empty() && !wall.point.empty())
    summary.files.emplace_back("wall_surface", wall_surface_name);
  out.write_file(case_name, case_text);
  summary.files.emplace_back("case", case_name);
  out.write_file(csv_name, iolet_csv(series, iolets, sim->sections()));
  summary.files.emplace_back("iolets_csv", csv_name);

  summary.name = c.name;
  summary.hemotwin_version = provenance.version;
  summary.git_commit = provenance.git_commit;
  summary.steps = final_step - first_step;
  summary.total_steps = total;
  summary.stopped_early = stopped_early;
  summary.cycle_period = period;
  summary.cycle_changes = changes;
  summary.cycles_done = int(cycle_stats_done.size());
  summary.converged = converged;
  summary.simulated_time = sim->time();
  summary.wall_time_s = wall_time;
  summary.fluid_cells = grid.fluid_cells;
  summary.mlups = mlups(wall_time);
  summary.backend = backend;
  summary.device = device;
  summary.streaming = to_string(sim->streaming());
  summary.precision = to_string(c.precision);
  summary.lattice = to_string(c.lattice);
  summary.collision = to_string(c.collision);
  summary.dx = units.dx();
  summary.dt = units.dt();
  summary.tau = units.tau();
  summary.iolets = iolets;
  summary.sections = sim->sections();
  summary.series = series;
  write_summary(out.staged(summary_name), summary);

  out.commit();

  RunResult result;
  result.directory = out.target();
  if (c.output.hdf5) {
    result.hdf5 = out.final_path(hdf5_name);
    result.xdmf = out.final_path(xdmf_name);
  }
  result.summary = out.final_path(summary_name);
  result.steps = summary.steps;
  result.dt = units.dt();
  result.wall_time_s = wall_time;
  result.mlups = summary.mlups;
  result.stopped_early = stopped_early;
  spdlog::info("run '{}': {} steps in {:.2f} s ({:.1f} MLUPS); results in {}", c.name, result.steps,
               wall_time, result.mlups, result.directory.string());
  return result;
}

}  // namespace hemotwin::io
