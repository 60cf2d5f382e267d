#pragma once
// Waveform files: two columns, time (s) and value (e.g. an inflow in m^3/s or mL/s), separated by
// spaces, tabs or a comma; blank lines and lines starting with '#' are skipped. The file holds
// one cycle and closes it: its last sample lies one period after the first and repeats its value
// (as openBF's *_inlet.dat files do).
#include <filesystem>

#include "hemotwin/core/waveform.hpp"

namespace hemotwin::io {

/// Reads a waveform, multiplying its values by `scale` (1e-6 turns mL/s into m^3/s). Its period
/// is the span of its times; when `period` > 0 is given the span must match it within 0.1 %.
/// Throws hemotwin::Error naming the file and the line: a line that is not two numbers, times that
/// do not increase, a cycle that does not close, a period that does not match.
Waveform read_waveform(const std::filesystem::path& path, double scale = 1.0, double period = 0);

}  // namespace hemotwin::io
