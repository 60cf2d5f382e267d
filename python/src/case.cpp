// hemotwin.Case: a validated case, from a TOML file, TOML text or a (nested) dict with the same
// keys. Every key is checked by the library's case-file reader (hemotwin/io/case_file.hpp), so a
// dict gets exactly the file's validation and messages, naming the key.
#include "hemotwin/core/case.hpp"

#include <toml++/toml.h>

#include <sstream>
#include <string>
#include <utility>

#include "bindings.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/case_keys.hpp"

namespace hemotwin::python {

namespace {

constexpr const char* dict_source = "case dict";

[[noreturn]] void bad_value(const std::string& path, const py::handle& v) {
  throw Error(std::string("a value of type ") +
                  std::string(py::str(py::type::of(v).attr("__name__"))) +
                  " cannot go into a case; give a number, string, boolean, list or dict",
              dict_source, path);
}

void insert(toml::table& t, const std::string& key, const py::handle& v, const std::string& path);

toml::array to_array(const py::handle& seq, const std::string& path) {
  toml::array a;
  for (const py::handle item : seq) {
    toml::table holder;
    insert(holder, "v", item, path);
    a.push_back(std::move(*holder.get("v")));
  }
  return a;
}

toml::table to_table(const py::dict& d, const std::string& prefix) {
  toml::table t;
  for (const auto& [k, v] : d) {
    if (!py::isinstance<py::str>(k))
      throw Error("keys must be strings, got " + std::string(py::repr(k)), dict_source, prefix);
    const std::string key = py::str(k);
    insert(t, key, v, prefix.empty() ? key : prefix + "." + key);
  }
  return t;
}

void insert(toml::table& t, const std::string& key, const py::handle& v, const std::string& path) {
  if (py::hasattr(v, "tolist") && !py::isinstance<py::str>(v)) {  // NumPy scalars and arrays
    insert(t, key, v.attr("tolist")(), path);
  } else if (py::isinstance<py::bool_>(v)) {
    t.insert_or_assign(key, v.cast<bool>());
  } else if (py::isinstance<py::int_>(v)) {
    t.insert_or_assign(key, v.cast<std::int64_t>());
  } else if (py::isinstance<py::float_>(v)) {
    t.insert_or_assign(key, v.cast<double>());
  } else if (py::isinstance<py::str>(v)) {
    t.insert_or_assign(key, v.cast<std::string>());
  } else if (py::hasattr(v, "__fspath__")) {  // pathlib.Path
    t.insert_or_assign(key, py::str(v.attr("__fspath__")()).cast<std::string>());
  } else if (py::isinstance<py::dict>(v)) {
    t.insert_or_assign(key, to_table(v.cast<py::dict>(), path));
  } else if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    t.insert_or_assign(key, to_array(v, path));
  } else {
    bad_value(path, v);
  }
}

/// "--set key=value" overrides from a dict {"inlet.mean_velocity_m_s": 0.3} (or a list of
/// "key=value" strings, passed on as they are).
std::vector<std::string> to_overrides(const py::object& o) {
  std::vector<std::string> out;
  if (o.is_none()) return out;
  if (py::isinstance<py::dict>(o)) {
    for (const auto& [k, v] : o.cast<py::dict>()) {
      const std::string key = py::str(k);
      toml::table holder;
      insert(holder, "v", v, key);
      std::ostringstream text;
      text << toml::toml_formatter(holder, toml::format_flags::none);
      std::string line = text.str();  // "v = VALUE\n"
      line = line.substr(line.find('=') + 1);
      while (!line.empty() && (line.front() == ' ')) line.erase(line.begin());
      while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
      out.push_back(key + "=" + line);
    }
    return out;
  }
  for (const py::handle item : o) out.push_back(py::str(item));
  return out;
}

/// The error of a dict case: no line (it would be a line of the generated text).
[[noreturn]] void rethrow_for_dict(const Error& e) {
  if (e.file().starts_with("--set ")) throw e;
  throw Error(e.message(), dict_source, e.key());
}

Case from_dict(const py::dict& d, const py::object& overrides) {
  const std::vector<std::string> sets = to_overrides(overrides);
  toml::table table = to_table(d, "");
  // Unnamed: "case" (parse_case would take the source's stem), results in results/case.
  if (!table.contains("case")) table.insert("case", toml::table{});
  if (auto* t = table["case"].as_table(); t && !t->contains("name")) t->insert("name", "case");
  std::ostringstream text;
  text << table;
  try {
    Case c = io::parse_case(text.str(), dict_source, sets);
    c.source_file.clear();  // relative paths are taken from the working directory
    return c;
  } catch (const Error& e) {
    rethrow_for_dict(e);
  }
}

// The key table (src/io/case_keys.cpp) as a list of dicts; `outlets.*.KEY` stands for any outlet.
py::list key_table() {
  py::list out;
  for (const io::CaseKey& k : io::case_keys()) {
    if (k.kind == io::KeyKind::Table) continue;
    py::dict row;
    row["path"] = std::string(k.path);
    row["type"] = std::string(io::kind_name(k.kind));
    row["unit"] = std::string(k.unit);
    row["default"] = std::string(k.fallback);
    row["valid"] = std::string(k.valid);
    row["meaning"] = std::string(k.meaning);
    if (k.kind == io::KeyKind::Number || k.kind == io::KeyKind::Integer)
      row["range"] = py::make_tuple(k.range.lo, k.range.hi, k.range.lo_open, k.range.hi_open);
    out.append(std::move(row));
  }
  return out;
}

}  // namespace

