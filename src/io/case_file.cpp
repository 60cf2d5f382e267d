// Case files: TOML in physical units -> hemotwin::Case in SI units. See docs/case-file.md.
//
// The work is done in three passes over one toml::table:
//   1. overrides (--set KEY=VALUE) are checked against the key set and written into the table;
//   2. every key of the table is checked against the key set (unknown keys are refused with the
//      nearest valid key, from the same table first and then from the others), and every number
//      against its type and range (the key table: src/io/case_keys.cpp);
//   3. every known key is read with its type and range into the Case, and the rules that join keys
//      (required keys, keys that exclude each other, a stenosis inside its pipe) are applied.
// Errors name the file and line (toml++ source regions), or the override that caused them.
#include "hemotwin/io/case_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <sstream>
#include <utility>

#include "case_chamber.hpp"
#include "case_reader.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/io/case_keys.hpp"
#include "hemotwin/io/waveform_file.hpp"

namespace hemotwin::io {
namespace {

using namespace reading;

// ---- the key set: include/hemotwin/io/case_keys.hpp, src/io/case_keys.cpp
// -----------------------------------------------------------------------------------

// Keys of which a case sets at most one; an override of one removes the others.
constexpr std::pair<std::string_view, std::string_view> exclusive_keys[] = {
    {"inlet.mean_velocity_m_s", "inlet.flow_rate_ml_s"},
    {"outlet.pressure_pa", "outlet.pressure_mmhg"},
    {"flow.reference_pressure_pa", "flow.reference_pressure_mmhg"},
    {"time.time_step_s", "time.max_mach"},
    {"time.duration_s", "time.cycles"},
};

std::string_view leaf_of(std::string_view path) {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::string join(std::string_view parent, std::string_view leaf) {
  return parent.empty() ? std::string(leaf) : std::string(parent) + "." + std::string(leaf);
}

// A key without its unit suffix ("mean_velocity_m_s" -> "mean_velocity"), to recognise a key
// written with no unit or with another unit.
std::string_view strip_unit(std::string_view key) {
  static constexpr std::string_view units[] = {"_pa_s_m3", "_m3_pa", "_pa_sn", "_kg_m3", "_pa_s",
                                               "_mmhg",    "_ml_s",  "_pa_m",  "_m_s",   "_mm",
                                               "_pa",      "_s",     "_m"};
  for (auto u : units)
    if (key.size() > u.size() && key.ends_with(u)) return key.substr(0, key.size() - u.size());
  return key;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// ---- names of the enumerations
// ---------------------------------------------------------------------

constexpr Named<BackendKind> backend_names[] = {
    {BackendKind::Auto, "auto"}, {BackendKind::Cpu, "cpu"}, {BackendKind::Cuda, "cuda"}};
constexpr Named<Precision> precision_names[] = {{Precision::Float, "float"},
                                                {Precision::Double, "double"}};
constexpr Named<LatticeKind> lattice_names[] = {{LatticeKind::D3Q19, "D3Q19"},
                                                {LatticeKind::D3Q27, "D3Q27"}};
constexpr Named<StreamingScheme> streaming_names[] = {{StreamingScheme::Auto, "auto"},
                                                      {StreamingScheme::TwoLattice, "two-lattice"},
                                                      {StreamingScheme::AaPattern, "aa"}};
constexpr Named<ShapeKind> shape_names[] = {
    {ShapeKind::Pipe, "pipe"},       {ShapeKind::StenosedPipe, "stenosed_pipe"},
    {ShapeKind::Channel, "channel"}, {ShapeKind::Box, "box"},
    {ShapeKind::Surface, "surface"}, {ShapeKind::LabelMap, "label_map"},
    {ShapeKind::Scan, "scan"},       {ShapeKind::SurfaceSeries, "surface_series"}};
constexpr Named<CollisionModel> collision_names[] = {{CollisionModel::Trt, "trt"},
                                                     {CollisionModel::Bgk, "bgk"},
                                                     {CollisionModel::Regularized, "regularized"},
                                                     {CollisionModel::Cumulant, "cumulant"},
                                                     {CollisionModel::Kbc, "kbc"}};
constexpr Named<WallMethod> wall_names[] = {{WallMethod::Bouzidi, "bouzidi"},
                                            {WallMethod::BounceBack, "bounce_back"}};
constexpr Named<FlowDriver> driver_names[] = {{FlowDriver::Inlet, "inlet"},
                                              {FlowDriver::BodyForce, "body_force"}};
constexpr Named<InletProfile> profile_names[] = {{InletProfile::Parabolic, "parabolic"},
                                                 {InletProfile::Plug, "plug"},
                                                 {InletProfile::Womersley, "womersley"}};

constexpr Named<OutletModel> outlet_model_names[] = {{OutletModel::Pressure, "pressure"},
                                                     {OutletModel::Resistance, "resistance"},
                                                     {OutletModel::Windkessel, "windkessel"},
                                                     {OutletModel::FlowSplit, "flow_split"}};

enum class PressureUnit { Pa, MmHg };
constexpr Named<RheologyModel> rheology_names[] = {{RheologyModel::Newtonian, "newtonian"},
                                                   {RheologyModel::CarreauYasuda, "carreau_yasuda"},
                                                   {RheologyModel::Casson, "casson"},
                                                   {RheologyModel::PowerLaw, "power_law"}};
enum class TurbulenceModel { None, Smagorinsky };
constexpr Named<TurbulenceModel> turbulence_names[] = {
    {TurbulenceModel::None, "none"}, {TurbulenceModel::Smagorinsky, "smagorinsky"}};

constexpr Named<PressureUnit> pressure_unit_names[] = {{PressureUnit::Pa, "pa"},
                                                       {PressureUnit::MmHg, "mmhg"}};

// A surface file's coordinate unit, as millimetres per unit.
enum class LengthUnit { Mm, Cm, M };
constexpr Named<LengthUnit> length_unit_names[] = {
    {LengthUnit::Mm, "mm"}, {LengthUnit::Cm, "cm"}, {LengthUnit::M, "m"}};
double mm_per(LengthUnit u) {
  return u == LengthUnit::M ? 1000.0 : (u == LengthUnit::Cm ? 10.0 : 1.0);
}

enum class FlowUnit { M3PerS, MlPerS };
constexpr Named<FlowUnit> flow_unit_names[] = {{FlowUnit::M3PerS, "m3_s"},
                                               {FlowUnit::MlPerS, "ml_s"}};

enum class SegmentationMethod { Threshold, Vesselness, Sato };
constexpr Named<SegmentationMethod> method_names[] = {
    {SegmentationMethod::Threshold, "threshold"},
    {SegmentationMethod::Vesselness, "vesselness"},
    {SegmentationMethod::Sato, "sato"}};

template <class E, std::size_t N>
std::string name_in(const Named<E> (&names)[N], E value) {
  for (const auto& n : names)
    if (n.value == value) return std::string(n.name);
  return std::string(names[0].name);
}

// ---- suggestions
// -----------------------------------------------------------------------------------

// How close `written` is to the valid key `valid`: 0 identical, 0.5 the same name with another or
// no unit, else the edit distance when it is small for the key's length; infinity when not close.
// Names other codes and papers use for our keys.
constexpr std::pair<std::string_view, std::string_view> aliases[] = {
    {"dt", "time.time_step_s"},
    {"timestep", "time.time_step_s"},
    {"t_end", "time.duration_s"},
    {"end_time", "time.duration_s"},
    {"mach", "time.max_mach"},
    {"mu", "blood.viscosity_pa_s"},
    {"nu", "blood.viscosity_pa_s"},
    {"rho", "blood.density_kg_m3"},
    {"resolution", "geometry.cells_across_diameter"},
    {"cells", "geometry.cells_across_diameter"},
    {"radius_mm", "geometry.diameter_mm"},
    {"radius", "geometry.diameter_mm"},
    {"dir", "output.directory"},
    {"path", "output.directory"},
    {"device", "case.backend"},
    {"gpu", "case.backend"},
    {"omega", "collision.model"},
    {"boundary", "walls.method"},
    {"magic", "collision.trt_magic"},
    {"lambda", "collision.trt_magic"},
};

// True when the words of `w` ('_'-separated) appear, in a row, among the words of `valid`.
bool words_within(std::string_view w, std::string_view valid) {
  if (w.size() < 4) return false;
  const std::string padded = "_" + std::string(valid) + "_";
  return padded.find("_" + std::string(w) + "_") != std::string::npos;
}

double closeness(std::string_view written, std::string_view valid_path) {
  const std::string w = lower(written);
  const auto valid = leaf_of(valid_path);
  if (w == valid) return 0;
  const auto base = strip_unit(valid);
  if (base != valid && (w == base || w.starts_with(std::string(base) + "_"))) return 0.5;
  for (const auto& [alias, path] : aliases)
    if (w == alias && path == valid_path) return 1;
  const int d = edit_distance(w, valid);
  const int limit = w.size() <= 4 ? 1 : w.size() <= 9 ? 2 : 3;
  if (d <= limit) return d;
  if (words_within(strip_unit(w), valid)) return 1.5;
  return std::numeric_limits<double>::infinity();
}

// "did you mean 'x'?" for the nearest valid key, preferring the table the key was written in.
std::string suggestion_for(std::string_view table_in, std::string_view written) {
  const std::string table_path = spec_path(table_in);
  const std::string_view table = table_path;
  struct Candidate {
    double score;
    bool other_table;
    const KeySpec* spec;
  };
  std::vector<Candidate> found;
  for (const auto& s : case_keys()) {
    const double score = closeness(written, s.path);
    if (std::isfinite(score)) found.push_back({score, parent_of(s.path) != table, &s});
  }
  if (found.empty()) return {};
  std::stable_sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    return std::pair(a.score, a.other_table) < std::pair(b.score, b.other_table);
  });
  const auto best = std::pair(found.front().score, found.front().other_table);
  std::vector<std::string> names;
  for (const auto& c : found) {
    if (std::pair(c.score, c.other_table) != best || names.size() == 3) break;
    const auto parent = parent_of(c.spec->path);
    if (c.spec->kind == Kind::Table)
      names.push_back("[" + std::string(c.spec->path) + "]");
    else if (c.other_table)
      names.push_back(parent.empty()
                          ? quoted(leaf_of(c.spec->path))
                          : "[" + std::string(parent) + "] " + std::string(leaf_of(c.spec->path)));
    else
      names.push_back(quoted(leaf_of(c.spec->path)));
  }
  std::string out = "did you mean ";
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  out += "?";
  if (best.first == 0.5) out += " (keys carry their unit in the name)";
  return out;
}

std::string valid_keys_of(std::string_view table_in) {
  const std::string table = spec_path(table_in);
  std::string out;
  for (const auto& s : case_keys())
    if (parent_of(s.path) == table && leaf_of(s.path) != "*")
      out += (out.empty() ? "" : ", ") + (s.kind == Kind::Table ? "[" + std::string(s.path) + "]"
                                                                : std::string(leaf_of(s.path)));
  return out;
}

std::string unknown_key_message(std::string_view table, std::string_view written, bool is_table) {
  std::string msg =
      is_table && table.empty()
          ? "unknown table [" + std::string(written) + "]"
          : "unknown key " + quoted(written) +
                (table.empty() ? " at the top level" : " in [" + std::string(table) + "]");
  const auto hint = suggestion_for(table, written);
  if (!hint.empty()) return msg + "; " + hint;
  return msg + " (valid " + (table.empty() ? "tables" : "keys") + ": " + valid_keys_of(table) + ")";
}

// ---- where a value came from
// -----------------------------------------------------------------------

// ---- pass 1: overrides
// -----------------------------------------------------------------------------

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// The value of an override as a TOML node: a TOML value when it parses as one, else a string.
// String keys always get the text (so `case.name=2024` is the name "2024").
std::unique_ptr<toml::node> override_value(const std::string& text, Kind kind) {
  if (kind != Kind::String && kind != Kind::Enum) {
    try {
      toml::table t = toml::parse("v = " + text, std::string_view("--set"));
      if (auto* n = t.get("v")) {
        std::unique_ptr<toml::node> out;
        n->visit([&](auto&& v) { out = std::make_unique<std::decay_t<decltype(v)>>(v); });
        return out;
      }
    } catch (const toml::parse_error&) {
    }
    if (kind == Kind::Number) {  // forms TOML refuses but a shell user writes: ".5", "5."
      double v;
      const auto* end = text.data() + text.size();
      if (auto [p, ec] = std::from_chars(text.data(), end, v); ec == std::errc() && p == end)
        return std::make_unique<toml::value<double>>(v);
    }
    return std::make_unique<toml::value<std::string>>(text);
  }
  std::string s = text;
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    try {
      toml::table t = toml::parse("v = " + s, std::string_view("--set"));
      if (auto v = t["v"].value<std::string>())
        return std::make_unique<toml::value<std::string>>(*v);
    } catch (const toml::parse_error&) {
    }
    s = s.substr(1, s.size() - 2);
  }
  return std::make_unique<toml::value<std::string>>(s);
}

// Applies the overrides onto `root`; returns key path -> override (for messages).
std::map<std::string, std::string> apply_overrides(toml::table& root,
                                                   const std::vector<std::string>& overrides) {
  std::map<std::string, std::string> applied;
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos)
      throw Error("expected KEY=VALUE, e.g. --set inlet.mean_velocity_m_s=0.3", "--set " + o);
    const std::string path = trim(std::string_view(o).substr(0, eq));
    const std::string text = trim(std::string_view(o).substr(eq + 1));
    if (path.empty() || path.front() == '.' || path.back() == '.' ||
        path.find("..") != std::string::npos)
      throw Error("expected a dotted key path such as inlet.mean_velocity_m_s before '='",
                  "--set " + o);
    const KeySpec* spec = find_spec(path);
    if (!spec) {
      // The longest prefix that is a table of the key set names where the key went wrong.
      std::string_view table = parent_of(path);
      while (!table.empty() && !(find_spec(table) && find_spec(table)->kind == Kind::Table))
        table = parent_of(table);
      const std::string_view rest =
          std::string_view(path).substr(table.empty() ? 0 : table.size() + 1);
      const std::string_view written = rest.substr(0, rest.find('.'));
      const bool is_table = rest.find('.') != std::string_view::npos;
      throw Error(unknown_key_message(table, written, is_table && table.empty()), "--set " + path);
    }
    if (spec->kind == Kind::Table)
      throw Error("[" + path + "] is a table; set its keys one by one, e.g. --set " +
                      std::string((spec + 1)->path) + "=...",
                  "--set " + path);
    if (text.empty()) throw Error("no value after '='", "--set " + path);

