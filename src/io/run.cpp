#include "hemotwin/io/run.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/shapes.hpp"
#include "hemotwin/core/simulation.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/checkpoint.hpp"
#include "hemotwin/io/cycles.hpp"
#include "hemotwin/io/output_dir.hpp"
#include "hemotwin/io/ranks.hpp"
#include "hemotwin/io/results_writer.hpp"
#include "hemotwin/io/run_loop.hpp"
#include "hemotwin/io/summary.hpp"
#include "hemotwin/io/vti_writer.hpp"
#include "hemotwin/version.hpp"

namespace hemotwin::io {

namespace {

namespace fs = std::filesystem;

constexpr const char* hdf5_name = "results.h5";
constexpr const char* xdmf_name = "results.xdmf";
constexpr const char* vti_name = "results.vti";
constexpr const char* case_name = "case.toml";
constexpr const char* wall_name = "wall.vtp";
constexpr const char* wall_surface_name = "wall_surface.vtp";
constexpr const char* csv_name = "iolets.csv";

// The cardiac period of a pulsatile run; 0 for a steady one.
double cycle_period(const Case& c) {
  if (c.geometry.shape == ShapeKind::SurfaceSeries) return c.geometry.period;  // a chamber
  const bool inlet = c.driver == FlowDriver::Inlet;
  const bool pulsatile = inlet ? (!c.inlet.waveform_time.empty() || c.inlet.amplitude > 0)
                               : c.body_force.oscillation_amplitude > 0;
  return pulsatile ? (inlet ? c.inlet.period : c.body_force.period) : 0.0;
}
// The time over which TAWSS and OSI average: the last cardiac cycle of a pulsatile run, the last
// tenth of a steady one.
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

// The simulation of a case and the wall surface its wall quantities map onto.
struct Built {
  std::unique_ptr<Simulation> sim;
  WallSurface wall_surface;
};

Built build(const Case& c, const RunCallbacks& callbacks) {
  Built b;
  if (callbacks.geometry) {
    FileGeometry g = callbacks.geometry(c);
    // A chamber's wall moves: the final state's wall points are not on the first phase's mesh.
    if (c.geometry.shape != ShapeKind::SurfaceSeries) b.wall_surface = std::move(g.wall);
    b.sim = Simulation::create(c, std::move(g.domain), callbacks.communicator);
  } else {
    b.sim = Simulation::create(c, callbacks.communicator);
    if (c.geometry.shape == ShapeKind::Pipe || c.geometry.shape == ShapeKind::StenosedPipe)
      b.wall_surface = pipe_wall(c);
  }
  return b;
}

// Field outputs fall on whole steps: every so many steps (0: only the final state).
std::int64_t field_interval(const Case& c, double dt, std::int64_t total) {
  if (c.output.interval <= 0) return 0;
  const std::int64_t every = std::max<std::int64_t>(1, std::llround(c.output.interval / dt));
  if (c.output.hdf5 && total / every > 1000)
    spdlog::warn("output.interval = {} s gives {} field outputs; the results file will be large",
                 c.output.interval, total / every);
  return every;
}

// The period the run counts cardiac cycles by; 0 when it does not (time.cycles unset).
double counted_period(const Case& c) {
  if (c.time.cycles <= 0) return 0.0;
  if (c.geometry.shape == ShapeKind::SurfaceSeries) return c.geometry.period;
  return c.driver == FlowDriver::Inlet ? c.inlet.period : c.body_force.period;
}

// The final state's fields (when a file takes them) and wall: gathered, every process takes part.
struct FinalState {
  std::optional<FieldSnapshot> snapshot;
  WallShearField wss;
  WallAveraging::Averages averages;
};

FinalState gather_final(const Case& c, Simulation& sim, WallAveraging& wall) {
  FinalState f;
  if (c.output.hdf5 || c.output.vti) f.snapshot = sim.snapshot();
  f.wss = wall.latest();
  f.averages = wall.averages();
  return f;
}

// The final state's fields (into results.h5 unless the last interval wrote it, and results.vti),
// and the wall: results.h5's /wall, wall.vtp and, with a wall surface, wall_surface.vtp.
void write_final_outputs(const Case& c, const GridInfo& grid, const FinalState& f, OutputDir& out,
                         ResultsWriter* writer, const WallSurface& surface) {
  if (f.snapshot) {
    if (writer &&
        (writer->snapshots().empty() || writer->snapshots().back().step != f.snapshot->step))
      writer->write_fields(*f.snapshot);
    if (c.output.vti) write_vti(out.staged(vti_name), grid, *f.snapshot, c.output.vortex_fields);
  }
  const WallShearField& wss = f.wss;
  const WallAveraging::Averages& avg = f.averages;
  // The wall area each wall point stands for, where the run has a wall surface.
  const std::vector<double> area = surface.empty() || wss.point.empty()
                                       ? std::vector<double>{}
                                       : wall_point_areas(surface, wss.point);
  if (writer) {
    writer->write_wall(wss, avg.tawss, avg.osi, avg.duration, area);
    // A moving wall's run averages nothing (its wall points move): no series then.
    if (c.output.wall_series && !avg.series_time.empty())
      writer->write_wall_series(avg.series_time, avg.series_wss);
  }
  write_wall_vtp(out.staged(wall_name), wss, avg.tawss, avg.osi);
  if (!surface.empty() && !wss.point.empty())
    write_wall_surface_vtp(out.staged(wall_surface_name), surface, wss, avg.tawss, avg.osi);
}

// The time step and relaxation time a checkpoint was taken at: a resumed run must step alike.
class UnitsRecord final : public RunPart {
 public:
  explicit UnitsRecord(const Units& u) : dt_(u.dt()), tau_(u.tau()) {}
  std::string state_name() const override { return "units"; }
  PartState save() const override { return {{"dt", {dt_}}, {"tau", {tau_}}}; }
  void load(const PartState& s) override {
    const auto dt = s.find("dt"), tau = s.find("tau");
    if (dt == s.end() || tau == s.end() || dt->second.size() != 1 || tau->second.size() != 1)
      throw Error("the checkpoint does not say its time step and relaxation time");
    const auto differs = [](double a, double b) { return std::abs(a - b) > 1e-12 * std::abs(b); };
    if (differs(dt->second[0], dt_) || differs(tau->second[0], tau_))
      throw Error(fmt::format(
          "the checkpoint ran at dt = {:.6g} s, tau = {:.6g}; this case gives dt = {:.6g} s, "
          "tau = {:.6g}: resume with the time step, lattice and blood of the run that wrote it",
          dt->second[0], tau->second[0], dt_, tau_));
  }

