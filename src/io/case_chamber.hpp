#pragma once
// A chamber's keys: read (the third pass of case_file.cpp) and written back (to_toml). Internal
// to hemotwin_io.
#include <toml++/toml.h>

#include "case_reader.hpp"
#include "hemotwin/core/case.hpp"

namespace hemotwin::io {

/// Reads geometry.phase_files (or checks that geometry.file is a .vtp), geometry.period_s,
/// geometry.relink_every, geometry.phase_samples and [valves.NAME] into `c` (shape =
/// "surface_series"), refusing what is missing or inconsistent with the key at fault.
void read_chamber(const reading::Reader& r, Case& c);

/// The same keys into a case table being written: the geometry's into `geometry`, the valves'
/// into `root`.
void write_chamber(const Case& c, toml::table& geometry, toml::table& root);

}  // namespace hemotwin::io
