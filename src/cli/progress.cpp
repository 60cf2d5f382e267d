#include "progress.hpp"

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace hemotwin::cli {
namespace {

std::atomic<bool> line_open{false};

int percent_of(const io::Progress& p) {
  if (p.total_steps <= 0) return 100;
  // 100 % only when the run is complete.
  const auto pc = static_cast<int>(100 * p.step / p.total_steps);
  return p.step >= p.total_steps ? 100 : std::min(pc, 99);
}

int terminal_columns() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

std::string mlups_text(double mlups) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MLUPS", mlups);
  return buf;
}

}  // namespace

double eta_seconds(const io::Progress& p) {
  if (p.step <= 0 || p.elapsed_s <= 0) return -1;
  return p.elapsed_s * static_cast<double>(p.total_steps - p.step) / static_cast<double>(p.step);
}

std::string format_duration(double s) {
  if (!(s >= 0) || !std::isfinite(s)) return "--";
  char buf[48];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%d min %02d s", static_cast<int>(s) / 60,
                  static_cast<int>(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%d h %02d min", static_cast<int>(s) / 3600,
                  static_cast<int>(s) % 3600 / 60);
  return buf;
}

std::string describe_progress(const io::Progress& p) {
  std::string out = "step " + std::to_string(p.step) + "/" + std::to_string(p.total_steps) + " (" +
                    std::to_string(percent_of(p)) + "%), " + mlups_text(p.mlups);
  if (p.step < p.total_steps) out += ", ETA " + format_duration(eta_seconds(p));
  return out;
}

void ProgressReporter::update(const io::Progress& p) {
  switch (style_) {
    case Style::None:
      return;
    case Style::Bar: {
      const bool last = p.step >= p.total_steps;
      if (last || last_draw_s_ < 0 || p.elapsed_s - last_draw_s_ >= 0.1) draw_bar(p);
      return;
    }
    case Style::Lines: {
      const int decile = percent_of(p) / 10;
      const bool last = p.step >= p.total_steps;
      if (decile > last_decile_ || p.elapsed_s - last_line_s_ >= 10 || last) {
        spdlog::info("{}", describe_progress(p));
        last_decile_ = decile;
        last_line_s_ = p.elapsed_s;
      }
      return;
    }
  }
}

void ProgressReporter::draw_bar(const io::Progress& p) {
  last_draw_s_ = p.elapsed_s;
  const int pc = percent_of(p);
  char head[64];
  std::snprintf(head, sizeof head, "%3d%% ", pc);
  // Built with append: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string here.
  std::string tail(" ");
  tail.append(std::to_string(p.step)).append("/").append(std::to_string(p.total_steps));
  tail.append("  ").append(mlups_text(p.mlups));
  if (p.step < p.total_steps) tail.append("  ETA ").append(format_duration(eta_seconds(p)));
  const int used = static_cast<int>(std::string_view(head).size() + tail.size());
  const int width = std::clamp(terminal_columns() - 1 - used - 2, 0, 30);
  std::string bar;
  if (width > 0) {
    const double done =
        std::min(1.0, double(p.step) / double(std::max<std::int64_t>(1, p.total_steps)));
    const int filled = static_cast<int>(std::lround(width * done));
    bar.append("[")
        .append(std::size_t(filled), '#')
        .append(std::size_t(width - filled), '-')
        .append("]");
  }
  // \r: back to the start of the line; ESC[K: clear what an earlier, longer line left.
  std::fprintf(stderr, "\r%s%s%s\x1b[K", head, bar.c_str(), tail.c_str());
  if (p.step >= p.total_steps) {
    std::fputc('\n', stderr);
    open_ = false;
  } else {
    open_ = true;
  }
  line_open.store(open_);
  std::fflush(stderr);
}

void ProgressReporter::finish() {
  if (open_) end_progress_line();
  open_ = false;
}

bool progress_line_open() { return line_open.load(); }

void end_progress_line() {
  if (line_open.exchange(false)) {
    std::fputc('\n', stderr);
    std::fflush(stderr);
  }
}

}  // namespace hemotwin::cli
