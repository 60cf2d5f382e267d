// hemotwin: the command-line front door.
//
//   hemotwin --version
//   hemotwin run CASE.toml [--set KEY=VALUE]... [--output DIR] [--backend auto|cpu|cuda] [--quiet]
//   hemotwin check CASE.toml [--set KEY=VALUE]... [--backend ...] [--print-case]
//   hemotwin phantom KIND --output DIR [--modality ct|mr] [--spacing MM] ...
//   hemotwin segment SCAN --seed X,Y,Z... --output LABELS [--lower L] [--upper U] [--roi BOX] ...
//   hemotwin track FRAME... --wall SURFACE --period S --output SERIES.vtp [--reference N] ...
//   hemotwin voxelize SURFACE|LABELS [--spacing MM | --cells-across N] [--output DIR] ...
//   hemotwin analyze RESULTS [--proximal NAME --distal NAME] [--aortic-pressure-mmhg P] ...
//   hemotwin plan CASE.toml [--open S0:S1|auto | --exclude-sac X,Y,Z,R | --geometry FILE] ...
//   hemotwin progress CASE.toml --scan LATER [--scan ...] [--sac X,Y,Z,R] [--output DIR] ...
//   hemotwin report RUN|PLAN|PROGRESS [--output DIR] [--no-figures]   (figures: an X display)
//
// The libraries throw and never exit; this file alone turns errors into one line on stderr,
// "hemotwin: error: <message>", and an exit code:
//   0   success
//   1   the run failed (it diverged, a file could not be written, out of memory)
//   2   the command line or the case is wrong (including settings the units check refuses)
//   75  stopped by SIGTERM or SIGUSR1 after writing a checkpoint (resume with --resume)
//   130 stopped by Ctrl-C (SIGINT), after committing what was computed
#include <omp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "analysis_commands.hpp"
#include "failure.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/simulation.hpp"
#include "hemotwin/imaging/case_geometry.hpp"
#include "hemotwin/imaging/file_geometry.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/results_writer.hpp"
#include "hemotwin/io/run.hpp"
#include "hemotwin/version.hpp"
#include "imaging_commands.hpp"
#include "plan_command.hpp"
#include "processes.hpp"
#include "progress.hpp"
#include "progress_command.hpp"

namespace fs = std::filesystem;

namespace hemotwin::cli {
namespace {

// ---- signals
// ---------------------------------------------------------------------------------------

std::atomic<int> stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) {
  // Only async-signal-safe calls here. SA_RESETHAND made the next such signal fatal.
  stop_signal.store(sig);
  constexpr char stop[] =
      "\nhemotwin: stopping after the current steps and saving what was computed "
      "(press Ctrl-C again to abort without saving)\n";
  constexpr char checkpoint[] =
      "\nhemotwin: writing a checkpoint after the current steps, then stopping\n";
  [[maybe_unused]] const auto n = sig == SIGINT
                                      ? write(STDERR_FILENO, stop, sizeof stop - 1)
                                      : write(STDERR_FILENO, checkpoint, sizeof checkpoint - 1);
}

// SIGINT (Ctrl-C) stops a run and commits what it computed; SIGTERM and SIGUSR1 (what Slurm
// sends before a time limit) write a checkpoint and stop with exit_resume.
void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
}

bool checkpoint_signal(int sig) { return sig == SIGTERM || sig == SIGUSR1; }

// ---- output
// ----------------------------------------------------------------------------------------

void print_error(std::string message) {
  end_progress_line();
  for (auto& ch : message)
    if (ch == '\n' || ch == '\r') ch = ' ';
  std::fprintf(stderr, "hemotwin: error: %s\n", message.c_str());
  std::fflush(stderr);
}