 private:
  double dt_, tau_;
};

fs::path checkpoint_file(const fs::path& p) {
  return fs::is_directory(p) ? p / "checkpoint.h5" : p;
}

// The loop's parts, in the order each sample reaches them: the series first (the cycles average
// over it), the wall (a cycle's end closes its averages) before the cycles, checkpoints last.
struct Parts {
  std::optional<DiagnosticSeries> series;
  std::optional<WallAveraging> wall;
  std::optional<CycleMonitor> cycles;
  std::optional<FieldOutput> fields;
  std::optional<UnitsRecord> units;
  std::optional<Checkpoints> checkpoints;
};

void assemble(RunLoop& loop, Parts& p, const Case& c, Simulation& sim, ResultsWriter* writer,
              const fs::path& keep_dir, const std::string& case_text, double wall_before) {
  const Units& units = sim.units();
  const std::int64_t total = sim.total_steps();
  p.series.emplace(c.output.check_every, total, writer);
  loop.add(*p.series);
  // Wall shear stress: sampled with the diagnostics over the averaging window (the last cycle).
  // A chamber's wall moves: its wall points differ from sample to sample, so there is nothing to
  // average (TAWSS, OSI); the final state's wall shear stress is written alone.
  const bool moving = c.geometry.shape == ShapeKind::SurfaceSeries;
  const double window_start =
      moving ? std::numeric_limits<double>::infinity()
             : double(total) * units.dt() - averaging_time(c) - 0.5 * units.dt();
  p.wall.emplace(sim, window_start, !moving && c.time.cycles > 0, !moving && c.output.wall_series);
  loop.add(*p.wall);
  if (counted_period(c) > 0) {
    p.cycles.emplace(c.name, counted_period(c), units.dt(), c.time.cycles, c.time.cycle_tolerance,
                     *p.series, *p.wall);
    loop.add(*p.cycles);
  }
  if (const std::int64_t every = field_interval(c, units.dt(), total); c.output.hdf5 && every > 0) {
    p.fields.emplace(sim, writer, every, total, keep_dir);
    loop.add(*p.fields);
  }
  if (keep_dir.empty()) return;
  p.units.emplace(units);
  loop.add(*p.units);
  const std::int64_t every =
      c.output.checkpoint_interval > 0
          ? std::max<std::int64_t>(1, std::llround(c.output.checkpoint_interval / units.dt()))
          : 0;
  p.checkpoints.emplace(loop, sim, keep_dir / "checkpoint.h5", every,
                        c.output.checkpoint_wall_interval, total, case_text, wall_before);
  loop.add(*p.checkpoints);
}

// After the results are committed: the checkpoint and the snapshots kept for it.
void remove_checkpoints(const fs::path& dir) {
  std::error_code ec;
  fs::remove(dir / "checkpoint.h5", ec);
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("fields_", 0) == 0 && e.path().extension() == ".h5") fs::remove(e.path(), ec);
  }
  fs::remove(dir, ec);  // only when empty
}

