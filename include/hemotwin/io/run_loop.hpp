#pragma once
// The run loop of run_case as an object: a Simulation advanced from stop to stop, and parts that
// plug into it. Each part says where the loop must stop for it and what it does there: the
// diagnostics series, cardiac cycles, wall shear averaging, field output. Checkpoints, reductions
// over ranks and ensembles hook in the same way.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hemotwin/core/simulation.hpp"
#include "hemotwin/core/wall_shear.hpp"
#include "hemotwin/io/checkpoint.hpp"
#include "hemotwin/io/cycles.hpp"

namespace hemotwin::io {

class ResultsWriter;

/// A part of the run loop. The loop asks every part for its next stop, advances to the nearest,
/// takes a sample of the diagnostics when any part wants one there (every part sees every
/// sample, in the order the parts were added), then calls on_stop on each.
class RunPart {
 public:
  static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
  virtual ~RunPart() = default;
  /// The first step after `now` at which this part needs the loop to stop (`never`: none).
  virtual std::int64_t next_stop(std::int64_t /*now*/) const { return never; }
  /// Whether this part needs the diagnostics sampled at the stop `now`.
  virtual bool wants_sample(std::int64_t /*now*/) const { return false; }
  /// Every sample of the diagnostics, the initial state's included.
  virtual void on_sample(const Diagnostics& /*d*/) {}
  /// At every stop, after its sample (if one was taken).
  virtual void on_stop(std::int64_t /*now*/) {}
  /// True once the run may end before its last step (a periodic state reached).
  virtual bool finished() const { return false; }

  /// The name a checkpoint keeps this part's state under; empty: the part keeps none.
  virtual std::string state_name() const { return {}; }
  /// The part's state now, for a checkpoint.
  virtual PartState save() const { return {}; }
  /// Goes on from a state save() returned (on a fresh part). Throws hemotwin::Error naming what
  /// is missing or inconsistent.
  virtual void load(const PartState& /*state*/) {}
};

/// The diagnostics (iolet flows and pressures, mass, peak speed): a sample every `every` steps and
/// at the last step, each also recorded by the results writer when there is one.
class DiagnosticSeries final : public RunPart {
 public:
  DiagnosticSeries(std::int64_t every, std::int64_t total, ResultsWriter* writer);
  std::int64_t next_stop(std::int64_t now) const override;
  bool wants_sample(std::int64_t now) const override;
  void on_sample(const Diagnostics& d) override;
  std::string state_name() const override { return "series"; }
  PartState save() const override;
  void load(const PartState& state) override;  // the samples also go to the writer again
  const std::vector<Diagnostics>& samples() const { return samples_; }

 private:
  std::int64_t every_, total_;
  ResultsWriter* writer_;
  std::vector<Diagnostics> samples_;
};

/// Wall shear stress sampled with the diagnostics and time-averaged (TAWSS, OSI): over the window
/// from `window_start` (s) to the end; or, with cardiac cycles, cycle by cycle, keeping the last
/// complete cycle's. With `keep_series` the samples themselves too (float), for the results file.
/// In a run split over processes the wall is gathered onto rank 0, which alone averages it; the
/// others take part in the gathering and keep nothing (their averages are empty).
class WallAveraging final : public RunPart {
 public:
  WallAveraging(Simulation& sim, double window_start, bool by_cycle, bool keep_series);
  void on_sample(const Diagnostics& d) override;
  /// Closes a cardiac cycle: its averages and series become the ones kept, the next start empty.
  void end_cycle();
  std::string state_name() const override { return "wall"; }
  PartState save() const override;
  void load(const PartState& state) override;

  struct Averages {
    std::vector<double> tawss, osi;
    double duration = 0;  // s averaged over; 0: no average (the run ended before its window)
    std::vector<double> series_time;             // s
    std::vector<std::vector<float>> series_wss;  // per sample, 3 values (x, y, z) per wall point
  };
  /// The averages to report: the last complete cycle's with cycles, else the window's.
  Averages averages() const;
  /// The latest wall shear field, sampled now when the latest sample is older than the simulation.
  const WallShearField& latest();

 private:
  Simulation& sim_;
  double window_start_;
  bool by_cycle_, keep_series_;
  bool gathers_;  // holds the whole wall (rank 0 or alone)
  bool sampled_ = false;
  WallShearField wall_;
  std::optional<WallShearAverage> average_;
  double last_time_;
  Averages window_, cycle_;  // the open window's series; the last complete cycle's everything
};

/// Cardiac cycles: the loop stops (and samples) at the end of each; each cycle's iolet means are
/// compared with the previous cycle's, and the run ends once they change less than `tolerance`
/// (0: never early). Closes the wall averages' cycle too.
class CycleMonitor final : public RunPart {
 public:
  CycleMonitor(std::string run_name, double period, double dt, int cycles, double tolerance,
               const DiagnosticSeries& series, WallAveraging& wall);
  std::int64_t next_stop(std::int64_t now) const override;
  bool wants_sample(std::int64_t now) const override;
  void on_sample(const Diagnostics& d) override;
  bool finished() const override { return converged_; }
  std::string state_name() const override { return "cycles"; }
  PartState save() const override;
  void load(const PartState& state) override;