void setup_logging(bool quiet) {
  auto logger = spdlog::stderr_color_mt("hemotwin");
  logger->set_pattern("[%H:%M:%S] %^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(quiet ? spdlog::level::warn : spdlog::level::info);
}

std::string version_text() {
  std::string s = std::string("hemotwin ") + version_string + " (commit " + git_commit + ")\n";
  s += std::string("CUDA backend: ") + (built_with_cuda ? "built" : "not built");
  if (built_with_cuda)
    s += cuda_device_available() ? "; device: " + cuda_device_description()
                                 : "; no device: " + cuda_device_description();
  s += "\nCPU backend: OpenMP, " + std::to_string(omp_get_max_threads()) + " threads";
  return s;
}

// ---- options
// ---------------------------------------------------------------------------------------

struct CaseOptions {
  std::string case_file;
  std::vector<std::string> sets;
  std::string backend;

  /// The overrides the case is read with: --set ones, then --backend.
  std::vector<std::string> overrides() const {
    auto out = sets;
    if (!backend.empty()) out.push_back("case.backend=" + backend);
    return out;
  }
};

struct RunOptions : CaseOptions {
  std::string output;
  std::string resume;  // a checkpoint directory (or its checkpoint.h5) to go on from
  bool quiet = false;
};

struct PlanCliOptions : CaseOptions {
  PlanOptions plan;
};

struct ProgressCliOptions : CaseOptions {
  ProgressOptions progress;
};

struct CheckOptions : CaseOptions {
  bool print_case = false;
};

void add_case_options(CLI::App& cmd, CaseOptions& o) {
  cmd.add_option("case", o.case_file, "The case file (TOML; see docs/case-file.md)")
      ->required()
      ->type_name("CASE.toml");
  cmd.add_option("--set", o.sets,
                 "Override a key of the case, e.g. --set inlet.mean_velocity_m_s=0.3 or "
                 "--set case.backend=cpu (repeatable; the value is TOML, or else a string)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd.add_option("--backend", o.backend,
                 "Backend to run on: auto (CUDA when a device is present, else CPU), cpu or cuda; "
                 "the same as --set case.backend=...")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
}

Case load(const CaseOptions& o) {
  std::vector<std::string> notes;
  try {
    Case c = io::load_case(o.case_file, o.overrides(), &notes);
    for (const auto& n : notes) spdlog::warn("{}: {}", o.case_file, n);
    return c;
  } catch (const Error& e) {
    throw Failure(exit_usage, e.what());
  }
}

// An error from building the simulation, placed at the key's line (or --set/--backend).
std::string placed(const Error& e, const CaseOptions& o) {
  std::string msg = io::locate_error(e, o.overrides(), o.case_file).what();
  const std::string via_set = "--set case.backend: ";
  if (!o.backend.empty() && msg.starts_with(via_set))
    msg = "--backend " + o.backend + ": " + msg.substr(via_set.size());
  return msg;
}

// Geometry read from a file (surface, label map, scan): prepared here, where ITK and VTK are, and
// its openings reported.
io::FileGeometry prepare_file_geometry(const Case& c) {
  const auto t0 = std::chrono::steady_clock::now();
  imaging::PreparedGeometry g = imaging::prepare_geometry(c);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  spdlog::info("geometry {}: {} wall triangles, {} openings, lattice spacing {:.4g} mm ({:.1f} s)",
               g.file.filename().string(), g.wall.triangles.size(), g.openings.size(), g.spacing_mm,
               seconds);
  if (g.segmented_volume_mm3 > 0)
    spdlog::info("  segmented lumen {:.1f} mm^3", g.segmented_volume_mm3);
  for (const auto& n : g.notes) spdlog::info("  {}", n);
  for (const auto& w : g.warnings) spdlog::warn("{}: {}", g.file.filename().string(), w);
  for (const auto& o : g.openings)
    spdlog::info(
        "  {}: {}, area {:.3g} mm^2 (radius {:.3g} mm), centre ({:.2f}, {:.2f}, {:.2f}) mm, "
        "outward normal ({:.3f}, {:.3f}, {:.3f}){}",
        o.name, o.kind == IoletKind::VelocityInlet ? "inlet" : "outlet", o.area, o.radius,
        o.centre.x(), o.centre.y(), o.centre.z(), o.normal.x(), o.normal.y(), o.normal.z(),
        o.extension > 0 ? fmt::format(", extended {:.3g} diameters", o.extension) : "");
  return imaging::to_file_geometry(std::move(g));
}

std::unique_ptr<Simulation> create_simulation(const Case& c) {
  return is_file_shape(c.geometry.shape) ? Simulation::create(c, prepare_file_geometry(c).domain)
                                         : Simulation::create(c);
}

// ---- hemotwin run
// ----------------------------------------------------------------------------------

// Directories that do not exist yet on the way to `dir` (deepest last), to remove again when a
// run fails, so that a failed run leaves no empty directory behind.
std::vector<fs::path> missing_ancestors(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::path p = fs::absolute(dir, ec).parent_path(); !p.empty() && !fs::exists(p, ec);
       p = p.parent_path()) {
    out.insert(out.begin(), p);
    if (p == p.root_path()) break;
  }
  return out;
}