// summary.json's content but for the files list.
RunSummary summarise(const Case& c, Simulation& sim, const Provenance& provenance,
                     std::int64_t steps, const DiagnosticSeries& series,
                     const CycleMonitor* cycles) {
  RunSummary s;
  s.name = c.name;
  s.hemotwin_version = provenance.version;
  s.git_commit = provenance.git_commit;
  s.steps = steps;
  s.total_steps = sim.total_steps();
  s.cycle_period = counted_period(c);
  if (cycles) {
    s.cycle_changes = cycles->changes();
    s.cycles_done = cycles->cycles_done();
    s.converged = cycles->finished();
  }
  s.simulated_time = sim.time();
  s.fluid_cells = sim.grid().fluid_cells;
  s.backend = provenance.backend;
  s.device = provenance.device;
  s.streaming = to_string(sim.streaming());
  s.precision = to_string(c.precision);
  s.lattice = to_string(c.lattice);
  s.collision = to_string(c.collision);
  s.dx = sim.units().dx();
  s.dt = sim.units().dt();
  s.tau = sim.units().tau();
  s.iolets = sim.iolets();
  s.sections = sim.sections();
  s.series = series.samples();
  return s;
}

// A run that fails before writing a checkpoint takes the snapshots it kept with it; one with a
// checkpoint (written or resumed from) leaves it, usable, with its snapshots.
struct KeepDirGuard {
  fs::path dir;
  const Parts* parts = nullptr;
  bool keep = false;
  ~KeepDirGuard() {
    if (dir.empty() || keep) return;
    if (parts && parts->checkpoints && parts->checkpoints->written() > 0) return;
    remove_checkpoints(dir);
  }
};

ResultsMetadata metadata(const Case& c, Simulation& sim, const Provenance& provenance,
                         const std::string& case_text) {
  ResultsMetadata meta;
  meta.provenance = provenance;
  meta.case_name = c.name;
  meta.case_text = case_text;
  meta.case_file = c.source_file;
  meta.dt = sim.units().dt();
  meta.sections = sim.sections();
  meta.cycle_period = cycle_period(c);
  return meta;
}

// Closes results.h5 and writes the XDMF index, case.toml, iolets.csv and summary.json (last),
// listing each in the summary.
void write_remaining_files(const Case& c, Simulation& sim, OutputDir& out, ResultsWriter* writer,
                           const std::string& case_text, RunSummary& summary) {
  if (writer) {
    writer->close();
    write_xdmf(out.staged(xdmf_name), hdf5_name, sim.grid(), writer->snapshots());
    summary.files.emplace_back("hdf5", hdf5_name);
    summary.files.emplace_back("xdmf", xdmf_name);
  }
  if (c.output.vti) summary.files.emplace_back("vti", vti_name);
  summary.files.emplace_back("wall", wall_name);
  if (fs::exists(out.staged(wall_surface_name)))
    summary.files.emplace_back("wall_surface", wall_surface_name);
  out.write_file(case_name, case_text);
  summary.files.emplace_back("case", case_name);
  out.write_file(csv_name, iolet_csv(summary.series, sim.iolets(), sim.sections()));
  summary.files.emplace_back("iolets_csv", csv_name);
  write_summary(out.staged(summary_name), summary);
}

}  // namespace

fs::path checkpoint_dir(const fs::path& output_dir) {
  fs::path dir = output_dir;
  if (!dir.has_filename()) dir = dir.parent_path();  // "results/" -> "results"
  return dir.parent_path() / (dir.filename().string() + ".checkpoint");
}

namespace {

// Off the root, run_case logs warnings and errors only: one process speaks for the run.
class QuietOffRoot {
 public:
  explicit QuietOffRoot(bool root) : before_(spdlog::get_level()), active_(!root) {
    if (active_ && before_ < spdlog::level::warn) spdlog::set_level(spdlog::level::warn);
  }
  ~QuietOffRoot() {
    if (active_) spdlog::set_level(before_);
  }
  QuietOffRoot(const QuietOffRoot&) = delete;
  QuietOffRoot& operator=(const QuietOffRoot&) = delete;

