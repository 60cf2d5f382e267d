#pragma once
// Reading a case file's keys with their types and ranges (src/io/case_file.cpp's third pass, and
// the parts of it in their own files: src/io/case_chamber.cpp). Internal to hemotwin_io.
#include <toml++/toml.h>

#include <Eigen/Core>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/case_keys.hpp"

namespace hemotwin::io::reading {

using Kind = KeyKind;
using KeySpec = CaseKey;

// The key-set path of a key: tables named by the user ([outlets.NAME], [sections.NAME],
// [valves.NAME]) stand
// as '*'.
inline std::string spec_path(std::string_view path) {
  for (const std::string_view named : {"outlets.", "sections.", "valves."}) {
    if (!path.starts_with(named) || path.size() == named.size()) continue;
    const auto rest = path.substr(named.size());
    const auto dot = rest.find('.');
    return std::string(named) + "*" +
           (dot == std::string_view::npos ? "" : std::string(rest.substr(dot)));
  }
  return std::string(path);
}

inline const KeySpec* find_spec(std::string_view path) { return find_case_key(spec_path(path)); }

inline std::string_view parent_of(std::string_view path) {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : path.substr(0, dot);
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

template <class E>
struct Named {
  E value;
  std::string_view name;
};

inline int line_of(const toml::node* node) {
  return node ? static_cast<int>(node->source().begin.line) : 0;
}

class Reader {
 public:
  Reader(const toml::table& root, std::string file, std::map<std::string, std::string> overridden)
      : root_(root), file_(std::move(file)), overridden_(std::move(overridden)) {}

  const std::string& file() const { return file_; }
  const toml::table& root() const { return root_; }

  const toml::node* node(std::string_view path) const { return root_.at_path(path).node(); }
  bool has(std::string_view path) const { return node(path) != nullptr; }

  /// An error about the value at `path` (or, when it is absent, about its table).
  [[noreturn]] void fail(std::string_view path, const std::string& message) const {
    if (auto it = overridden_.find(std::string(path)); it != overridden_.end())
      throw Error(message, "--set " + it->first);
    const toml::node* n = node(path);
    for (auto p = parent_of(path); !n && !p.empty(); p = parent_of(p)) n = node(p);
    throw Error(message, file_, std::string(path), line_of(n));
  }

  [[noreturn]] void fail_type(std::string_view path, std::string_view expected) const {
    fail(path, "expected " + std::string(expected) + ", got " + describe(*node(path)));
  }

  static std::string describe(const toml::node& n) {
    std::ostringstream os;
    switch (n.type()) {
      case toml::node_type::string:
        return "the string \"" + std::string(*n.value<std::string_view>()) + "\"";
      case toml::node_type::integer:
        os << "the integer " << *n.value<std::int64_t>();
        break;
      case toml::node_type::floating_point:
        os << "the number " << *n.value<double>();
        break;
      case toml::node_type::boolean:
        os << (*n.value<bool>() ? "true" : "false");
        break;
      case toml::node_type::array:
        os << "an array of " << n.as_array()->size();
        break;
      case toml::node_type::table:
        return "a table";
      default:
        return "a date or time";
    }
    return os.str();
  }

  /// A number key, checked against its row's range (case_keys.cpp).
  std::optional<double> number(std::string_view path) const {
    const toml::node* n = node(path);
    if (!n) return std::nullopt;
    double v;
    if (auto i = n->value_exact<std::int64_t>())
      v = static_cast<double>(*i);
    else if (auto d = n->value_exact<double>())
      v = *d;
    else
      fail_type(path, "a number");
    check_range(path, v);
    return v;
  }

  void check_range(std::string_view path, double v) const {
    const KeySpec& spec = spec_of(path);
    if (!std::isfinite(v)) fail(path, "must be a finite number, got " + format_number(v));
    if (spec.range.contains(v)) return;
    const std::string unit = spec.unit.empty() || spec.kind == Kind::Integer
                                 ? std::string()
                                 : " " + std::string(spec.unit);
    fail(path, "must " + spec.range.requirement() + unit + ", got " + format_number(v));
  }

  /// An integer key, checked against its row's range.
  std::optional<std::int64_t> integer(std::string_view path) const {
    const toml::node* n = node(path);
    if (!n) return std::nullopt;
    const auto v = n->value_exact<std::int64_t>();
    if (!v) fail_type(path, "an integer");
    check_range(path, double(*v));
    return v;
  }

  const KeySpec& spec_of(std::string_view path) const {
    const KeySpec* spec = find_spec(path);
    if (!spec)
      throw std::logic_error("case_file.cpp reads a key missing from the key table: " +
                             std::string(path));
    return *spec;
  }

  std::optional<bool> boolean(std::string_view path) const {
    const toml::node* n = node(path);
    if (!n) return std::nullopt;
    const auto v = n->value_exact<bool>();
    if (!v) fail_type(path, "true or false");
    return v;
  }

  std::optional<std::string> string(std::string_view path) const {
    const toml::node* n = node(path);
    if (!n) return std::nullopt;
    const auto v = n->value_exact<std::string>();
    if (!v) fail_type(path, "a string");
    return v;
  }

  template <class E, std::size_t N>
  std::optional<E> choice(std::string_view path, const Named<E> (&values)[N]) const {
    const toml::node* n = node(path);
    if (!n) return std::nullopt;
    const auto v = n->value_exact<std::string>();
    std::string valid;
    for (const auto& [e, name] : values)
      valid += (valid.empty() ? "\"" : ", \"") + std::string(name) + "\"";
    if (!v) fail_type(path, "one of " + valid);
    const std::string written = lower(*v);
    for (const auto& [e, name] : values)
      if (written == lower(name)) return e;
    std::string hint;
    int best = 3;
    for (const auto& [e, name] : values) {
      const int d = written == "gpu" && name == "cuda" ? 0 : edit_distance(written, lower(name));
      if (d < best) best = d, hint = "; did you mean \"" + std::string(name) + "\"?";
    }
    fail(path, "invalid value \"" + *v + "\"; valid values: " + valid + hint);
  }

  std::optional<Eigen::Vector3d> vector3(std::string_view path) const {
    const toml::node* n = node(path);
    if (!n) return std::nullopt;
    const auto* arr = n->as_array();
    if (!arr || arr->size() != 3) fail_type(path, "an array of 3 numbers [x, y, z]");
    Eigen::Vector3d v;
    for (int i = 0; i < 3; ++i) {
      const toml::node& e = *arr->get(static_cast<std::size_t>(i));
      if (auto x = e.value_exact<std::int64_t>())
        v[i] = static_cast<double>(*x);
      else if (auto y = e.value_exact<double>())
        v[i] = *y;
      else
        fail(path, "expected an array of 3 numbers [x, y, z], element " + std::to_string(i + 1) +
                       " is " + describe(e));
      if (!std::isfinite(v[i])) fail(path, "components must be finite numbers");
    }
    return v;
  }

  std::optional<std::vector<std::string>> strings(std::string_view path) const {
    const toml::node* n = node(path);
    if (!n) return std::nullopt;
    const auto* arr = n->as_array();
    if (!arr) fail_type(path, "an array of strings [\"a\", \"b\"]");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto v = arr->get(i)->value_exact<std::string>();
      if (!v)
        fail(path, "expected an array of strings, element " + std::to_string(i + 1) + " is " +
                       describe(*arr->get(i)));
      out.push_back(*v);
    }
    return out;
  }

  std::optional<std::vector<Eigen::Vector3d>> vector3s(std::string_view path) const {
    const toml::node* n = node(path);
    if (!n) return std::nullopt;
    const auto* arr = n->as_array();
    if (!arr) fail_type(path, "an array of points [[x, y, z], ...]");
    std::vector<Eigen::Vector3d> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto* p = arr->get(i)->as_array();
      if (!p || p->size() != 3)
        fail(path, "expected an array of points [[x, y, z], ...], element " +
                       std::to_string(i + 1) + " is " + describe(*arr->get(i)));
      Eigen::Vector3d v;
      for (int a = 0; a < 3; ++a) {
        const toml::node& e = *p->get(std::size_t(a));
        if (auto x = e.value_exact<std::int64_t>())
          v[a] = double(*x);
        else if (auto y = e.value_exact<double>())
          v[a] = *y;
        else
          fail(path, "point " + std::to_string(i + 1) + ": component " + std::to_string(a + 1) +
                         " is " + describe(e));
        if (!std::isfinite(v[a])) fail(path, "components must be finite numbers");
      }
      out.push_back(v);
    }
    return out;
  }

  /// An error for a key the case must set (when `path` is absent).
  void require(std::string_view path, const std::string& why) const {
    if (!has(path)) fail(path, "required key missing: " + why);
  }

 private:
  const toml::table& root_;
  std::string file_;
  std::map<std::string, std::string> overridden_;
};

}  // namespace hemotwin::io::reading