    // Walk (and create) the tables on the way, then set the value.
    toml::table* table = &root;
    std::string walked;
    const std::string_view parent = parent_of(path);
    std::size_t start = 0;
    while (start < parent.size()) {
      const auto dot = parent.find('.', start);
      const auto part =
          parent.substr(start, dot == std::string_view::npos ? parent.npos : dot - start);
      walked = join(walked, part);
      toml::node* next = table->get(part);
      if (!next) next = &table->insert_or_assign(part, toml::table{}).first->second;
      if (!next->is_table())
        throw Error("cannot set a key inside [" + walked + "]: the case gives '" + walked +
                        "' a value that is not a table",
                    "--set " + path);
      table = next->as_table();
      start = dot == std::string_view::npos ? parent.size() : dot + 1;
    }
    auto value = override_value(text, spec->kind);
    value->visit([&](auto&& v) { table->insert_or_assign(leaf_of(path), v); });
    applied[path] = o;
    for (const auto& [a, b] : exclusive_keys) {
      if (path == a) table->erase(leaf_of(b)), applied.erase(std::string(b));
      if (path == b) table->erase(leaf_of(a)), applied.erase(std::string(a));
    }
  }
  return applied;
}

// ---- pass 2: unknown keys
// --------------------------------------------------------------------------

struct Unknown {
  int line;
  std::string path;
  std::string message;
};

void find_unknown(const toml::table& table, const std::string& prefix, const Reader& r,
                  std::vector<Unknown>& out) {
  for (auto&& [key, node] : table) {
    const std::string path = join(prefix, key.str());
    const KeySpec* spec = find_spec(path);
    int line = static_cast<int>(key.source().begin.line);
    if (line == 0) line = line_of(&node);
    if (!spec) {
      out.push_back({line, path, unknown_key_message(prefix, key.str(), node.is_table())});
      continue;
    }
    if (spec->kind == Kind::Table) {
      if (!node.is_table()) {
        std::string msg = "expected a table [" + path + "], got " + Reader::describe(node);
        if (node.is_array_of_tables()) msg += " (write [" + path + "], not [[" + path + "]])";
        out.push_back({line, path, msg});
        continue;
      }
      find_unknown(*node.as_table(), path, r, out);
    }
  }
}

// Every number and integer present, against its row's type and range, whether or not the case's
// shape or model reads it: a value outside what it can physically be is refused even where it
// would be ignored (and noted unused).
void check_values(const toml::table& table, const std::string& prefix, const Reader& r) {
  for (auto&& [key, node] : table) {
    const std::string path = join(prefix, key.str());
    const KeySpec* spec = find_spec(path);
    if (spec->kind == Kind::Table) check_values(*node.as_table(), path, r);
    if (spec->kind == Kind::Number) r.number(path);
    if (spec->kind == Kind::Integer) r.integer(path);
  }
}

// ---- pass 3: reading the Case
// ----------------------------------------------------------------------

constexpr double mm = 1e-3;

bool is_pipe(ShapeKind s) { return s == ShapeKind::Pipe || s == ShapeKind::StenosedPipe; }

