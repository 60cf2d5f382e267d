#include "hemotwin/io/run_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/checkpoint.hpp"
#include "hemotwin/io/ranks.hpp"
#include "hemotwin/io/results_writer.hpp"

namespace hemotwin::io {

namespace fs = std::filesystem;

namespace {

// ---- reading and writing part states

const std::vector<double>& need(const PartState& s, const char* part, const std::string& key) {
  const auto it = s.find(key);
  if (it == s.end())
    throw Error(std::string("the checkpoint's run state '") + part + "' has no '" + key + "'");
  return it->second;
}

double scalar(const PartState& s, const char* part, const std::string& key) {
  const auto& v = need(s, part, key);
  if (v.size() != 1)
    throw Error(std::string("the checkpoint's run state '") + part + "/" + key +
                "' is not one number");
  return v[0];
}

// A flat array as `rows` rows of equal length.
std::vector<std::vector<double>> split(const PartState& s, const char* part, const std::string& key,
                                       std::size_t rows) {
  const auto& flat = need(s, part, key);
  if (rows == 0 ? !flat.empty() : flat.size() % rows != 0)
    throw Error(std::string("the checkpoint's run state '") + part + "/" + key + "' holds " +
                std::to_string(flat.size()) + " values, not " + std::to_string(rows) +
                " rows of one length");
  std::vector<std::vector<double>> out(rows);
  const std::size_t n = rows ? flat.size() / rows : 0;
  for (std::size_t r = 0; r < rows; ++r)
    out[r].assign(flat.begin() + std::ptrdiff_t(r * n), flat.begin() + std::ptrdiff_t(r * n + n));
  return out;
}

template <class V>
void append(std::vector<double>& to, const V& values) {
  to.insert(to.end(), values.begin(), values.end());
}

void put_series(PartState& s, const std::string& prefix, const WallAveraging::Averages& a) {
  s[prefix + "_time"] = a.series_time;
  auto& flat = s[prefix + "_wss"];
  for (const auto& row : a.series_wss) append(flat, row);
}

void get_series(const PartState& s, const std::string& prefix, WallAveraging::Averages& a) {
  a.series_time = need(s, "wall", prefix + "_time");
  a.series_wss.clear();
  for (const auto& row : split(s, "wall", prefix + "_wss", a.series_time.size()))
    a.series_wss.emplace_back(row.begin(), row.end());  // float values, exact in double
}

}  // namespace

// ---- DiagnosticSeries

DiagnosticSeries::DiagnosticSeries(std::int64_t every, std::int64_t total, ResultsWriter* writer)
    : every_(std::max<std::int64_t>(1, every)), total_(total), writer_(writer) {}

std::int64_t DiagnosticSeries::next_stop(std::int64_t now) const {
  return (now / every_ + 1) * every_;
}

bool DiagnosticSeries::wants_sample(std::int64_t now) const {
  return now % every_ == 0 || now == total_;
}

void DiagnosticSeries::on_sample(const Diagnostics& d) {
  if (writer_) writer_->append_diagnostics(d);
  samples_.push_back(d);
}

namespace {
constexpr const char* kSeriesRows[] = {"iolet_flow", "iolet_pressure", "iolet_boundary_pressure",
                                       "section_flow", "section_pressure"};
std::vector<double> Diagnostics::*const kSeriesMembers[] = {
    &Diagnostics::iolet_flow, &Diagnostics::iolet_pressure, &Diagnostics::iolet_boundary_pressure,
    &Diagnostics::section_flow, &Diagnostics::section_pressure};
// One value per sample. The first three are in every checkpoint; the others came later (a
// checkpoint written before them resumes with NaN there).
constexpr const char* kScalarNames[] = {
    "time",           "mass",        "max_speed",          "fluid_volume",
    "kinetic_energy", "wall_volume", "viscous_dissipation"};
double Diagnostics::*const kScalars[] = {&Diagnostics::time,
                                         &Diagnostics::mass,
                                         &Diagnostics::max_speed,
                                         &Diagnostics::fluid_volume,
                                         &Diagnostics::kinetic_energy,
                                         &Diagnostics::wall_volume,
                                         &Diagnostics::viscous_dissipation};
constexpr std::size_t kRequiredScalars = 3;
}  // namespace

PartState DiagnosticSeries::save() const {
  PartState s;
  s["step"];
  for (const char* key : kScalarNames) s[key];
  for (const char* key : kSeriesRows) s[key];
  for (const Diagnostics& d : samples_) {
    s["step"].push_back(double(d.step));
    for (std::size_t k = 0; k < std::size(kScalars); ++k)
      s[kScalarNames[k]].push_back(d.*kScalars[k]);
    for (std::size_t k = 0; k < std::size(kSeriesRows); ++k)
      append(s[kSeriesRows[k]], d.*kSeriesMembers[k]);
  }
  return s;
}

void DiagnosticSeries::load(const PartState& s) {
  const std::vector<double>& step = need(s, "series", "step");
  const std::size_t n = step.size();
  std::vector<std::vector<std::vector<double>>> rows;
  for (const char* key : kSeriesRows) rows.push_back(split(s, "series", key, n));
  std::vector<const std::vector<double>*> scalars;
  for (std::size_t k = 0; k < std::size(kScalars); ++k) {
    const auto it = s.find(kScalarNames[k]);
    if (k < kRequiredScalars) need(s, "series", kScalarNames[k]);
    scalars.push_back(it == s.end() ? nullptr : &it->second);
    if (scalars.back() && scalars.back()->size() != n)
      throw Error("the checkpoint's run state 'series' has columns of different lengths");
  }
  std::vector<Diagnostics> samples(n);
  for (std::size_t i = 0; i < n; ++i) {
    Diagnostics& d = samples[i];
    d.step = std::int64_t(step[i]);
    for (std::size_t k = 0; k < scalars.size(); ++k)
      d.*kScalars[k] = scalars[k] ? (*scalars[k])[i] : std::numeric_limits<double>::quiet_NaN();
    for (std::size_t k = 0; k < rows.size(); ++k) d.*kSeriesMembers[k] = std::move(rows[k][i]);
  }
  samples_.clear();
  for (const Diagnostics& d : samples) on_sample(d);
}

// ---- WallAveraging

WallAveraging::WallAveraging(Simulation& sim, double window_start, bool by_cycle, bool keep_series)
    : sim_(sim),
      window_start_(window_start),
      by_cycle_(by_cycle),
      keep_series_(keep_series),
      gathers_(sim.rank() == 0),
      last_time_(by_cycle ? 0.0 : window_start) {}

void WallAveraging::on_sample(const Diagnostics& /*d*/) {
  if (!by_cycle_ && sim_.time() < window_start_) return;
  wall_ = sim_.wall_shear();
  sampled_ = true;
  if (!gathers_) return;
  if (!average_) average_.emplace(wall_.point.size());
  if (wall_.time > last_time_) average_->add(wall_.wss, wall_.time - last_time_);
  last_time_ = wall_.time;
  auto& times = window_.series_time;
  if (keep_series_ && (times.empty() || wall_.time > times.back())) {
    std::vector<float> v(3 * wall_.wss.size());
    for (std::size_t k = 0; k < wall_.wss.size(); ++k)
      for (int a = 0; a < 3; ++a) v[3 * k + std::size_t(a)] = float(wall_.wss[k][a]);
    times.push_back(wall_.time);
    window_.series_wss.push_back(std::move(v));
  }
}

void WallAveraging::end_cycle() {
  if (!gathers_) return;
  if (average_) {
    cycle_.tawss = average_->tawss();
    cycle_.osi = average_->osi();
    cycle_.duration = average_->duration();
    average_->reset();
  }
  if (!window_.series_time.empty()) {
    // The cycle's last sample also opens the next cycle's series (the trapezoid needs both ends).
    cycle_.series_time = window_.series_time;
    cycle_.series_wss = window_.series_wss;
    window_.series_time.erase(window_.series_time.begin(), window_.series_time.end() - 1);
    window_.series_wss.erase(window_.series_wss.begin(), window_.series_wss.end() - 1);
  }
}

PartState WallAveraging::save() const {
  PartState s;
  s["last_time"] = {last_time_};
  if (average_) {
    auto& integral = s["integral"];
    for (const Vec3& v : average_->integral()) append(integral, v);
    s["magnitude_integral"] = average_->magnitude_integral();
    s["duration"] = {average_->duration()};
  }
  put_series(s, "window", window_);
  s["cycle_tawss"] = cycle_.tawss;
  s["cycle_osi"] = cycle_.osi;
  s["cycle_duration"] = {cycle_.duration};
  put_series(s, "cycle", cycle_);
  return s;
}

void WallAveraging::load(const PartState& s) {
  if (!gathers_) return;
  last_time_ = scalar(s, "wall", "last_time");
  average_.reset();
  if (s.count("integral")) {
    const auto& magnitude = need(s, "wall", "magnitude_integral");
    std::vector<Vec3> integral;
    for (const auto& row : split(s, "wall", "integral", magnitude.size()))
      integral.emplace_back(row.at(0), row.at(1), row.at(2));
    average_.emplace(magnitude.size());
    average_->restore(integral, magnitude, scalar(s, "wall", "duration"));
  }
  get_series(s, "window", window_);
  cycle_.tawss = need(s, "wall", "cycle_tawss");
  cycle_.osi = need(s, "wall", "cycle_osi");
  cycle_.duration = scalar(s, "wall", "cycle_duration");
  get_series(s, "cycle", cycle_);
}

WallAveraging::Averages WallAveraging::averages() const {
  if (by_cycle_ && cycle_.duration > 0) return cycle_;
  Averages a;
  if (!by_cycle_ && average_ && average_->duration() > 0) {
    a.tawss = average_->tawss();
    a.osi = average_->osi();
    a.duration = average_->duration();
  }
  a.series_time = window_.series_time;
  a.series_wss = window_.series_wss;
  return a;
}

const WallShearField& WallAveraging::latest() {
  if (!sampled_ || wall_.time != sim_.time()) wall_ = sim_.wall_shear();
  sampled_ = true;
  return wall_;
}

// ---- CycleMonitor

CycleMonitor::CycleMonitor(std::string run_name, double period, double dt, int cycles,
                           double tolerance, const DiagnosticSeries& series, WallAveraging& wall)
    : name_(std::move(run_name)),
      period_(period),
      dt_(dt),
      cycles_(cycles),
      tolerance_(tolerance),
      series_(series),
      wall_(wall) {}

std::int64_t CycleMonitor::end_step(int cycle) const {
  return std::llround((cycle + 1) * period_ / dt_);
}

std::int64_t CycleMonitor::next_stop(std::int64_t now) const {
  const std::int64_t end = end_step(cycles_done());
  return end > now ? end : never;
}

bool CycleMonitor::wants_sample(std::int64_t now) const { return now == end_step(cycles_done()); }

void CycleMonitor::on_sample(const Diagnostics& d) {
  if (d.step >= end_step(cycles_done())) end_cycle();
}

void CycleMonitor::end_cycle() {
  const int k = cycles_done();
  wall_.end_cycle();
  stats_.push_back(
      cycle_stats(series_.samples(), k * period_ - 0.5 * dt_, (k + 1) * period_ + 0.5 * dt_));
  if (k == 0) {
    spdlog::info("run '{}': cycle 1 of {} done", name_, cycles_);
    return;
  }
  const CycleChange ch = cycle_change(stats_[std::size_t(k) - 1], stats_[std::size_t(k)], k + 1);
  changes_.push_back(ch);
  spdlog::info(
      "run '{}': cycle {} of {}: change from cycle {}: pressure {:.3g} %, flow {:.3g} % (the "
      "largest over the inlets and outlets)",
      name_, k + 1, cycles_, k, 100 * ch.pressure, 100 * ch.flow);
  if (tolerance_ > 0 && ch.largest() < tolerance_) {
    converged_ = true;
    spdlog::info("run '{}': periodic within {:.3g} % after {} cycles; stopping", name_,
                 100 * tolerance_, k + 1);
  }
}

namespace {
std::vector<double> CycleStats::*const kStatsRows[] = {
    &CycleStats::flow, &CycleStats::pressure, &CycleStats::pressure_min, &CycleStats::pressure_max};
constexpr const char* kStatsKeys[] = {"flow", "pressure", "pressure_min", "pressure_max"};
}  // namespace

PartState CycleMonitor::save() const {
  PartState s;
  for (const char* key : {"start", "end", "change_cycle", "change_pressure", "change_flow"}) s[key];
  for (const char* key : kStatsKeys) s[key];
  for (const CycleStats& c : stats_) {
    s["start"].push_back(c.start);
    s["end"].push_back(c.end);
    for (std::size_t k = 0; k < std::size(kStatsKeys); ++k)
      append(s[kStatsKeys[k]], c.*kStatsRows[k]);
  }
  for (const CycleChange& c : changes_) {
    s["change_cycle"].push_back(c.cycle);
    s["change_pressure"].push_back(c.pressure);
    s["change_flow"].push_back(c.flow);
  }
  s["converged"] = {converged_ ? 1.0 : 0.0};
  return s;
}

void CycleMonitor::load(const PartState& s) {
  const auto& start = need(s, "cycles", "start");
  const auto& end = need(s, "cycles", "end");
  const std::size_t n = start.size();
  if (end.size() != n) throw Error("the checkpoint's cycles have starts and ends of other counts");
  stats_.assign(n, CycleStats{});
  for (std::size_t k = 0; k < std::size(kStatsKeys); ++k) {
    auto rows = split(s, "cycles", kStatsKeys[k], n);
    for (std::size_t i = 0; i < n; ++i) stats_[i].*kStatsRows[k] = std::move(rows[i]);
  }
  for (std::size_t i = 0; i < n; ++i) stats_[i].start = start[i], stats_[i].end = end[i];
  const auto& cycle = need(s, "cycles", "change_cycle");
  const auto& pressure = need(s, "cycles", "change_pressure");
  const auto& flow = need(s, "cycles", "change_flow");
  if (pressure.size() != cycle.size() || flow.size() != cycle.size())
    throw Error("the checkpoint's cycle changes have columns of different lengths");
  changes_.clear();
  for (std::size_t i = 0; i < cycle.size(); ++i)
    changes_.push_back({int(cycle[i]), pressure[i], flow[i]});
  converged_ = scalar(s, "cycles", "converged") != 0;
}

// ---- FieldOutput

FieldOutput::FieldOutput(Simulation& sim, ResultsWriter* writer, std::int64_t every,
                         std::int64_t total, fs::path keep_dir)
    : sim_(sim), writer_(writer), every_(every), total_(total), keep_dir_(std::move(keep_dir)) {}

std::int64_t FieldOutput::next_stop(std::int64_t now) const {
  return every_ > 0 ? (now / every_ + 1) * every_ : never;
}

fs::path FieldOutput::file(std::int64_t step) const {
  return keep_dir_ / fmt::format("fields_{:010d}.h5", step);
}

void FieldOutput::on_stop(std::int64_t now) {
  if (every_ <= 0 || now % every_ != 0 || now >= total_) return;
  const FieldSnapshot snapshot = sim_.snapshot();  // gathered: every process takes part
  if (!keep_dir_.empty()) kept_.push_back(now);
  if (!writer_) return;
  if (keep_dir_.empty())
    writer_->write_fields(snapshot);
  else
    writer_->write_fields_file(file(now), snapshot);
}

PartState FieldOutput::save() const {
  PartState s;
  s["kept"].assign(kept_.begin(), kept_.end());
  return s;
}

void FieldOutput::load(const PartState& s) {
  kept_.clear();
  for (const double step : need(s, "fields", "kept")) {
    const auto k = std::int64_t(step);
    if (writer_ && !fs::is_regular_file(file(k)))
      throw Error("the checkpoint's field snapshot of step " + std::to_string(k) + " is missing",
                  file(k).string());
    kept_.push_back(k);
  }
}

void FieldOutput::adopt() {
  if (writer_)
    for (const std::int64_t step : kept_) writer_->adopt_fields(file(step));
}

// ---- Checkpoints

Checkpoints::Checkpoints(const RunLoop& loop, Simulation& sim, fs::path file, std::int64_t every,
                         double wall_interval_s, std::int64_t total, std::string case_text,
                         double wall_time_before)
    : loop_(loop),
      sim_(sim),
      file_(std::move(file)),
      every_(every),
      wall_interval_(wall_interval_s),
      total_(total),
      case_text_(std::move(case_text)),
      wall_before_(wall_time_before),
      start_(Clock::now()),
      last_(start_) {}

std::int64_t Checkpoints::next_stop(std::int64_t now) const {
  return every_ > 0 ? (now / every_ + 1) * every_ : never;
}

void Checkpoints::on_stop(std::int64_t now) {
  if (now >= total_) return;  // the run ends here: its results, not a checkpoint
  const bool by_steps = every_ > 0 && now % every_ == 0;
  // Every process reaches the same stops; its own clock may say otherwise than another's.
  const bool by_clock =
      wall_interval_ > 0 &&
      any_rank(loop_.communicator(),
               std::chrono::duration<double>(Clock::now() - last_).count() >= wall_interval_);
  if (by_steps || by_clock) write();
}

void Checkpoints::write() {
  const auto begin = Clock::now();
  Checkpoint c = make_checkpoint(sim_, case_text_);  // gathered onto rank 0
  c.run = loop_.save();
  c.wall_time_s = wall_before_ + std::chrono::duration<double>(begin - start_).count();
  on_root(loop_.communicator(), [&] { write_checkpoint(file_, c); });
  last_ = Clock::now();
  ++written_;
  if (is_root(loop_.communicator()))
    spdlog::info("checkpoint at step {} ({:.4g} s simulated) in {:.2f} s: {}", sim_.step_count(),
                 sim_.time(), std::chrono::duration<double>(last_ - begin).count(), file_.string());
}

// ---- RunLoop

void RunLoop::sample() {
  const Diagnostics d = sim_.diagnostics();
  for (RunPart* p : parts_) p->on_sample(d);
}

bool RunLoop::finished() const {
  return any_rank(comm_, std::any_of(parts_.begin(), parts_.end(),
                                     [](const RunPart* p) { return p->finished(); }));
}

std::map<std::string, PartState> RunLoop::save() const {
  std::map<std::string, PartState> out;
  for (const RunPart* p : parts_)
    if (const std::string name = p->state_name(); !name.empty()) out[name] = p->save();
  return out;
}

void RunLoop::load(const std::map<std::string, PartState>& states) {
  for (RunPart* p : parts_) {
    const std::string name = p->state_name();
    if (name.empty()) continue;
    const auto it = states.find(name);
    if (it == states.end())
      throw Error("the checkpoint holds no state of the run's '" + name +
                  "': it was written by a run with other outputs or by Simulation.checkpoint; "
                  "resume with the case it was written with");
    p->load(it->second);
  }
}

bool RunLoop::run(std::int64_t total, const std::function<bool()>& should_stop,
                  const std::function<void()>& after_sample, bool resumed) {
  if (!resumed) sample();  // the initial state: the reference for the mass balance
  while (sim_.step_count() < total) {
    if (should_stop && should_stop()) return true;
    const std::int64_t step = sim_.step_count();
    std::int64_t next = total;
    for (const RunPart* p : parts_) next = std::min(next, std::max(step + 1, p->next_stop(step)));
    sim_.advance(next - step);
    const std::int64_t now = sim_.step_count();
    const bool wanted = std::any_of(parts_.begin(), parts_.end(),
                                    [now](const RunPart* p) { return p->wants_sample(now); });
    if (wanted) {
      sample();
      if (after_sample) after_sample();
    }
    for (RunPart* p : parts_) p->on_stop(now);
    if (finished()) break;
  }
  return false;
}

}  // namespace hemotwin::io