void init_case(py::module_& m) {
  py::class_<Case>(m, "Case", R"doc(
A validated simulation case, in physical SI units.

Build one from a TOML case file, TOML text, or a dict with the case file's keys (nested tables
or dotted keys), e.g.

    case = hemotwin.Case.from_dict({
        "geometry": {"shape": "pipe", "diameter_mm": 4, "length_mm": 40, "cells_across": 16},
        "inlet": {"mean_velocity_m_s": 0.2},
        "time": {"duration_s": 0.2},
    })

Every key is validated as in a case file (docs/case-file.md): a missing, misspelled or
out-of-range key raises hemotwin.CaseError (a ValueError) whose .key names it.
)doc")
      .def_static(
          "from_file",
          [](const std::filesystem::path& path, const py::object& overrides) {
            return io::load_case(path, to_overrides(overrides));
          },
          py::arg("path"), py::arg("overrides") = py::none(),
          "Reads and validates a TOML case file. overrides: {dotted key: value} applied first "
          "(as `hemotwin run --set`).")
      .def_static(
          "from_toml",
          [](const std::string& text, const std::string& name, const py::object& overrides) {
            return io::parse_case(text, name, to_overrides(overrides));
          },
          py::arg("text"), py::arg("name") = "case.toml", py::arg("overrides") = py::none(),
          "Validates case-file text; `name` names it in messages.")
      .def_static("from_dict", &from_dict, py::arg("case"), py::arg("overrides") = py::none(),
                  "Validates a dict with the case file's keys (nested dicts for tables).")
      .def(
          "with_overrides",
          [](const Case& c, const py::object& overrides) {
            const std::string text = c.source_text.empty() ? io::to_toml(c) : c.source_text;
            const std::string name = c.source_file.empty() ? dict_source : c.source_file;
            try {
              Case out = io::parse_case(text, name, to_overrides(overrides));
              if (c.source_file.empty()) out.source_file.clear();
              return out;
            } catch (const Error& e) {
              if (c.source_file.empty()) rethrow_for_dict(e);
              throw;
            }
          },
          py::arg("overrides"),
          "A copy with some keys changed: {dotted key: value}, e.g. "
          "{'inlet.mean_velocity_m_s': 0.3}.")
      .def(
          "to_toml",
          [](const Case& c) { return c.source_text.empty() ? io::to_toml(c) : c.source_text; },
          "The case as TOML text (what a run stores as case.toml).")
      .def("complete_toml", &io::to_toml, "Every key written out, defaults included.")
      .def_readonly("name", &Case::name)
      .def_readonly("source_file", &Case::source_file, "The file it was read from ('' if none).")
      .def_property_readonly("output_directory", [](const Case& c) { return c.output.directory; })
      .def_property_readonly(
          "duration", [](const Case& c) { return c.time.duration; }, "Simulated time, s.")
      .def_property_readonly("shape",
                             [](const Case& c) { return std::string(to_string(c.geometry.shape)); })
      .def_property_readonly(
          "has_file_geometry", [](const Case& c) { return is_file_shape(c.geometry.shape); },
          "True when the geometry is read from a file (surface, label map, "
          "scan).")
      .def_static("keys", &io::case_file_keys, "Every valid key as a dotted path.")
      .def_static("key_table", &key_table,
                  "Every valid key as a dict: path, type, unit, default, valid, meaning, and for "
                  "numbers the range (low, high, low_open, high_open); the key tables of "
                  "docs/case-file.md.")
      .def("__repr__", [](const Case& c) {
        return "<hemotwin.Case '" + c.name + "': " + to_string(c.geometry.shape) + ", " +
               std::to_string(c.time.duration) + " s>";
      });
}

}  // namespace hemotwin::python