std::string stem_of(const std::string& source_name) {
  const auto stem = std::filesystem::path(source_name).stem().string();
  return stem.empty() ? std::string("case") : stem;
}

// Reads one outlet table ("outlet" or "outlets.NAME") over `o`, which holds the defaults.
template <class NoteUnused>
void read_outlet(const Reader& r, const std::string& table, const std::string& source_name,
                 const InletSpec& inlet, OutletSpec& o, const NoteUnused& note_unused) {
  // A pressure waveform must have the inflow's period when the case gives one.
  const bool has_period = r.has("inlet.period_s") || !inlet.waveform_time.empty();
  const auto key = [&](std::string_view leaf) { return table + "." + std::string(leaf); };
  o.model = r.choice(key("model"), outlet_model_names).value_or(o.model);
  const std::string model = "model = \"" + name_in(outlet_model_names, o.model) + "\"";
  if (auto v = r.number(key("pressure_pa"))) o.pressure = *v;
  if (auto v = r.number(key("pressure_mmhg"))) {
    if (r.has(key("pressure_pa")))
      r.fail(key("pressure_mmhg"),
             "set either " + key("pressure_pa") + " or " + key("pressure_mmhg") + ", not both");
    o.pressure = *v * pascal_per_mmhg;
  }
  if (auto v = r.number(key("resistance_pa_s_m3"))) o.resistance = *v;
  if (auto v = r.number(key("r1_pa_s_m3"))) {
    if (r.has(key("resistance_pa_s_m3")))
      r.fail(key("r1_pa_s_m3"), "set either " + key("resistance_pa_s_m3") +
                                    " (a resistance outlet) or the Windkessel's " +
                                    key("r1_pa_s_m3") + ", not both");
    o.resistance = *v;
  }
  if (auto v = r.number(key("r2_pa_s_m3"))) o.distal_resistance = *v;
  if (auto v = r.number(key("compliance_m3_pa"))) o.compliance = *v;
  // The whole outflow's R and C ([outlet] only); an outlet's own R1, R2 or C take it out of the
  // split.
  const bool own_windkessel =
      r.has(key("r1_pa_s_m3")) || r.has(key("r2_pa_s_m3")) || r.has(key("compliance_m3_pa"));
  if (table == "outlet") {
    if (auto v = r.number(key("total_resistance_pa_s_m3"))) o.total_resistance = *v;
    if (auto v = r.number(key("total_compliance_m3_pa"))) o.total_compliance = *v;
    if (auto v = r.number(key("proximal_fraction"))) o.proximal_fraction = *v;
    if (auto v = r.number(key("murray_exponent"))) o.murray_exponent = *v;
    if (o.total_resistance > 0 && own_windkessel)
      r.fail(key("total_resistance_pa_s_m3"),
             "set either the whole outflow's total_resistance_pa_s_m3 and total_compliance_m3_pa "
             "(split between the outlets), or r1_pa_s_m3, r2_pa_s_m3 and compliance_m3_pa, not "
             "both");
  } else if (own_windkessel) {
    o.total_resistance = 0;
  }
  const bool split = o.total_resistance > 0;
  if (auto v = r.number(key("flow_fraction"))) o.flow_fraction = *v;
  if (auto v = r.number(key("sponge_diameters"))) o.sponge_diameters = *v;
  if (auto v = r.number(key("sponge_viscosity_ratio"))) o.sponge_viscosity_ratio = *v;
  if (auto f = r.string(key("pressure_file"))) {
    const auto unit =
        r.choice(key("pressure_unit"), pressure_unit_names).value_or(PressureUnit::Pa);
    o.pressure_file = *f;
    std::filesystem::path path = *f;
    if (path.is_relative()) path = std::filesystem::path(source_name).parent_path() / path;
    Waveform w = [&] {
      try {
        return read_waveform(path, unit == PressureUnit::MmHg ? pascal_per_mmhg : 1.0,
                             has_period ? inlet.period : 0.0);
      } catch (const Error& e) {
        r.fail(key("pressure_file"), e.what());  // names the pressure file and its line
      }
    }();
    o.pressure_time = w.times();
    o.pressure_value = w.values();
    o.pressure_time.push_back(o.pressure_time.front() + w.period());
    o.pressure_value.push_back(o.pressure_value.front());
  } else {
    note_unused(key("pressure_unit"), "it applies to " + key("pressure_file"));
  }

  // What each model needs (from this table or [outlet]), and what it does not use.
  const auto need = [&](std::string_view leaf, bool set, const std::string& what) {
    if (!set)
      r.fail(key(leaf),
             "required key missing: " + model + " needs " + what + " (" + key(leaf) + ")");
  };
  const auto unused = [&](std::string_view leaf) {
    note_unused(key(leaf), "it does not apply to " + model);
  };
  switch (o.model) {
    case OutletModel::Pressure:
      for (auto leaf :
           {"resistance_pa_s_m3", "r1_pa_s_m3", "r2_pa_s_m3", "compliance_m3_pa", "flow_fraction"})
        unused(leaf);
      if (!o.pressure_file.empty() && (r.has(key("pressure_pa")) || r.has(key("pressure_mmhg"))))
        r.fail(key("pressure_file"),
               "set either a fixed pressure or " + key("pressure_file") + ", not both");
      break;
    case OutletModel::Resistance:
      need("resistance_pa_s_m3", o.resistance > 0, "the resistance R in Pa s/m^3");
      for (auto leaf : {"r1_pa_s_m3", "r2_pa_s_m3", "compliance_m3_pa", "flow_fraction"})
        unused(leaf);
      break;
    case OutletModel::Windkessel:
      if (split) {
        if (table == "outlet")
          need("total_compliance_m3_pa", o.total_compliance > 0,
               "the whole outflow's compliance C in m^3/Pa beside its total resistance");
        for (auto leaf : {"resistance_pa_s_m3", "flow_fraction"}) unused(leaf);
        break;
      }
      need("r1_pa_s_m3", r.has(key("r1_pa_s_m3")) || r.has("outlet.r1_pa_s_m3"),
           "the proximal resistance R1 in Pa s/m^3 (or, in [outlet], the whole outflow's "
           "total_resistance_pa_s_m3 and total_compliance_m3_pa)");
      need("r2_pa_s_m3", o.distal_resistance > 0, "the distal resistance R2 in Pa s/m^3");
      need("compliance_m3_pa", o.compliance > 0, "the compliance C in m^3/Pa");
      for (auto leaf : {"resistance_pa_s_m3", "flow_fraction"}) unused(leaf);
      break;
    case OutletModel::FlowSplit:
      need("flow_fraction", o.flow_fraction > 0, "the outlet's share of the inflow, in (0, 1)");
      for (auto leaf :
           {"pressure_pa", "pressure_mmhg", "pressure_file", "resistance_pa_s_m3", "r1_pa_s_m3",
            "r2_pa_s_m3", "compliance_m3_pa", "sponge_diameters", "sponge_viscosity_ratio"})
        unused(leaf);
      break;
  }
  if (o.model != OutletModel::Pressure && !o.pressure_file.empty())
    r.fail(key("pressure_file"), "a pressure waveform applies to model = \"pressure\"; " + model +
                                     " takes a fixed distal pressure (pressure_pa)");
}

