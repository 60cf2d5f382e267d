// The case file's keys, one row each: path, type, unit, default, valid range and meaning. The one
// table that the case reader validates against (types and numeric ranges), that the nearest-key
// suggestion searches, that Python's Case.keys() and Case.key_table() return, and that the key
// tables of docs/case-file.md are checked against (test_case_keys).
#pragma once

#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace hemotwin::io {

enum class KeyKind {
  Table,
  String,
  Enum,
  Number,
  Integer,
  Boolean,
  Vector3,
  StringList,
  Vector3List
};

/// The interval a number (or integer) key must lie in; finite values only.
struct KeyRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double v) const;
  /// As docs/case-file.md writes it: "> 0", "≥ 0", "4 to 4096", "(0, 1)", "[0, 1)", "finite".
  std::string describe() const;
  /// As an error message ends: "be > 0", "lie in [4, 4096]", "be finite".
  std::string requirement() const;
};

struct CaseKey {
  std::string_view path;  ///< "inlet.mean_velocity_m_s"; named tables stand as "outlets.*"
  KeyKind kind;
  std::string_view unit;      ///< "m/s", "" where none
  std::string_view fallback;  ///< the default, as the docs write it ("" where none)
  std::string_view valid;     ///< what is accepted, as the docs write it (starts with the range)
  std::string_view meaning;
  KeyRange range{};  ///< number and integer keys
};

/// Every key in documentation order, tables included (kind Table); `outlets.*.KEY` rows repeat
/// the `[outlet]` keys that may be set per outlet.
std::span<const CaseKey> case_keys();

/// The row of a key-set path ("outlets.*.model"), or null.
const CaseKey* find_case_key(std::string_view path);

/// "number", "integer", "string", "choice", "boolean", "vector", "array of strings",
/// "array of points", "table".
std::string_view kind_name(KeyKind kind);

/// A number as messages and docs write it: %g without the exponent's '+' and leading zeros.
std::string format_number(double v);

}  // namespace hemotwin::io
