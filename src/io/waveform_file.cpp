#include "hemotwin/io/waveform_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hemotwin/core/error.hpp"

namespace hemotwin::io {
namespace {

bool parse_number(const std::string& text, double& out) {
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && p == end && std::isfinite(out);
}

}  // namespace

Waveform read_waveform(const std::filesystem::path& path, double scale, double period) {
  const std::string file = path.string();
  std::ifstream in(path);
  if (!in) throw Error("cannot open the waveform file (two columns: time in s, value)", file);
  if (!(scale > 0) || !std::isfinite(scale)) throw Error("the waveform's scale must be positive");
  std::vector<double> t, v;
  std::vector<int> line_of;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    for (char& c : line)
      if (c == ',' || c == ';' || c == '\t' || c == '\r') c = ' ';
    std::istringstream words(line);
    std::vector<std::string> fields;
    for (std::string w; words >> w;) fields.push_back(w);
    if (fields.empty() || fields[0][0] == '#') continue;
    double a = 0, b = 0;
    if (fields.size() != 2 || !parse_number(fields[0], a) || !parse_number(fields[1], b))
      throw Error("expected two numbers, time (s) and value, got \"" + line + "\"", file, {}, n);
    // Finite but absurd numbers would overflow the spline's integrals (found by fuzz_waveform).
    if (!(std::abs(a) <= 1e6) || !(std::abs(b) <= 1e12))
      throw Error("time " + fields[0] + " s or value " + fields[1] +
                      " out of range: times lie within 1e6 s of zero, values within 1e12",
                  file, {}, n);
    if (!t.empty() && !(a > t.back()))
      throw Error("time " + fields[0] + " s does not follow " + std::to_string(t.back()) +
                      " s (line " + std::to_string(line_of.back()) + "); the times must increase",
                  file, {}, n);
    t.push_back(a);
    v.push_back(b * scale);
    line_of.push_back(n);
  }
  if (t.size() < 4)
    throw Error("a waveform needs at least 4 samples (one cycle, its last closing it), found " +
                    std::to_string(t.size()),
                file);
  const double span = t.back() - t.front();
  if (span > 1e4)
    throw Error("the waveform spans " + std::to_string(span) +
                    " s; one cycle (a heartbeat, a breath) lasts at most 10000 s",
                file, {}, line_of.back());
  if (period > 0 && std::abs(span - period) > 1e-3 * period)
    throw Error("the waveform spans " + std::to_string(span) + " s (lines " +
                    std::to_string(line_of.front()) + " to " + std::to_string(line_of.back()) +
                    ") but the case's period is " + std::to_string(period) +
                    " s; give one cycle, its last sample one period after the first",
                file, {}, line_of.back());
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const double range = std::max(*hi - *lo, std::abs(*hi));
  if (std::abs(v.back() - v.front()) > 1e-6 * range + 1e-300)
    throw Error("the last sample (" + std::to_string(v.back() / scale) +
                    ") does not repeat the first (" + std::to_string(v.front() / scale) +
                    "): the file must hold one closed cycle",
                file, {}, line_of.back());
  try {
    return Waveform(std::move(t), std::move(v), span);
  } catch (const Error& e) {
    throw Error(e.message(), file);
  }
}

}  // namespace hemotwin::io