Case read_case(const Reader& r, const std::string& source_name, std::vector<std::string>& notes) {
  Case c;
  const auto note_unused = [&](std::string_view path, const std::string& why) {
    if (r.has(path)) notes.push_back(std::string(path) + " is ignored: " + why);
  };
  const auto note_unused_table = [&](std::string_view path, const std::string& why) {
    if (const auto* t = r.root().at_path(path).as_table(); t && !t->empty())
      notes.push_back("[" + std::string(path) + "] is ignored: " + why);
  };

  // [case]
  c.name = r.string("case.name").value_or(stem_of(source_name));
  if (c.name.empty() || c.name == "." || c.name == ".." ||
      c.name.find_first_of("/\\") != std::string::npos ||
      std::any_of(c.name.begin(), c.name.end(),
                  [](char ch) { return std::iscntrl(static_cast<unsigned char>(ch)) != 0; }))
    r.fail("case.name",
           "must be a non-empty name without '/' or '\\' (it names the results directory)");
  r.string("case.description");
  c.backend = r.choice("case.backend", backend_names).value_or(c.backend);
  c.precision = r.choice("case.precision", precision_names).value_or(c.precision);
  const auto lattice = r.choice("case.lattice", lattice_names);
  c.lattice = lattice.value_or(c.lattice);
  c.streaming = r.choice("case.streaming", streaming_names).value_or(c.streaming);
  c.threads = static_cast<int>(r.integer("case.threads").value_or(c.threads));

  // [geometry]
  auto& g = c.geometry;
  r.require("geometry.shape",
            "the shape of the domain: \"pipe\", \"stenosed_pipe\", \"channel\" or \"box\"");
  g.shape = *r.choice("geometry.shape", shape_names);
  const std::string shape = "shape = \"" + name_in(shape_names, g.shape) + "\"";
  g.cells_across = r.number("geometry.cells_across_diameter").value_or(g.cells_across);
  if (auto v = r.vector3("geometry.origin_mm")) g.origin = *v * mm;
  if (auto v = r.vector3("geometry.axis")) {
    if (!(v->norm() > 0)) r.fail("geometry.axis", "must be a non-zero vector");
    g.axis = *v;
  }
  if (auto v = r.number("geometry.length_mm")) g.length = *v * mm;
  if (auto v = r.number("geometry.diameter_mm")) g.diameter = *v * mm;
  if (auto v = r.vector3("geometry.size_mm")) {
    if (!(v->minCoeff() > 0)) r.fail("geometry.size_mm", "every edge must be > 0");
    g.size = *v * mm;
  }
  if (auto v = r.number("geometry.stenosis.severity")) g.stenosis_severity = *v;
  if (auto v = r.number("geometry.stenosis.length_mm")) g.stenosis_length = *v * mm;
  if (auto v = r.number("geometry.stenosis.position_mm")) g.stenosis_position = *v * mm;

  // File geometries.
  const bool from_file = is_file_shape(g.shape);
  if (auto v = r.string("geometry.file")) g.file = *v;
  if (auto u = r.choice("geometry.file_unit", length_unit_names)) {
    g.file_unit = mm_per(*u);
    if (g.shape != ShapeKind::Surface && g.shape != ShapeKind::SurfaceSeries &&
        *u != LengthUnit::Mm)
      r.fail("geometry.file_unit",
             "applies to surfaces (STL, VTP, OBJ, PLY carry no unit); a scan or label map carries "
             "its voxel spacing in its header, which is read in mm");
  }
  if (auto v = r.number("geometry.spacing_mm")) g.spacing = *v * mm;
  g.extension = r.number("geometry.extension_diameters").value_or(0);
  if (auto v = r.strings("geometry.inlets")) g.inlets = *v;
  if (auto v = r.vector3s("geometry.cut_points_mm"))
    for (const auto& p : *v) g.cut_points.push_back(p * mm);
  if (auto v = r.vector3s("geometry.cut_normals")) {
    for (std::size_t i = 0; i < v->size(); ++i)
      if (!((*v)[i].norm() > 0))
        r.fail("geometry.cut_normals", "normal " + std::to_string(i + 1) + " is zero");
    g.cut_normals = *v;
  }
  if (g.cut_points.size() != g.cut_normals.size())
    r.fail(g.cut_normals.empty() ? "geometry.cut_points_mm" : "geometry.cut_normals",
           "each cut needs a point (cut_points_mm) and a normal (cut_normals): got " +
               std::to_string(g.cut_points.size()) + " points and " +
               std::to_string(g.cut_normals.size()) + " normals");
  g.trim_radii = r.number("geometry.trim_radii").value_or(0);
  if (auto v = r.number("geometry.min_branch_radius_mm")) g.min_branch_radius = *v * mm;
  g.label = int(r.integer("geometry.label").value_or(0));
  if (auto v = r.number("geometry.smoothing_mm")) g.smoothing = *v * mm;
  if (auto v = r.vector3s("geometry.segmentation.seeds_mm")) {
    for (const auto& p : *v) g.seeds.push_back(p * mm);
  }
  if (auto v = r.number("geometry.segmentation.lower")) {
    g.has_lower = true;
    g.lower = *v;
  }
  if (auto v = r.number("geometry.segmentation.upper")) {
    g.has_upper = true;
    g.upper = *v;
  }
  if (g.has_lower && g.has_upper && !(g.upper > g.lower))
    r.fail("geometry.segmentation.upper",
           "must be above geometry.segmentation.lower (" + format_number(g.lower) + ")");
  const auto roi_lo = r.vector3("geometry.segmentation.roi_min_mm");
  const auto roi_hi = r.vector3("geometry.segmentation.roi_max_mm");
  if (roi_lo.has_value() != roi_hi.has_value())
    r.fail(roi_lo ? "geometry.segmentation.roi_max_mm" : "geometry.segmentation.roi_min_mm",
           "a region of interest needs both roi_min_mm and roi_max_mm (opposite corners, mm)");
  if (roi_lo) {
    if (!((*roi_hi - *roi_lo).minCoeff() > 0))
      r.fail("geometry.segmentation.roi_max_mm",
             "must exceed roi_min_mm in every component (the box's far corner)");
    g.has_roi = true;
    g.roi_min = *roi_lo * mm;
    g.roi_max = *roi_hi * mm;
  }
  g.smoothing_iterations = int(r.integer("geometry.segmentation.smoothing_iterations").value_or(5));
  g.series = int(r.integer("geometry.segmentation.series").value_or(-1));
  const auto method = r.choice("geometry.segmentation.method", method_names)
                          .value_or(SegmentationMethod::Threshold);
  g.vesselness = method != SegmentationMethod::Threshold;
  g.sato = method == SegmentationMethod::Sato;
  g.vesselness_level =
      r.number("geometry.segmentation.vesselness_level").value_or(g.vesselness_level);
  if (auto v = r.number("geometry.segmentation.sigma_min_mm")) g.sigma_min = *v * mm;
  if (auto v = r.number("geometry.segmentation.sigma_max_mm")) g.sigma_max = *v * mm;
  if (g.sigma_max < g.sigma_min)
    r.fail("geometry.segmentation.sigma_max_mm",
           "must be at least sigma_min_mm (" + format_number(g.sigma_min / mm) + ")");
  g.level_set = r.boolean("geometry.segmentation.level_set").value_or(false);
  if (auto v = r.number("geometry.segmentation.barrier_radius_mm")) g.barrier_radius = *v * mm;
  if (g.barrier_radius > 0 && g.cut_points.empty())
    r.fail("geometry.segmentation.barrier_radius_mm",
           "barriers are the cut planes (geometry.cut_points_mm, geometry.cut_normals): give them");
  if (!g.vesselness)
    for (const char* k :
         {"geometry.segmentation.vesselness_level", "geometry.segmentation.sigma_min_mm",
          "geometry.segmentation.sigma_max_mm"})
      note_unused(k, "it applies to method = \"vesselness\" and \"sato\"");
  if (g.shape == ShapeKind::SurfaceSeries) {
    read_chamber(r, c);
    if (r.has("geometry.file") && g.file.empty()) r.fail("geometry.file", "must name a file");
    for (const char* k : {"geometry.extension_diameters", "geometry.inlets",
                          "geometry.cut_points_mm", "geometry.cut_normals"})
      note_unused(k, "a chamber's openings are its valves ([valves.NAME])");
  } else {
    note_unused_table("valves", "valves belong to shape = \"surface_series\" (a chamber)");
    for (const char* k :
         {"geometry.phase_files", "geometry.period_s", "geometry.relink_every",
          "geometry.phase_samples", "geometry.cine_frames", "geometry.cine_reference"})
      note_unused(k, "it applies to shape = \"surface_series\"");
  }
  if (from_file && g.shape != ShapeKind::SurfaceSeries) {
    r.require("geometry.file", "the " + name_in(shape_names, g.shape) +
                                   " file to read (a path, relative to the case file's folder)");
    if (g.file.empty()) r.fail("geometry.file", "must name a file");
  }
  if (from_file) {
    for (const char* k : {"geometry.origin_mm", "geometry.axis", "geometry.length_mm",
                          "geometry.diameter_mm", "geometry.size_mm"})
      note_unused(k,
                  "it applies to analytic shapes; " + shape + " takes its geometry from the file");
    if (g.shape == ShapeKind::Scan) {
      if (g.seeds.empty())
        r.fail("geometry.segmentation.seeds_mm",
               "required key missing: at least one seed point inside the vessel, [[x, y, z]] in "
               "LPS mm (3D Slicer shows LPS coordinates when its coordinate system is set so)");
    } else if (g.cine_frames.empty()) {
      note_unused_table("geometry.segmentation",
                        "it applies to shape = \"scan\" and a chamber's cine_frames");
    }
    if (g.shape == ShapeKind::Surface || g.shape == ShapeKind::SurfaceSeries) {
      note_unused("geometry.trim_radii", "it applies to label maps and scans");
      note_unused("geometry.min_branch_radius_mm", "it applies to label maps and scans");
      note_unused("geometry.label", "it applies to label maps");
      note_unused("geometry.smoothing_mm", "it applies to label maps and scans");
    }
  } else {
    for (const char* k :
         {"geometry.file", "geometry.spacing_mm", "geometry.extension_diameters", "geometry.inlets",
          "geometry.cut_points_mm", "geometry.cut_normals", "geometry.label",
          "geometry.smoothing_mm", "geometry.trim_radii", "geometry.min_branch_radius_mm"})
      note_unused(k, "it applies to shape = \"surface\", \"label_map\" and \"scan\"");
    note_unused_table("geometry.segmentation", "it applies to shape = \"scan\"");
  }

  if (from_file) {
    // Nothing more: the file holds the geometry.
  } else if (is_pipe(g.shape)) {
    r.require("geometry.diameter_mm", "the pipe's diameter (mm)");
    r.require("geometry.length_mm", "the pipe's length along its axis (mm)");
    note_unused("geometry.size_mm", "it applies to shape = \"box\" and \"channel\"");
  } else if (g.shape == ShapeKind::Channel) {
    r.require("geometry.size_mm", "the extent of the channel (mm)");
    r.require("geometry.diameter_mm", "the gap between the plates (mm)");
    note_unused("geometry.length_mm", "it applies to pipes");
  } else {
    r.require("geometry.size_mm", "the extent of the box (mm)");
    note_unused("geometry.diameter_mm", "it applies to pipes and channels");
    note_unused("geometry.length_mm", "it applies to pipes");
  }
  if (g.shape == ShapeKind::StenosedPipe) {
    r.require("geometry.stenosis.severity", "the diameter reduction of the stenosis, 0 to 0.95");
    r.require("geometry.stenosis.length_mm", "the length of the stenosis along the axis (mm)");
    if (!r.has("geometry.stenosis.position_mm")) g.stenosis_position = 0.5 * g.length;
    const double half = 0.5 * g.stenosis_length, tol = 1e-9 * g.length;
    if (g.stenosis_position - half < -tol || g.stenosis_position + half > g.length + tol)
      r.fail(r.has("geometry.stenosis.position_mm") ? "geometry.stenosis.position_mm"
                                                    : "geometry.stenosis.length_mm",
             "the stenosis (centred at " + format_number(g.stenosis_position / mm) + " mm, " +
                 format_number(g.stenosis_length / mm) + " mm long) must lie inside the pipe (" +
                 format_number(g.length / mm) + " mm long)");
  } else {
    note_unused_table("geometry.stenosis", "it applies to shape = \"stenosed_pipe\", not " + shape);
  }

  // What drives the flow, and what the shape allows.
  c.driver = r.choice("flow.driver", driver_names).value_or(c.driver);
  if (c.driver == FlowDriver::Inlet && !is_pipe(g.shape) && !from_file)
    r.fail("flow.driver", (g.shape == ShapeKind::Channel
                               ? std::string("a channel is periodic in-plane and has no inlet")
                               : std::string("a closed box has no inlet")) +
                              ": set [flow] driver = \"body_force\" and a [body_force]");
  if (c.driver == FlowDriver::BodyForce && from_file)
    r.fail("flow.driver",
           "a geometry from a file is driven through its openings: set [flow] "
           "driver = \"inlet\"");
  if (c.driver == FlowDriver::BodyForce && g.shape != ShapeKind::Box) {
    const Eigen::Vector3d n = g.axis.normalized().cwiseAbs();
    if (!((n.array() - 1.0).abs() < 1e-12).any())
      r.fail("geometry.axis",
             std::string(g.shape == ShapeKind::Channel
                             ? "the channel's plate normal"
                             : "a body-force-driven pipe is periodic along its axis, which") +
                 " must be a grid axis: [1, 0, 0], [0, 1, 0] or [0, 0, 1]");
  }

  // [blood]
  c.blood.density = r.number("blood.density_kg_m3").value_or(c.blood.density);
  c.blood.viscosity = r.number("blood.viscosity_pa_s").value_or(c.blood.viscosity);
  if (c.blood.viscosity > 0.1)
    notes.push_back("blood.viscosity_pa_s = " + format_number(c.blood.viscosity) +
                    " is over 25 times blood's: the key is in Pa s (3.5 mPa s = 0.0035 Pa s)");
  {
    auto& b = c.blood;
    b.model = r.choice("blood.model", rheology_names).value_or(b.model);
    const auto read = [&](const char* key, double& to) {
      if (auto v = r.number(key)) to = *v;
    };
    read("blood.zero_shear_viscosity_pa_s", b.zero_shear_viscosity);
    read("blood.infinite_shear_viscosity_pa_s", b.infinite_shear_viscosity);
    read("blood.relaxation_time_s", b.relaxation_time);
    read("blood.yasuda_exponent", b.yasuda_exponent);
    read("blood.power_index", b.power_index);
    read("blood.consistency_pa_sn", b.consistency);
    read("blood.yield_stress_pa", b.yield_stress);
    read("blood.casson_viscosity_pa_s", b.casson_viscosity);
    read("blood.min_viscosity_pa_s", b.min_viscosity);
    read("blood.max_viscosity_pa_s", b.max_viscosity);
    if (b.model != RheologyModel::Newtonian && b.max_viscosity < b.min_viscosity)
      r.fail(r.has("blood.max_viscosity_pa_s") ? "blood.max_viscosity_pa_s"
                                               : "blood.min_viscosity_pa_s",
             "the largest viscosity (" + format_number(b.max_viscosity) +
                 " Pa s) must be at least the smallest (" + format_number(b.min_viscosity) +
                 " Pa s)");
    const std::string model = "blood.model = \"" + name_in(rheology_names, b.model) + "\"";
    const auto unused = [&](std::initializer_list<const char*> keys) {
      for (const char* k : keys) note_unused(k, "it does not apply to " + model);
    };
    const auto cy = {"blood.zero_shear_viscosity_pa_s", "blood.infinite_shear_viscosity_pa_s",
                     "blood.relaxation_time_s", "blood.yasuda_exponent"};
    const auto bounds = {"blood.min_viscosity_pa_s", "blood.max_viscosity_pa_s"};
    switch (b.model) {
      case RheologyModel::Newtonian:
        unused(cy);
        unused(bounds);
        unused({"blood.power_index", "blood.consistency_pa_sn", "blood.yield_stress_pa",
                "blood.casson_viscosity_pa_s"});
        break;
      case RheologyModel::CarreauYasuda:
        unused(bounds);
        unused({"blood.viscosity_pa_s", "blood.consistency_pa_sn", "blood.yield_stress_pa",
                "blood.casson_viscosity_pa_s"});
        break;
      case RheologyModel::Casson:
        unused(cy);
        unused({"blood.viscosity_pa_s", "blood.power_index", "blood.consistency_pa_sn"});
        break;
      case RheologyModel::PowerLaw:
        unused(cy);
        unused({"blood.viscosity_pa_s", "blood.yield_stress_pa", "blood.casson_viscosity_pa_s"});
        if (!r.has("blood.power_index") || !r.has("blood.consistency_pa_sn"))
          r.fail(r.has("blood.power_index") ? "blood.consistency_pa_sn" : "blood.power_index",
                 "required key missing: " + model +
                     " needs consistency_pa_sn (k) and power_index (n) of mu = k gamma^(n - 1)");
        break;
    }
  }
  c.turbulence.smagorinsky =
      r.choice("turbulence.model", turbulence_names).value_or(TurbulenceModel::None) ==
      TurbulenceModel::Smagorinsky;
  c.turbulence.constant =
      r.number("turbulence.smagorinsky_constant").value_or(c.turbulence.constant);
  if (!c.turbulence.smagorinsky)
    note_unused("turbulence.smagorinsky_constant", "turbulence.model is \"none\"");

  // [collision], [walls]
  if (const auto model = r.choice("collision.model", collision_names)) {
    c.collision = *model;
  } else if (is_file_shape(c.geometry.shape) &&
             lattice.value_or(LatticeKind::D3Q27) == LatticeKind::D3Q27) {
    // A patient's anatomy runs near tau = 1/2 at its real flow: there the cumulant collision
    // keeps the lowest floor without LES and the best Taylor-Green dissipation (docs/validation.md,
    // "Stability map"), so it is the default there; analytic shapes keep TRT, whose walls do not
    // move with the viscosity.
    c.collision = CollisionModel::Cumulant;
    c.lattice = LatticeKind::D3Q27;
  }
  c.trt_magic = r.number("collision.trt_magic").value_or(c.trt_magic);
  if (c.collision != CollisionModel::Trt)
    note_unused("collision.trt_magic", "it applies to model = \"trt\"");
  c.walls = r.choice("walls.method", wall_names).value_or(c.walls);

  // [inlet]
  auto& in = c.inlet;
  in.profile = r.choice("inlet.profile", profile_names).value_or(in.profile);
  if (auto v = r.number("inlet.mean_velocity_m_s")) in.mean_velocity = *v;
  if (auto q = r.number("inlet.flow_rate_ml_s")) {
    if (r.has("inlet.mean_velocity_m_s"))
      r.fail("inlet.flow_rate_ml_s",
             "set either inlet.mean_velocity_m_s or inlet.flow_rate_ml_s, not both");
    if (from_file) {
      in.flow_rate = *q * 1e-6;  // divided by the inlets' area once they are found
    } else if (!is_pipe(g.shape)) {
      r.fail("inlet.flow_rate_ml_s",
             "a flow rate needs a pipe's cross-section; use "
             "inlet.mean_velocity_m_s with " +
                 shape);
    } else {
      in.mean_velocity = *q * 1e-6 / (0.25 * std::numbers::pi * g.diameter * g.diameter);
    }
  }
  in.amplitude = r.number("inlet.amplitude").value_or(in.amplitude);
  in.period = r.number("inlet.period_s").value_or(in.period);
  in.ramp = r.number("inlet.ramp_s").value_or(in.ramp);
  if (auto f = r.string("inlet.waveform_file")) {
    for (const char* k : {"inlet.mean_velocity_m_s", "inlet.flow_rate_ml_s"})
      if (r.has(k)) r.fail(k, "set either " + std::string(k) + " or inlet.waveform_file, not both");
    note_unused("inlet.amplitude", "the waveform gives the pulsation");
    const auto unit = r.choice("inlet.waveform_unit", flow_unit_names).value_or(FlowUnit::M3PerS);
    in.waveform_file = *f;
    in.waveform_scale = unit == FlowUnit::MlPerS ? 1e-6 : 1.0;
    std::filesystem::path path = *f;
    if (path.is_relative()) path = std::filesystem::path(source_name).parent_path() / path;
    Waveform w = [&] {
      try {
        return read_waveform(path, in.waveform_scale, r.has("inlet.period_s") ? in.period : 0.0);
      } catch (const Error& e) {
        r.fail("inlet.waveform_file", e.what());  // names the waveform file and its line
      }
    }();
    in.period = w.period();
    in.amplitude = 0;
    in.waveform_time = w.times();
    in.waveform_flow = w.values();
    // The closing sample, so the samples span exactly one period.
    in.waveform_time.push_back(in.waveform_time.front() + w.period());
    in.waveform_flow.push_back(in.waveform_flow.front());
  } else {
    note_unused("inlet.waveform_unit", "it applies to inlet.waveform_file");
  }

  // [flow] reference pressure
  if (auto v = r.number("flow.reference_pressure_pa")) c.reference_pressure = *v;
  if (auto v = r.number("flow.reference_pressure_mmhg")) {
    if (r.has("flow.reference_pressure_pa"))
      r.fail("flow.reference_pressure_mmhg",
             "set either flow.reference_pressure_pa or flow.reference_pressure_mmhg, not both");
    c.reference_pressure = *v * pascal_per_mmhg;
  }

  // [outlet], then [outlets.NAME], each starting from [outlet].
  read_outlet(r, "outlet", source_name, c.inlet, c.outlet, note_unused);
  if (const auto* named = r.root().at_path("outlets").as_table()) {
    for (auto&& [key, node] : *named) {
      OutletSpec o = c.outlet;
      o.name = std::string(key.str());
      read_outlet(r, "outlets." + o.name, source_name, c.inlet, o, note_unused);
      c.outlets.push_back(std::move(o));
    }
  }

  // [sections.NAME]
  if (const auto* named = r.root().at_path("sections").as_table()) {
    for (auto&& [key, node] : *named) {
      SectionSpec sec;
      sec.name = std::string(key.str());
      const std::string t = "sections." + sec.name;
      const auto point = r.vector3(t + ".point_mm");
      const auto normal = r.vector3(t + ".normal");
      if (!point || !normal)
        r.fail(point ? t + ".normal" : t + ".point_mm",
               "a section needs point_mm (a point inside the vessel, mm) and normal (the flow "
               "direction), e.g. point_mm = [0, 0, 20], normal = [0, 0, 1]");
      if (!(normal->norm() > 0)) r.fail(t + ".normal", "must be a non-zero vector");
      sec.point = *point * mm;
      sec.normal = *normal;
      sec.radius = r.number(t + ".radius_mm").value_or(0) * mm;
      c.sections.push_back(std::move(sec));
    }
  }

  // [body_force]
  auto& bf = c.body_force;
  bf.gradient = r.number("body_force.gradient_pa_m").value_or(bf.gradient);
  bf.oscillation_amplitude =
      r.number("body_force.oscillation_amplitude_pa_m").value_or(bf.oscillation_amplitude);
  bf.period = r.number("body_force.period_s").value_or(bf.period);
  if (auto v = r.vector3("body_force.direction")) {
    if (!(v->norm() > 0)) r.fail("body_force.direction", "must be a non-zero vector");
    bf.direction = *v;
  }

  if (g.shape == ShapeKind::SurfaceSeries) {
    note_unused_table("inlet", "a chamber's flow is driven by its moving wall");
  } else if (c.driver == FlowDriver::Inlet) {
    if (!r.has("inlet.mean_velocity_m_s") && !r.has("inlet.flow_rate_ml_s") &&
        !r.has("inlet.waveform_file"))
      r.fail("inlet.mean_velocity_m_s",
             "required key missing: the inflow, as inlet.mean_velocity_m_s or inlet.flow_rate_ml_s "
             "(or set flow.driver = \"body_force\")");
    note_unused_table("body_force", "flow.driver is \"inlet\"");
  } else {
    if (!r.has("body_force.gradient_pa_m") && !r.has("body_force.oscillation_amplitude_pa_m"))
      r.fail("body_force.gradient_pa_m",
             "required key missing: flow.driver = \"body_force\" needs body_force.gradient_pa_m "
             "and/or body_force.oscillation_amplitude_pa_m");
    if (bf.gradient == 0 && bf.oscillation_amplitude == 0)
      r.fail(r.has("body_force.gradient_pa_m") ? "body_force.gradient_pa_m"
                                               : "body_force.oscillation_amplitude_pa_m",
             "the body force is zero: nothing drives the flow");
    note_unused_table("inlet", "flow.driver is \"body_force\"");
  }

  // [time]
  if (auto n = r.integer("time.cycles")) {
    if (r.has("time.duration_s"))
      r.fail("time.cycles", "set either time.duration_s or time.cycles, not both");
    const bool chamber = g.shape == ShapeKind::SurfaceSeries;
    const bool pulsatile =
        chamber ||
        (c.driver == FlowDriver::Inlet ? (!c.inlet.waveform_time.empty() || c.inlet.amplitude > 0)
                                       : c.body_force.oscillation_amplitude > 0);
    if (!pulsatile)
      r.fail("time.cycles",
             "cycles need a pulsatile flow: inlet.waveform_file or inlet.amplitude > 0 (or "
             "body_force.oscillation_amplitude_pa_m)");
    c.time.cycles = int(*n);
    c.time.duration = *n * (chamber                         ? g.period
                            : c.driver == FlowDriver::Inlet ? c.inlet.period
                                                            : c.body_force.period);
  } else {
    r.require("time.duration_s", "how much physical time to simulate (s), or time.cycles");
    c.time.duration = *r.number("time.duration_s");
  }
  if (auto tol = r.number("time.cycle_tolerance")) {
    if (c.time.cycles == 0) r.fail("time.cycle_tolerance", "a cycle tolerance needs time.cycles");
    c.time.cycle_tolerance = *tol;
  }
  c.time.max_mach = r.number("time.max_mach").value_or(c.time.max_mach);
  if (auto dt = r.number("time.time_step_s")) {
    if (r.has("time.max_mach"))
      r.fail(
          "time.max_mach",
          "set either time.time_step_s or time.max_mach (which derives the time step), not both");
    if (*dt > c.time.duration)
      r.fail("time.time_step_s",
             "is longer than time.duration_s (" + format_number(c.time.duration) + " s)");
    c.time.time_step = *dt;
  }

  // [output]
  c.output.directory = r.string("output.directory").value_or("results/" + c.name);
  if (c.output.directory.empty()) r.fail("output.directory", "must not be empty");
  c.output.interval = r.number("output.interval_s").value_or(c.output.interval);
  c.output.hdf5 = r.boolean("output.hdf5").value_or(c.output.hdf5);
  c.output.vti = r.boolean("output.vti").value_or(c.output.vti);
  c.output.wall_series = r.boolean("output.wall_series").value_or(c.output.wall_series);
  c.output.vortex_fields = r.boolean("output.vortex_fields").value_or(c.output.vortex_fields);
  c.output.check_every =
      static_cast<int>(r.integer("output.check_every").value_or(c.output.check_every));
  c.output.checkpoint_interval =
      r.number("output.checkpoint_interval_s").value_or(c.output.checkpoint_interval);
  c.output.checkpoint_wall_interval =
      r.number("output.checkpoint_wall_interval_s").value_or(c.output.checkpoint_wall_interval);
  if (c.output.interval > c.time.duration)
    notes.push_back("output.interval_s (" + format_number(c.output.interval) +
                    " s) is longer than the run: only the final state is written");
  return c;
}