void remove_if_empty(const std::vector<fs::path>& dirs) {
  std::error_code ec;
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it)
    if (fs::is_directory(*it, ec) && fs::is_empty(*it, ec)) fs::remove(*it, ec);
}

void print_results(const io::RunResult& r, const fs::path& dir, const Case& c) {
  std::printf("Results in %s\n", r.directory.string().c_str());
  if (!r.xdmf.empty())
    std::printf("  results.xdmf   open in ParaView:  paraview %s\n",
                (dir / "results.xdmf").string().c_str());
  if (!r.hdf5.empty())
    std::printf(
        "  results.h5     fields, iolet time series, the case as run (HDF5; h5py, h5dump)\n");
  if (c.output.vti)
    std::printf("  results.vti    VTK image data:    paraview %s\n",
                (dir / "results.vti").string().c_str());
  std::printf("  summary.json   steps, timing, flow and pressure at the iolets, mass balance\n");
  std::fflush(stdout);
}

int run_command(const RunOptions& o, const Processes& processes) {
  const bool root = processes.rank() == 0;
  install_stop_handlers();
  Case c = load(o);
  const fs::path out = o.output.empty() ? fs::path(c.output.directory) : fs::path(o.output);
  c.output.directory = out.string();
  if (const int sig = stop_signal.load(); sig != 0) {
    spdlog::warn("stopped before the run started; nothing was written");
    return 128 + sig;
  }

  const bool terminal = isatty(STDERR_FILENO) != 0 && std::getenv("TERM") &&
                        std::string(std::getenv("TERM")) != "dumb";
  ProgressReporter progress(o.quiet    ? ProgressReporter::Style::None
                            : terminal ? ProgressReporter::Style::Bar
                                       : ProgressReporter::Style::Lines);
  bool built = false;
  io::RunCallbacks callbacks;
  callbacks.communicator = processes.communicator();
  callbacks.on_info = [&](const std::string& info) {
    built = true;
    spdlog::info("{}", info);
  };
  callbacks.on_progress = [&](const io::Progress& p) { progress.update(p); };
  if (is_file_shape(c.geometry.shape)) callbacks.geometry = prepare_file_geometry;
  callbacks.should_stop = [&] {
    if (stop_signal.load() != SIGINT) return false;
    progress.finish();
    return true;
  };
  callbacks.should_checkpoint_and_stop = [&] {
    if (!checkpoint_signal(stop_signal.load())) return false;
    progress.finish();
    return true;
  };

  spdlog::info("case '{}' from {}, results to {}", c.name, o.case_file, out.string());
  const auto created = root ? missing_ancestors(out) : std::vector<fs::path>{};
  io::RunResult result;
  try {
    result = io::run_case(c, out, callbacks, o.resume);
  } catch (const DivergenceError& e) {
    progress.finish();
    remove_if_empty(created);
    throw Failure(exit_run_failed, e.what());
  } catch (const Error& e) {
    progress.finish();
    remove_if_empty(created);
    // Before the simulation was built, an error is about the case (units check, geometry).
    if (!built) throw Failure(exit_usage, placed(e, o));
    throw Failure(exit_run_failed, e.what());
  } catch (...) {
    progress.finish();
    remove_if_empty(created);
    throw;
  }
  progress.finish();

  if (result.checkpointed) {
    // As the user named it: the directory given to --resume, or the one beside --output.
    const fs::path dir = o.resume.empty() ? io::checkpoint_dir(out) : fs::path(o.resume);
    if (root)
      spdlog::warn(
          "stopped by {} after {} steps; checkpoint in {}: resume with hemotwin run {} "
          "--output {} --resume {}",
          stop_signal.load() == SIGUSR1 ? "SIGUSR1" : "SIGTERM", result.steps,
          result.checkpoint.string(), o.case_file, out.string(), dir.string());
    return exit_resume;
  }
  if (!o.quiet && root) print_results(result, out, c);
  if (result.stopped_early) {
    const int sig = stop_signal.load();
    if (root)
      spdlog::warn("stopped by Ctrl-C after {} steps; the results hold the state reached",
                   result.steps);
    return 128 + (sig != 0 ? sig : SIGINT);
  }
  return exit_ok;
}

// ---- hemotwin check
// --------------------------------------------------------------------------------