  int cycles_done() const { return int(stats_.size()); }
  const std::vector<CycleChange>& changes() const { return changes_; }

 private:
  std::int64_t end_step(int cycle) const;  // the step that ends cycle `cycle` (0-based)
  void end_cycle();

  std::string name_;
  double period_, dt_;
  int cycles_;
  double tolerance_;
  const DiagnosticSeries& series_;
  WallAveraging& wall_;
  std::vector<CycleStats> stats_;
  std::vector<CycleChange> changes_;
  bool converged_ = false;
};

/// Field snapshots every `every` steps before the last (run_case writes the final state once,
/// whatever the interval): into the results file; or, with a `keep_dir` (a checkpointed run),
/// each into a file of its own there, which outlives the process and goes into the results file
/// at the end (adopt()). In a run split over processes every process takes the snapshot (it is
/// gathered) and only rank 0, the one with a `writer`, writes it.
class FieldOutput final : public RunPart {
 public:
  FieldOutput(Simulation& sim, ResultsWriter* writer, std::int64_t every, std::int64_t total,
              std::filesystem::path keep_dir = {});
  std::int64_t next_stop(std::int64_t now) const override;
  void on_stop(std::int64_t now) override;
  std::string state_name() const override { return "fields"; }
  PartState save() const override;
  void load(const PartState& state) override;
  /// Copies the kept snapshots into the results file, in step order.
  void adopt();

 private:
  std::filesystem::path file(std::int64_t step) const;

  Simulation& sim_;
  ResultsWriter* writer_;
  std::int64_t every_, total_;
  std::filesystem::path keep_dir_;
  std::vector<std::int64_t> kept_;  // steps of the snapshots in keep_dir
};

class RunLoop;

/// Checkpoints of the run into `file` (replaced atomically): every `every` steps (0: never) and
/// at the first stop after each `wall_interval_s` of wall-clock time (0: never), never at the last
/// step; and when asked (write()). Add it last: a checkpoint holds what the other parts did at
/// its step. Split over processes, every process takes part (the state is gathered), rank 0
/// writes the file, and the wall clock of whichever process first reaches the interval decides.
class Checkpoints final : public RunPart {
 public:
  Checkpoints(const RunLoop& loop, Simulation& sim, std::filesystem::path file, std::int64_t every,
              double wall_interval_s, std::int64_t total, std::string case_text,
              double wall_time_before = 0);
  std::int64_t next_stop(std::int64_t now) const override;
  void on_stop(std::int64_t now) override;
  /// Writes a checkpoint of the state now.
  void write();
  const std::filesystem::path& file() const { return file_; }
  int written() const { return written_; }

 private:
  using Clock = std::chrono::steady_clock;
  const RunLoop& loop_;
  Simulation& sim_;
  std::filesystem::path file_;
  std::int64_t every_;
  double wall_interval_;
  std::int64_t total_;
  std::string case_text_;
  double wall_before_;  // s the run had taken before this process
  Clock::time_point start_, last_;
  int written_ = 0;
};

/// Advances a Simulation to `total` steps through the stops its parts need. Split over processes
/// (`comm`, the Simulation's), every process runs the same loop; the parts' decisions that could
/// differ between processes are agreed on through `comm`.
class RunLoop {
 public:
  explicit RunLoop(Simulation& sim, Communicator* comm = nullptr) : sim_(sim), comm_(comm) {}
  Communicator* communicator() const { return comm_; }
  /// Adds a part (kept by reference: it must outlive the loop's use).
  void add(RunPart& part) { parts_.push_back(&part); }

  /// Samples the initial state (unless `resumed`: the parts' states were loaded), then advances
  /// to step `total`. Before each advance it polls `should_stop` (true: returns early); after
  /// each sample taken at a stop it calls `after_sample`. Returns true when `should_stop` ended
  /// the run.
  bool run(std::int64_t total, const std::function<bool()>& should_stop = {},
           const std::function<void()>& after_sample = {}, bool resumed = false);
  /// Every part's state, by state name.
  std::map<std::string, PartState> save() const;
  /// Loads every part that keeps a state; throws hemotwin::Error when one is missing.
  void load(const std::map<std::string, PartState>& states);
  /// Samples the diagnostics now and hands them to every part.
  void sample();
  /// True once a part has finished the run early.
  bool finished() const;

 private:
  Simulation& sim_;
  Communicator* comm_;
  std::vector<RunPart*> parts_;
};

}  // namespace hemotwin::io