// ---- writing TOML
// -------------------------------------------------------------------------------- toml++ prints
// doubles with 17 digits (0.29999999999999999) and tables in alphabetical order; the case as run is
// written here instead: tables and keys in documentation order, numbers in their shortest form that
// reads back to the same double.

std::string format_scalar(const toml::node& n) {
  if (auto i = n.value_exact<std::int64_t>()) return std::to_string(*i);
  if (auto b = n.value_exact<bool>()) return *b ? "true" : "false";
  if (auto d = n.value_exact<double>()) {
    if (std::isnan(*d)) return "nan";
    if (std::isinf(*d)) return *d > 0 ? "inf" : "-inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, *d);
    std::string out(buf, res.ptr);
    if (out.find_first_of(".eE") == std::string::npos) out += ".0";
    return out;
  }
  if (auto s = n.value_exact<std::string>()) {
    std::string out = "\"";
    for (const char ch : *s) {
      switch (ch) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(ch));
            out += esc;
          } else {
            out += ch;
          }
      }
    }
    return out + "\"";
  }
  if (const auto* a = n.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + format_scalar(*a->get(i));
    return out + "]";
  }
  return "{}";  // not reached for a validated case
}

// Writes the known keys of `root` (a validated case) in documentation order.
std::string write_case_table(const toml::table& root) {
  std::string out;
  const auto write = [&](const std::string& path, const std::string& spec, const toml::table& t) {
    std::string body;
    for (const auto& k : case_keys())
      if (k.kind != Kind::Table && parent_of(k.path) == spec)
        if (const auto* n = t.get(leaf_of(k.path)))
          body += std::string(leaf_of(k.path)) + " = " + format_scalar(*n) + "\n";
    if (!body.empty()) out += "\n[" + path + "]\n" + body;
  };
  for (const auto& t : case_keys()) {
    if (t.kind != Kind::Table) continue;
    const std::string_view path = t.path;
    if (path.ends_with(".*")) {  // the tables named by the user, e.g. [outlets.opening2]
      if (const auto* parent = root.at_path(parent_of(path)).as_table())
        for (auto&& [name, node] : *parent)
          if (const auto* table = node.as_table())
            write(std::string(parent_of(path)) + "." + std::string(name.str()), std::string(path),
                  *table);
      continue;
    }
    if (const auto* table = root.at_path(path).as_table())
      write(std::string(path), std::string(path), *table);
  }
  return out;
}