int check_command(const CheckOptions& o) {
  Case c = load(o);
  std::unique_ptr<Simulation> sim;
  try {
    sim = create_simulation(c);
  } catch (const Error& e) {
    throw Failure(exit_usage, placed(e, o));
  }
  const auto& g = sim->grid();
  const auto steps = sim->total_steps();
  std::printf("%s: case '%s' is valid\n", o.case_file.c_str(), c.name.c_str());
  std::printf("  lattice   %s, %s, %s; %lld fluid cells in a %d x %d x %d box\n",
              to_string(c.lattice), to_string(c.precision), to_string(c.collision),
              static_cast<long long>(g.fluid_cells), g.cells[0], g.cells[1], g.cells[2]);
  std::printf("  units     %s\n", sim->units().describe().c_str());
  std::printf("  time      %lld steps for %g s (%.3g cell updates)\n",
              static_cast<long long>(steps), c.time.duration,
              static_cast<double>(steps) * static_cast<double>(g.fluid_cells));
  std::printf("  backend   %s (%s), %s streaming\n", to_string(sim->backend()),
              sim->device().c_str(), to_string(sim->streaming()));
  std::printf("  results   %s\n", c.output.directory.c_str());
  for (const auto& n : sim->notes()) std::printf("  note      %s\n", n.c_str());
  if (o.print_case) std::printf("\n%s", io::to_toml(c).c_str());
  return exit_ok;
}

// ---- main
// ------------------------------------------------------------------------------------------

int main_impl(int argc, char** argv, const Processes& processes) {
  CLI::App app{"hemotwin: patient-specific blood flow with the lattice-Boltzmann method",
               "hemotwin"};
  app.set_version_flag("--version", version_text, "Print the version, git commit and CUDA support");
  app.footer(
      "Examples:\n"
      "  hemotwin run examples/cases/stenosis.toml\n"
      "  hemotwin run case.toml --set inlet.mean_velocity_m_s=0.3 --output results/faster\n"
      "  hemotwin check case.toml --print-case\n"
      "  hemotwin phantom stenosis --output phantom/\n"
      "  hemotwin segment phantom/scan.nii.gz --seed 5,0,0 --roi 2,-6,-6,38,6,6 \\\n"
      "      --output phantom/lumen.nrrd --surface phantom/wall.vtp\n"
      "  hemotwin voxelize phantom/wall.vtp --cells-across 20 --output phantom/lattice\n"
      "  hemotwin analyze results/stenosis --proximal proximal --distal distal\n"
      "\n"
      "Exit codes: 0 success; 1 the run failed (diverged, I/O); 2 bad command line or case;\n"
      "130 stopped by Ctrl-C (results hold the state reached).\n"
      "Case files are described in docs/case-file.md.");

  RunOptions run_opts;
  CLI::App* run =
      app.add_subcommand("run", "Run a case and write its results (HDF5 + XDMF, summary.json)");
  add_case_options(*run, run_opts);
  run->add_option("-o,--output", run_opts.output,
                  "Results directory (default: output.directory of the case, else "
                  "results/<case name>; relative paths are relative to the current directory)")
      ->type_name("DIR")
      ->check([](const std::string& dir) {
        return dir.empty() ? std::string("empty path") : std::string();
      });
  run->add_option("--resume", run_opts.resume,
                  "Go on from a checkpoint: its directory (<output>.checkpoint, written by "
                  "output.checkpoint_interval_s, _wall_interval_s or SIGTERM/SIGUSR1) or its "
                  "checkpoint.h5")
      ->type_name("DIR")
      ->check(CLI::ExistingPath);
  run->add_flag("-q,--quiet", run_opts.quiet, "Print errors and warnings only");

  CheckOptions check_opts;
  CLI::App* check = app.add_subcommand(
      "check", "Validate a case and report its lattice, units and cost without running it");
  add_case_options(*check, check_opts);
  check->add_flag("--print-case", check_opts.print_case,
                  "Also print the case with every key written out (defaults included)");

  PhantomOptions phantom_opts;
  CLI::App* phantom = add_phantom_command(app, phantom_opts);
  SegmentOptions segment_opts;
  CLI::App* segment = add_segment_command(app, segment_opts);
  TrackOptions track_opts;
  CLI::App* track = add_track_command(app, track_opts);
  VoxelizeOptions voxelize_opts;
  CLI::App* voxelize = add_voxelize_command(app, voxelize_opts);
  AnalyzeOptions analyze_opts;
  CLI::App* analyze = add_analyze_command(app, analyze_opts);
  ReportCliOptions report_opts;
  CLI::App* report_cmd = add_report_command(app, report_opts);
  PlanCliOptions plan_opts;
  CLI::App* plan = app.add_subcommand(
      "plan",
      "A virtual intervention on a label-map case (angioplasty --open, coiling --exclude-sac, or "
      "another label map --geometry): run it before and after with the same settings and "
      "compare every metric (comparison.json)");
  add_case_options(*plan, plan_opts);
  add_plan_options(*plan, plan_opts.plan);
  ProgressCliOptions progress_opts;
  CLI::App* progress = app.add_subcommand(
      "progress",
      "Serial scans of one patient: register them to the case's scan, segment and measure each "
      "alike (aneurysm volume, diameters, neck; stenosis), simulate each under the case's "
      "boundary conditions, and report the changes (progression.json)");
  add_case_options(*progress, progress_opts);
  add_progress_options(*progress, progress_opts.progress);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version: printed on stdout, exit 0
  } catch (const CLI::ParseError& e) {
    const std::string where =
        app.get_subcommands().empty()
            ? std::string("hemotwin --help")
            : "hemotwin " + app.get_subcommands().front()->get_name() + " --help";
    throw Failure(exit_usage, std::string(e.what()) + " (see '" + where + "')");
  }

  if (run->parsed()) {
    setup_logging(run_opts.quiet || processes.rank() != 0);
    return run_command(run_opts, processes);
  }
  for (const CLI::App* sub : app.get_subcommands()) processes.require_alone(sub->get_name());
  if (check->parsed()) {
    setup_logging(false);
    return check_command(check_opts);
  }
  if (phantom->parsed()) return phantom_command(phantom_opts);
  if (track->parsed()) return track_command(track_opts);
  if (voxelize->parsed()) return voxelize_command(voxelize_opts);
  if (analyze->parsed()) return analyze_command(analyze_opts);
  if (report_cmd->parsed()) return report_command(report_opts);
  if (plan->parsed()) {
    setup_logging(plan_opts.plan.quiet);
    return plan_command(
        plan_opts.plan, [&] { return load(plan_opts); }, prepare_file_geometry);
  }
  if (progress->parsed()) {
    setup_logging(progress_opts.progress.quiet);
    return progress_command(progress_opts.progress, [&] { return load(progress_opts); });
  }
  if (segment->parsed()) {
    segment_opts.has_lower = segment->count("--lower") > 0;
    segment_opts.has_upper = segment->count("--upper") > 0;
    return segment_command(segment_opts);
  }
  throw Failure(exit_usage, "no command given; try 'hemotwin run CASE.toml' or 'hemotwin --help'");
}

}  // namespace
}  // namespace hemotwin::cli

