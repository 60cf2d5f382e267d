#pragma once
// Case files: TOML in physical units, the unit spelled in every key name (`diameter_mm`,
// `viscosity_pa_s`, `pressure_mmhg`), read into the typed hemotwin::Case (SI units). Every key is
// validated (type, range, required); an unknown or misspelled key is refused with its line and the
// nearest valid key. `--set key=value` overrides are applied onto the TOML table before validation.
// The key set, defaults and ranges are documented in docs/case-file.md.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hemotwin/core/case.hpp"
#include "hemotwin/core/error.hpp"

namespace hemotwin::io {

/// 1 mmHg in Pa (the conventional value, 13.5951 g/cm^3 * 9.80665 m/s^2 * 1 mm).
inline constexpr double pascal_per_mmhg = 133.322387415;

/// Reads and validates the case file at `path`, applying `overrides`
/// ("inlet.mean_velocity_m_s=0.3", "case.backend=cpu": a dotted key path, '=', a TOML value or a
/// bare string) before validation. Case::source_file is `path`; Case::source_text is the effective
/// TOML (after overrides). Notes that do not stop the run (a key that does not apply to the chosen
/// shape or driver) are appended to `notes` when it is given. Throws hemotwin::Error; what() starts
/// with "FILE:LINE: " where a line applies, or with
/// "--set KEY: " for an error in an override.
Case load_case(const std::filesystem::path& path, const std::vector<std::string>& overrides = {},
               std::vector<std::string>* notes = nullptr);

/// As load_case, for case text already in memory; `source_name` names it in messages and becomes
/// Case::source_file. When the case sets no name, the stem of `source_name` is used.
Case parse_case(std::string_view text, const std::string& source_name,
                const std::vector<std::string>& overrides = {},
                std::vector<std::string>* notes = nullptr);

/// Places an error that names a key of the case but no line (as Simulation::create throws them:
/// "FILE: key 'time.time_step_s': ...") at the key's line in the case file FILE, or at the
/// override (`--set time.time_step_s`) that set the key. The key is taken from Error::key(), or,
/// when that is empty, from a message that starts "CASE_FILE: key 'K': ". Any other error comes
/// back unchanged.
Error locate_error(const Error& e, const std::vector<std::string>& overrides = {},
                   const std::string& case_file = {});

/// A complete case file for `c`, every key written out (defaults included), in the units of the
/// key names. parse_case(to_toml(c), ...) gives back `c` (up to the last bit of the unit
/// conversions).
std::string to_toml(const Case& c);

/// Every valid key as a dotted path ("inlet.mean_velocity_m_s"), in documentation order.
std::vector<std::string> case_file_keys();

/// Damerau-Levenshtein (optimal string alignment) distance, used to suggest the nearest valid key.
int edit_distance(std::string_view a, std::string_view b);

}  // namespace hemotwin::io