std::string header_comment(const std::string& source_name,
                           const std::vector<std::string>& overrides) {
  std::string out = "# hemotwin case as run, from " + source_name + "\n";
  for (const auto& o : overrides) out += "#   --set " + o + "\n";
  return out;
}

toml::array to_array(const Eigen::Vector3d& v, double scale = 1.0) {
  return toml::array{v[0] * scale, v[1] * scale, v[2] * scale};
}

}  // namespace

// ---- public
// ----------------------------------------------------------------------------------------

int edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::vector<std::string> case_file_keys() {
  std::vector<std::string> out;
  for (const auto& s : case_keys())
    if (s.kind != Kind::Table) out.emplace_back(s.path);  // outlets.*.x: those of [outlet]
  return out;
}

Case parse_case(std::string_view text, const std::string& source_name,
                const std::vector<std::string>& overrides, std::vector<std::string>* notes) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& e) {
    const auto& pos = e.source().begin;
    throw Error(std::string(e.description()),
                source_name + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column));
  }
  auto overridden = apply_overrides(root, overrides);
  Reader reader(root, source_name, overridden);

  std::vector<Unknown> unknown;
  find_unknown(root, "", reader, unknown);
  if (!unknown.empty()) {
    const auto first =
        std::min_element(unknown.begin(), unknown.end(),
                         [](const Unknown& a, const Unknown& b) { return a.line < b.line; });
    std::string msg = first->message;
    if (unknown.size() > 1)
      msg += " (and " + std::to_string(unknown.size() - 1) + " more unknown key" +
             (unknown.size() > 2 ? "s" : "") + ")";
    reader.fail(first->path, msg);
  }
  check_values(root, "", reader);

  std::vector<std::string> local_notes;
  Case c = read_case(reader, source_name, local_notes);
  if (notes) notes->insert(notes->end(), local_notes.begin(), local_notes.end());
  c.source_file = source_name;
  c.source_text = header_comment(source_name, overrides) + write_case_table(root);
  return c;
}

