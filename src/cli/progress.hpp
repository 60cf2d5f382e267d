#pragma once
// Progress of a run as the CLI shows it: a one-line bar redrawn in place on a terminal, plain log
// lines (every 10 % or 10 s) elsewhere, nothing with --quiet.
#include <string>

#include "hemotwin/io/run.hpp"

namespace hemotwin::cli {

class ProgressReporter {
 public:
  enum class Style { Bar, Lines, None };

  explicit ProgressReporter(Style style) : style_(style) {}
  ~ProgressReporter() { finish(); }
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  /// Called by run_case after every sample.
  void update(const io::Progress& p);
  /// Ends a bar line left open, so that what is printed next starts on a line of its own.
  void finish();

 private:
  void draw_bar(const io::Progress& p);

  Style style_;
  double last_draw_s_ = -1;  // elapsed time of the last bar drawn
  double last_line_s_ = 0;   // elapsed time of the last log line
  int last_decile_ = 0;      // the last 10 % mark logged
  bool open_ = false;        // a bar is on screen without its newline
};

/// "step 1200/6000 (20%), 85.3 MLUPS, ETA 14 s"
std::string describe_progress(const io::Progress& p);

/// "14 s", "3 min 20 s", "2 h 05 min"; "--" when unknown (negative or not finite).
std::string format_duration(double seconds);

/// Where the run stands: the estimated time to the end of the run from the speed so far.
double eta_seconds(const io::Progress& p);

/// True when a progress bar is on screen without its newline (for the error printer).
bool progress_line_open();
/// Ends such a line. Safe to call at any time.
void end_progress_line();

}  // namespace hemotwin::cli