 private:
  spdlog::level::level_enum before_;
  bool active_;
};

// The checkpoint a run resumes from: read by the root; its run state reaches every process (the
// populations go through Simulation::restore).
std::optional<Checkpoint> read_resumed(Communicator* comm, const fs::path& resume_from) {
  if (resume_from.empty()) return std::nullopt;
  Checkpoint ckpt;
  on_root(comm, [&] { ckpt = read_checkpoint(checkpoint_file(resume_from)); });
  broadcast_run_state(comm, ckpt.run, ckpt.wall_time_s);
  return ckpt;
}

// Where a run's files go: the staging directory, and the checkpoint directory of a
// checkpointable run. Made by the root; `keep_dir` is known to every process.
struct Destination {
  std::optional<OutputDir> out;
  fs::path keep_dir;
  fs::path target;
};

void prepare_destination(Destination& d, Communicator* comm, const fs::path& output_dir,
                         bool checkpointable, const fs::path& resume_from) {
  on_root(comm, [&] {
    d.out.emplace(output_dir, summary_name);
    d.out->replace_on_commit(
        {hdf5_name, xdmf_name, vti_name, wall_surface_name, case_name, summary_name});
    d.target = d.out->target();
    if (!checkpointable) return;
    d.keep_dir = !resume_from.empty() ? checkpoint_file(resume_from).parent_path()
                                      : checkpoint_dir(d.out->target());
    fs::create_directories(d.keep_dir);
  });
  std::string keep = d.keep_dir.string(), target = d.target.string();
  broadcast_text(comm, keep);
  broadcast_text(comm, target);
  d.keep_dir = keep;
  d.target = target;
}

// The line on_info gets and the log shows: backend, device(s), streaming, processes.
std::string describe(Simulation& sim) {
  std::string info = std::string("backend ") + to_string(sim.backend()) + " (" + sim.device() +
                     "), " + to_string(sim.streaming()) + " streaming";
  if (sim.ranks() > 1) info += fmt::format(", split over {} processes", sim.ranks());
  return info;
}

}  // namespace