Case load_case(const std::filesystem::path& path, const std::vector<std::string>& overrides,
               std::vector<std::string>* notes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error("case file not found: " + path.string() + " (looked in " +
                std::filesystem::absolute(path, ec).parent_path().string() + ")");
  if (std::filesystem::is_directory(path, ec))
    throw Error("the case file is a directory: " + path.string() + " (give a .toml file)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read the case file " + path.string() + " (permission denied?)");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error("error while reading the case file " + path.string());
  return parse_case(text.str(), path.string(), overrides, notes);
}

Error locate_error(const Error& e, const std::vector<std::string>& overrides,
                   const std::string& case_file) {
  // Where the error is: its file and key, or (for an Error made from a composed message alone)
  // the "CASE_FILE: key 'K': " that starts its message.
  std::string file = e.file(), key = e.key();
  std::string_view message = e.what();
  if (e.line() > 0) return e;
  if (key.empty() && !case_file.empty()) {
    const std::string head = case_file + ": key '";
    const auto end = message.find("': ", head.size());
    if (!message.starts_with(head) || end == std::string_view::npos) return e;
    file = case_file;
    key = std::string(message.substr(head.size(), end - head.size()));
  }
  if (key.empty() || file.empty()) return e;
  // The message without the "FILE: key 'K': " prefixes Error composed (once or more).
  const std::string with_file = file + ": key '" + key + "': ";
  const std::string key_only = "key '" + key + "': ";
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (const auto& prefix : {with_file, key_only})
      if (message.starts_with(prefix)) message.remove_prefix(prefix.size()), stripped = true;
  }
  for (auto it = overrides.rbegin(); it != overrides.rend(); ++it)
    if (trim(std::string_view(*it).substr(0, it->find('='))) == key)
      return Error(std::string(message), "--set " + key);
  try {
    std::ifstream in(file, std::ios::binary);
    if (!in) return e;
    std::ostringstream text;
    text << in.rdbuf();
    const toml::table root = toml::parse(text.str(), std::string_view(file));
    const toml::node* n = root.at_path(key).node();
    for (auto p = parent_of(key); !n && !p.empty(); p = parent_of(p)) n = root.at_path(p).node();
    return Error(std::string(message), file, key, line_of(n));
  } catch (const std::exception&) {
    return e;
  }
}

namespace {
// The blood's keys that apply to its model.
toml::table blood_table(const BloodSpec& b) {
  toml::table t{{"density_kg_m3", b.density}, {"model", name_in(rheology_names, b.model)}};
  switch (b.model) {
    case RheologyModel::Newtonian:
      t.insert("viscosity_pa_s", b.viscosity);
      break;
    case RheologyModel::CarreauYasuda:
      t.insert("zero_shear_viscosity_pa_s", b.zero_shear_viscosity);
      t.insert("infinite_shear_viscosity_pa_s", b.infinite_shear_viscosity);
      t.insert("relaxation_time_s", b.relaxation_time);
      t.insert("yasuda_exponent", b.yasuda_exponent);
      t.insert("power_index", b.power_index);
      break;
    case RheologyModel::Casson:
      t.insert("yield_stress_pa", b.yield_stress);
      t.insert("casson_viscosity_pa_s", b.casson_viscosity);
      break;
    case RheologyModel::PowerLaw:
      t.insert("consistency_pa_sn", b.consistency);
      t.insert("power_index", b.power_index);
      break;
  }
  if (b.model == RheologyModel::Casson || b.model == RheologyModel::PowerLaw) {
    t.insert("min_viscosity_pa_s", b.min_viscosity);
    t.insert("max_viscosity_pa_s", b.max_viscosity);
  }
  return t;
}

// One outlet's keys, as the case file writes them ([outlet], or `named` [outlets.NAME], which
// takes a Windkessel split from [outlet]).
toml::table outlet_table(const OutletSpec& o, bool named = false) {
  toml::table t{{"model", name_in(outlet_model_names, o.model)}};
  switch (o.model) {
    case OutletModel::Pressure:
      if (o.pressure_file.empty())
        t.insert("pressure_pa", o.pressure);
      else
        t.insert("pressure_file", o.pressure_file);
      break;
    case OutletModel::Resistance:
      t.insert("pressure_pa", o.pressure);
      t.insert("resistance_pa_s_m3", o.resistance);
      break;
    case OutletModel::Windkessel:
      t.insert("pressure_pa", o.pressure);
      if (o.total_resistance > 0) {
        if (named) break;
        t.insert("total_resistance_pa_s_m3", o.total_resistance);
        t.insert("total_compliance_m3_pa", o.total_compliance);
        t.insert("proximal_fraction", o.proximal_fraction);
        t.insert("murray_exponent", o.murray_exponent);
        break;
      }
      t.insert("r1_pa_s_m3", o.resistance);
      t.insert("r2_pa_s_m3", o.distal_resistance);
      t.insert("compliance_m3_pa", o.compliance);
      break;
    case OutletModel::FlowSplit:
      t.insert("flow_fraction", o.flow_fraction);
      break;
  }
  if (o.model != OutletModel::FlowSplit && o.sponge_diameters > 0) {
    t.insert("sponge_diameters", o.sponge_diameters);
    t.insert("sponge_viscosity_ratio", o.sponge_viscosity_ratio);
  }
  return t;
}
}  // namespace