namespace hemotwin::cli {
namespace {
// The exit code of an error that ended the program, with its message on stderr: from every
// process where it cannot have been thrown on all (hemotwin's own errors are thrown alike on
// every process of a split run), else from the first only.
int report(std::exception_ptr failure, int rank) {
  std::string message;
  int code = exit_run_failed;
  bool everywhere = true;
  try {
    std::rethrow_exception(failure);
  } catch (const Failure& f) {
    message = f.what();
    code = f.code();
  } catch (const Error& e) {  // DivergenceError among them
    message = e.what();
  } catch (const std::bad_alloc&) {
    message =
        "out of memory; use a coarser lattice (geometry.cells_across_diameter) or a machine "
        "with more memory";
    everywhere = false;
  } catch (const std::exception& e) {
    message = e.what();
    everywhere = false;
  } catch (...) {
    message = "unexpected error of unknown type";
    everywhere = false;
  }
  if (rank == 0)
    print_error(message);
  else if (!everywhere)
    print_error("process " + std::to_string(rank) + ": " + message);
  return code;
}
}  // namespace
}  // namespace hemotwin::cli

int main(int argc, char** argv) {
  using namespace hemotwin;
  io::configure_hdf5_for_program();
  std::unique_ptr<cli::Processes> processes;
  int code = cli::exit_ok;
  try {
    processes = std::make_unique<cli::Processes>(argc, argv);
    return cli::main_impl(argc, argv, *processes);
  } catch (...) {
    code = cli::report(std::current_exception(), processes ? processes->rank() : 0);
  }
  // A failure on one process must not leave the others waiting for it.
  return processes ? processes->end_all(code) : code;
}