RunResult run_case(const Case& c, const fs::path& output_dir, const RunCallbacks& callbacks,
                   const fs::path& resume_from) {
  using Clock = std::chrono::steady_clock;
  Communicator* comm = callbacks.communicator.get();
  const bool root = is_root(comm);
  const QuietOffRoot quiet(root);

  // Errors up to on_info are about the case (the CLI reports them so): a checkpoint that is
  // damaged, or of another lattice, time step or relaxation time, among them.
  std::optional<Checkpoint> resumed = read_resumed(comm, resume_from);
  Built built = build(c, callbacks);
  Simulation& sim = *built.sim;
  if (resumed) {
    sim.restore(resumed->simulation);
    UnitsRecord(sim.units())
        .load(resumed->run.count("units") ? resumed->run.at("units") : PartState{});
  }
  const std::string backend = to_string(sim.backend());
  const std::string device = sim.device();
  const std::vector<std::string> devices = gather_text(comm, device);
  const std::string info = describe(sim);
  if (callbacks.on_info) callbacks.on_info(info);  // on every process: the case is built

  // The staging directory comes right after, so an unwritable output directory still fails
  // before any step is computed.
  const bool checkpointable = resumed || callbacks.should_checkpoint_and_stop ||
                              c.output.checkpoint_interval > 0 ||
                              c.output.checkpoint_wall_interval > 0;
  Destination dest;
  prepare_destination(dest, comm, output_dir, checkpointable, resume_from);
  const fs::path& keep_dir = dest.keep_dir;
  Parts parts;
  KeepDirGuard guard{root ? keep_dir : fs::path(), &parts, resumed.has_value()};

  const GridInfo& grid = sim.grid();
  const Units& units = sim.units();
  const std::int64_t total = sim.total_steps();
  const std::int64_t first_step = sim.step_count();
  spdlog::info("run '{}': {} steps of dt = {:.4g} s, {} fluid cells, {}", c.name, total, units.dt(),
               grid.fluid_cells, info);
  for (std::size_t r = 0; devices.size() > 1 && r < devices.size(); ++r)
    spdlog::info("run '{}': process {} of {}: {}", c.name, r, devices.size(), devices[r]);
  for (const auto& n : sim.notes()) spdlog::info("run '{}': {}", c.name, n);
  if (resumed)
    spdlog::info("run '{}': resumed at step {} ({:.4g} s) from {}", c.name, first_step, sim.time(),
                 checkpoint_file(resume_from).string());

  const Provenance provenance = Provenance::current(backend, device);
  const std::string case_text = c.source_text.empty() ? to_toml(c) : c.source_text;
  std::optional<ResultsWriter> writer;
  on_root(comm, [&] {
    if (c.output.hdf5)
      writer.emplace(dest.out->staged(hdf5_name), grid, sim.iolets(),
                     metadata(c, sim, provenance, case_text),
                     ResultsOptions{.vortex_fields = c.output.vortex_fields});
  });

  RunLoop loop(sim, comm);
  assemble(loop, parts, c, sim, writer ? &*writer : nullptr, keep_dir, case_text,
           resumed ? resumed->wall_time_s : 0.0);
  if (resumed) loop.load(resumed->run);

  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  auto mlups = [&](double seconds) {
    const double steps = static_cast<double>(sim.step_count() - first_step);
    return seconds > 0 ? static_cast<double>(grid.fluid_cells) * steps / seconds / 1e6 : 0.0;
  };
  std::int64_t last_progress = -1;
  auto progress = [&] {
    last_progress = sim.step_count();
    if (!callbacks.on_progress || !root) return;
    Progress p;
    p.step = sim.step_count();
    p.total_steps = total;
    p.elapsed_s = elapsed();
    p.mlups = mlups(p.elapsed_s);
    callbacks.on_progress(p);
  };
  // A signal may reach one process before another: all stop at the same step.
  bool checkpoint_requested = false;
  auto should_stop = [&] {
    const bool checkpoint =
        callbacks.should_checkpoint_and_stop && callbacks.should_checkpoint_and_stop();
    const bool stop = callbacks.should_stop && callbacks.should_stop();
    if (any_rank(comm, checkpoint)) return checkpoint_requested = true;
    return any_rank(comm, stop);
  };

  const bool stopped_early = loop.run(total, should_stop, progress, resumed.has_value());
  const std::int64_t final_step = sim.step_count();
  RunResult result;
  result.resumed_at = resumed ? first_step : -1;
  result.dt = units.dt();
  if (checkpoint_requested) {
    parts.checkpoints->write();
    guard.keep = true;
    result.checkpointed = result.stopped_early = true;
    result.checkpoint = parts.checkpoints->file();
    result.steps = final_step - first_step;
    result.wall_time_s = elapsed();
    result.mlups = mlups(result.wall_time_s);
    spdlog::info("run '{}': checkpoint at step {} of {}; nothing committed: resume from {}", c.name,
                 final_step, total, keep_dir.string());
    return result;
  }
  if (stopped_early)
    spdlog::info("run '{}': stop requested at step {} of {}", c.name, final_step, total);
  if (parts.series->samples().back().step != final_step) loop.sample();
  const double wall_time = elapsed();
  if (last_progress != final_step) progress();

  const FinalState final_state = gather_final(c, sim, *parts.wall);
  RunSummary summary = summarise(c, sim, provenance, final_step - first_step, *parts.series,
                                 parts.cycles ? &*parts.cycles : nullptr);
  summary.stopped_early = stopped_early;
  summary.wall_time_s = wall_time;
  summary.mlups = mlups(wall_time);
  summary.ranks = sim.ranks();
  summary.devices = devices;
  on_root(comm, [&] {
    OutputDir& out = *dest.out;
    if (parts.fields) parts.fields->adopt();
    write_final_outputs(c, grid, final_state, out, writer ? &*writer : nullptr, built.wall_surface);
    write_remaining_files(c, sim, out, writer ? &*writer : nullptr, case_text, summary);
    out.commit();
    if (checkpointable) remove_checkpoints(keep_dir);
  });

  result.directory = dest.target;
  if (c.output.hdf5) {
    result.hdf5 = dest.target / hdf5_name;
    result.xdmf = dest.target / xdmf_name;
  }
  result.summary = dest.target / summary_name;
  result.steps = summary.steps;
  result.wall_time_s = wall_time;
  result.mlups = summary.mlups;
  result.stopped_early = stopped_early;
  spdlog::info("run '{}': {} steps in {:.2f} s ({:.1f} MLUPS); results in {}", c.name, result.steps,
               wall_time, result.mlups, result.directory.string());
  return result;
}

}  // namespace hemotwin::io