std::string to_toml(const Case& c) {
  const auto& g = c.geometry;
  toml::table geometry{{"shape", name_in(shape_names, g.shape)},
                       {"cells_across_diameter", g.cells_across}};
  if (!is_file_shape(g.shape)) geometry.insert("origin_mm", to_array(g.origin, 1 / mm));
  if (g.shape == ShapeKind::SurfaceSeries) {
    if (!g.file.empty()) geometry.insert("file", g.file);
    if (g.file_unit != 1)
      geometry.insert("file_unit", g.file_unit == 1000 ? "m" : (g.file_unit == 10 ? "cm" : "mm"));
    if (g.spacing > 0) geometry.insert("spacing_mm", g.spacing / mm);
  } else if (is_file_shape(g.shape)) {
    geometry.insert("file", g.file);
    if (g.file_unit != 1)
      geometry.insert("file_unit", g.file_unit == 1000 ? "m" : (g.file_unit == 10 ? "cm" : "mm"));
    if (g.spacing > 0) geometry.insert("spacing_mm", g.spacing / mm);
    geometry.insert("extension_diameters", g.extension);
    if (g.trim_radii > 0) geometry.insert("trim_radii", g.trim_radii);
    if (g.min_branch_radius > 0) geometry.insert("min_branch_radius_mm", g.min_branch_radius / mm);
    toml::array inlets;
    for (const auto& n : g.inlets) inlets.push_back(n);
    geometry.insert("inlets", std::move(inlets));
    if (!g.cut_points.empty()) {
      toml::array points, normals;
      for (const auto& p : g.cut_points) points.push_back(to_array(p, 1 / mm));
      for (const auto& v : g.cut_normals) normals.push_back(to_array(v));
      geometry.insert("cut_points_mm", std::move(points));
      geometry.insert("cut_normals", std::move(normals));
    }
    if (g.shape != ShapeKind::Surface) {
      geometry.insert("label", g.label);
      geometry.insert("smoothing_mm", g.smoothing / mm);
    }
    if (g.shape == ShapeKind::Scan || !g.cine_frames.empty()) {
      toml::array seeds;
      for (const auto& p : g.seeds) seeds.push_back(to_array(p, 1 / mm));
      toml::table seg{{"seeds_mm", std::move(seeds)},
                      {"smoothing_iterations", g.smoothing_iterations}};
      if (g.has_lower) seg.insert("lower", g.lower);
      if (g.has_upper) seg.insert("upper", g.upper);
      if (g.has_roi) {
        seg.insert("roi_min_mm", to_array(g.roi_min, 1 / mm));
        seg.insert("roi_max_mm", to_array(g.roi_max, 1 / mm));
      }
      if (g.series >= 0) seg.insert("series", g.series);
      seg.insert("method", g.sato ? "sato" : g.vesselness ? "vesselness" : "threshold");
      if (g.vesselness) {
        seg.insert("vesselness_level", g.vesselness_level);
        seg.insert("sigma_min_mm", g.sigma_min / mm);
        seg.insert("sigma_max_mm", g.sigma_max / mm);
      }
      seg.insert("level_set", g.level_set);
      if (g.barrier_radius > 0) seg.insert("barrier_radius_mm", g.barrier_radius / mm);
      geometry.insert("segmentation", std::move(seg));
    }
  } else if (is_pipe(g.shape)) {
    geometry.insert("axis", to_array(g.axis));
    geometry.insert("length_mm", g.length / mm);
    geometry.insert("diameter_mm", g.diameter / mm);
  } else {
    geometry.insert("size_mm", to_array(g.size, 1 / mm));
    if (g.shape == ShapeKind::Channel) {
      geometry.insert("axis", to_array(g.axis));
      geometry.insert("diameter_mm", g.diameter / mm);
    }
  }
  if (g.shape == ShapeKind::StenosedPipe)
    geometry.insert("stenosis", toml::table{{"severity", g.stenosis_severity},
                                            {"length_mm", g.stenosis_length / mm},
                                            {"position_mm", g.stenosis_position / mm}});
  toml::table collision{{"model", name_in(collision_names, c.collision)}};
  if (c.collision == CollisionModel::Trt) collision.insert("trt_magic", c.trt_magic);
  toml::table time;
  if (c.time.cycles > 0) {
    time.insert("cycles", c.time.cycles);
    if (c.time.cycle_tolerance > 0) time.insert("cycle_tolerance", c.time.cycle_tolerance);
  } else {
    time.insert("duration_s", c.time.duration);
  }
  if (c.time.time_step > 0)
    time.insert("time_step_s", c.time.time_step);
  else
    time.insert("max_mach", c.time.max_mach);

  toml::table root{
      {"case", toml::table{{"name", c.name},
                           {"backend", name_in(backend_names, c.backend)},
                           {"precision", name_in(precision_names, c.precision)},
                           {"lattice", name_in(lattice_names, c.lattice)},
                           {"streaming", name_in(streaming_names, c.streaming)},
                           {"threads", c.threads}}},
      {"geometry", std::move(geometry)},
      {"blood", blood_table(c.blood)},
      {"collision", std::move(collision)},
      {"walls", toml::table{{"method", name_in(wall_names, c.walls)}}},
      {"flow", toml::table{{"driver", name_in(driver_names, c.driver)}}},
      {"outlet", outlet_table(c.outlet)},
      {"time", std::move(time)},
      {"output", toml::table{{"directory", c.output.directory},
                             {"interval_s", c.output.interval},
                             {"hdf5", c.output.hdf5},
                             {"vti", c.output.vti},
                             {"wall_series", c.output.wall_series},
                             {"vortex_fields", c.output.vortex_fields},
                             {"check_every", c.output.check_every},
                             {"checkpoint_interval_s", c.output.checkpoint_interval},
                             {"checkpoint_wall_interval_s", c.output.checkpoint_wall_interval}}},
  };
  if (c.turbulence.smagorinsky)
    root.insert("turbulence", toml::table{{"model", "smagorinsky"},
                                          {"smagorinsky_constant", c.turbulence.constant}});
  if (!std::isnan(c.reference_pressure))
    root["flow"].as_table()->insert("reference_pressure_pa", c.reference_pressure);
  if (!c.outlets.empty()) {
    toml::table named;
    for (const auto& o : c.outlets) named.insert(o.name, outlet_table(o, true));
    root.insert("outlets", std::move(named));
  }
  if (!c.sections.empty()) {
    toml::table named;
    for (const auto& sec : c.sections) {
      toml::table t{{"point_mm", to_array(sec.point, 1 / mm)}, {"normal", to_array(sec.normal)}};
      if (sec.radius > 0) t.insert("radius_mm", sec.radius / mm);
      named.insert(sec.name, std::move(t));
    }
    root.insert("sections", std::move(named));
  }
  if (g.shape == ShapeKind::SurfaceSeries) {
    write_chamber(c, *root["geometry"].as_table(), root);
  } else if (c.driver == FlowDriver::Inlet) {
    toml::table inlet{{"profile", name_in(profile_names, c.inlet.profile)}};
    if (!c.inlet.waveform_file.empty()) {
      inlet.insert("waveform_file", c.inlet.waveform_file);
      inlet.insert("waveform_unit", c.inlet.waveform_scale == 1.0 ? "m3_s" : "ml_s");
    } else if (is_file_shape(c.geometry.shape) && c.inlet.flow_rate > 0) {
      inlet.insert("flow_rate_ml_s", c.inlet.flow_rate * 1e6);
    } else {
      inlet.insert("mean_velocity_m_s", c.inlet.mean_velocity);
    }
    if (c.inlet.waveform_file.empty()) inlet.insert("amplitude", c.inlet.amplitude);
    inlet.insert("period_s", c.inlet.period);
    inlet.insert("ramp_s", c.inlet.ramp);
    root.insert("inlet", std::move(inlet));
  } else
    root.insert("body_force",
                toml::table{{"gradient_pa_m", c.body_force.gradient},
                            {"oscillation_amplitude_pa_m", c.body_force.oscillation_amplitude},
                            {"period_s", c.body_force.period},
                            {"direction", to_array(c.body_force.direction)}});
  return "# hemotwin case, every key that applies written out\n" + write_case_table(root);
}

}  // namespace hemotwin::io
