// The key table (src/io/case_keys.cpp) against docs/case-file.md, cell by cell, and its ranges
// against the reader: every number key refuses a value beyond either end of its range, named.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/case_keys.hpp"

namespace hemotwin::io {
namespace {

struct DocRow {
  int line;
  std::vector<std::string> cells;  // key, type, unit, default, valid, meaning
};

std::string trimmed(const std::string& s) {
  const auto a = s.find_first_not_of(' ');
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(' ') - a + 1);
}

// The rows of the key tables of docs/case-file.md by key path; a table's keys follow its heading
// "### `[TABLE]`" ([sections.NAME] stands as sections.*).
std::map<std::string, DocRow> doc_rows() {
  std::ifstream in(std::filesystem::path(HEMOTWIN_SOURCE_DIR) / "docs/case-file.md");
  EXPECT_TRUE(in) << "docs/case-file.md missing";
  std::map<std::string, DocRow> rows;
  const std::regex heading(R"(^### `\[([A-Za-z_.]+)\]`)");
  std::string table, line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::smatch m;
    if (std::regex_search(line, m, heading)) {
      table = m[1] == "sections.NAME" ? "sections.*"
              : m[1] == "valves.NAME" ? "valves.*"
                                      : std::string(m[1]);
      continue;
    }
    if (line.starts_with("## ")) table.clear();
    if (table.empty() || !line.starts_with("| `")) continue;
    DocRow row{n, {}};
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
        cell += '|', ++i;
      } else if (line[i] == '|') {
        row.cells.push_back(trimmed(cell)), cell.clear();
      } else {
        cell += line[i];
      }
    }
    EXPECT_EQ(row.cells.size(), 6u) << "docs/case-file.md:" << n << ": " << line;
    if (row.cells.size() != 6) continue;
    const std::string key = row.cells[0].substr(1, row.cells[0].size() - 2);  // without ``
    EXPECT_TRUE(rows.emplace(table + "." + key, row).second)
        << "docs/case-file.md:" << n << ": " << table << "." << key << " twice";
  }
  return rows;
}

TEST(CaseKeys, DocsTablesAreTheKeyTable) {
  const auto docs = doc_rows();
  std::size_t seen = 0;
  for (const CaseKey& k : case_keys()) {
    if (k.kind == KeyKind::Table || k.path.starts_with("outlets.*.")) continue;
    const auto it = docs.find(std::string(k.path));
    if (it == docs.end()) {
      ADD_FAILURE() << k.path << " is in the key table but not in docs/case-file.md";
      continue;
    }
    ++seen;
    const auto& c = it->second.cells;
    const std::string where =
        "docs/case-file.md:" + std::to_string(it->second.line) + " (" + std::string(k.path) + ") ";
    EXPECT_EQ(c[1], kind_name(k.kind)) << where << "type";
    EXPECT_EQ(c[2], k.unit) << where << "unit";
    EXPECT_EQ(c[3], k.fallback) << where << "default";
    EXPECT_EQ(c[4], k.valid) << where << "valid";
    EXPECT_EQ(c[5], k.meaning) << where << "meaning";
  }
  EXPECT_EQ(seen, docs.size()) << "docs/case-file.md documents keys the key table lacks";
  EXPECT_GT(seen, 100u);
}

TEST(CaseKeys, NumbersSayWhatAPhysicalValueCanBe) {
  for (const CaseKey& k : case_keys()) {
    if (k.kind != KeyKind::Number && k.kind != KeyKind::Integer) continue;
    EXPECT_TRUE(k.valid.starts_with(k.range.describe()))
        << k.path << ": valid '" << k.valid << "' does not start with its range "
        << k.range.describe();
    // A quantity with a physical unit is bounded above (intensities of a scan excepted: their
    // scale is the scanner's).
    if (k.kind == KeyKind::Number && !k.unit.empty() && !k.unit.starts_with("scan units"))
      EXPECT_TRUE(std::isfinite(k.range.hi)) << k.path << " [" << k.unit << "] has no upper bound";
  }
  const CaseKey* v = find_case_key("inlet.mean_velocity_m_s");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->unit, "m/s");
  EXPECT_TRUE(v->range.contains(5.0));  // a severe stenosis' jet
  EXPECT_FALSE(v->range.contains(0.0));
  EXPECT_FALSE(v->range.contains(1e308));
  EXPECT_EQ(find_case_key("outlets.*.resistance_pa_s_m3")->unit, "Pa s/m³");
  EXPECT_EQ(find_case_key("outlets.*.total_resistance_pa_s_m3"), nullptr);  // [outlet] only
  EXPECT_EQ(format_number(1e14), "1e14");
  EXPECT_EQ(format_number(1e-5), "1e-5");
  EXPECT_EQ(format_number(0.0035), "0.0035");
}

// Every number key, set by --set beyond each finite end of its range on the bundled case (whose
// shape may not even read it): refused naming the key and the range.
TEST(CaseKeys, EveryNumberKeyRefusesValuesBeyondItsRange) {
  int checked = 0;
  for (const CaseKey& k : case_keys()) {
    if (k.kind != KeyKind::Number && k.kind != KeyKind::Integer) continue;
    std::string path(k.path);
    if (const auto star = path.find('*'); star != std::string::npos)
      path.replace(star, 1, path.starts_with("outlets") ? "outlet0" : "s");
    std::vector<double> beyond;
    const bool integer = k.kind == KeyKind::Integer;
    if (std::isfinite(k.range.hi)) beyond.push_back(integer ? k.range.hi + 1 : 10 * k.range.hi + 1);
    if (std::isfinite(k.range.lo))
      beyond.push_back(integer ? k.range.lo - 1 : k.range.lo - 1 - std::abs(k.range.lo));
    if (k.range.lo_open) beyond.push_back(k.range.lo);
    for (const double v : beyond) {
      std::ostringstream text;
      text.precision(17);
      text << v;
      const std::string set = path + "=" + text.str();
      std::string msg = "(accepted)";
      try {
        load_case(std::filesystem::path(HEMOTWIN_SOURCE_DIR) / "examples/cases/stenosis.toml",
                  {set});
      } catch (const Error& e) {
        msg = e.what();
      }
      const std::string want = "--set " + path + ": must " + k.range.requirement();
      EXPECT_NE(msg.find(want), std::string::npos) << set << ": " << msg << "\nexpected: " << want;
      ++checked;
    }
  }
  EXPECT_GT(checked, 150);
}

}  // namespace
}  // namespace hemotwin::io
