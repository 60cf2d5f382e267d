#include "surface_checks.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "hemotwin/core/error.hpp"

namespace hemotwin::geometry_checks {

namespace fs = std::filesystem;

namespace {

bool is_integer(const std::string& w, long long& v) {
  if (w.empty()) return false;
  char* end = nullptr;
  errno = 0;
  v = std::strtoll(w.c_str(), &end, 10);
  return errno == 0 && end == w.c_str() + w.size();  // a NUL inside the word is no number
}

bool is_number(const std::string& w) {
  if (w.empty()) return false;
  char* end = nullptr;
  (void)std::strtod(w.c_str(), &end);
  return end == w.c_str() + w.size();
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

/// A binary STL is an 80-byte header, a little-endian uint32 triangle count and 50 bytes per
/// triangle. VTK's reader takes what a cut file holds and says nothing; the count in the header is
/// compared with the file's size here so that a truncated file is named as such. A file is left
/// to VTK as ASCII when it starts with "solid", its first kilobyte holds "facet" (or "endsolid")
/// and no control byte: binary exporters may write "solid" into their header too, but their count
/// (under 2^24 triangles) has a zero byte.
void check_stl(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char head[1024] = {};
  in.read(head, sizeof head);
  const auto got = std::size_t(in.gcount());
  const std::uintmax_t size = fs::file_size(path);
  // vtkSTLReader reads a file as text when kwsys's DetectFileType says so: under 5 % of its
  // first 256 bytes outside printable ASCII, tab and line ends. A "solid" file with bytes past
  // 0x7F early on is read as binary, its triangle count taken from bytes 80 to 83 (found by
  // fuzz_surface: a 4 GiB allocation), so the same rule decides here.
  const std::size_t sample = std::min<std::size_t>(got, 256);
  const auto text_bytes = std::count_if(head, head + sample, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 0x20 && u <= 0x7f) || c == '\n' || c == '\r' || c == '\t';
  });
  const bool ascii = sample > 0 && double(sample - std::size_t(text_bytes)) < 0.05 * double(sample);
  if (ascii) return;
  if (got < 84)
    throw Error("not an STL file: " + std::to_string(size) +
                    " bytes, shorter than a binary STL's 84-byte header, and not ASCII "
                    "(which starts with 'solid')",
                path.string());
  std::uint32_t n = 0;
  for (int b = 3; b >= 0; --b) n = n << 8 | static_cast<unsigned char>(head[80 + b]);
  const std::uintmax_t expected = 84 + 50 * std::uintmax_t(n);
  if (size < expected)
    throw Error("binary STL truncated: its header announces " + std::to_string(n) + " triangles (" +
                    std::to_string(expected) + " bytes) but the file holds " +
                    std::to_string(size) + " bytes (" + std::to_string((size - 84) / 50) +
                    " whole triangles); export the surface again",
                path.string());
}

namespace {

struct PlyElement {
  std::string name;
  long long count = 0;
  std::vector<std::pair<bool, std::string>> properties;  // (is a list, name)
};

// An ASCII PLY body, line by line against the header: as many numbers as the properties ask
// (a list: its length, then that many), face indices naming vertices. VTK 9.1 reads past a short
// line (a null word: found by fuzz_surface).
void check_ply_ascii(std::istream& in, const std::vector<PlyElement>& elements, int n,
                     const std::function<void(const std::string&, int)>& fail) {
  long long vertices = 0;
  std::string line;
  for (const auto& e : elements) {
    if (e.name == "vertex") vertices = e.count;
    for (long long row = 0; row < e.count; ++row, ++n) {
      if (!std::getline(in, line)) fail("the file ends inside element '" + e.name + "'", n);
      const auto w = words(line);
      std::size_t at = 0;
      for (const auto& [list, name] : e.properties) {
        long long items = 1;
        if (list && (at >= w.size() || !is_integer(w[at++], items) || items < 0 || items > 1000))
          fail("element '" + e.name + "': a list length (0 to 1000) expected", n);
        for (long long k = 0; k < items; ++k, ++at) {
          long long index = 0;
          const bool face_index = e.name == "face" && list;
          if (at >= w.size() ||
              (face_index ? !is_integer(w[at], index) || index < 0 || index >= vertices
                          : !is_number(w[at])))
            fail("element '" + e.name + "', property '" + name + "': " +
                     (at < w.size() ? "'" + w[at] + "' is not"
                                    : "the line ends where there should be") +
                     (face_index ? " a vertex index (0 to " + std::to_string(vertices - 1) + ")"
                                 : " a number"),
                 n);
        }
      }
      if (at != w.size())
        fail("element '" + e.name + "': " + std::to_string(w.size() - at) +
                 " values more than its properties",
             n);
    }
  }
}

}  // namespace

void check_ply(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string file = path.string();
  const std::function<void(const std::string&, int)> fail = [&](const std::string& what, int line) {
    throw Error("not a readable PLY surface: " + what, file, {}, line);
  };
  std::string line;
  if (!std::getline(in, line) || line.substr(0, line.find_last_not_of("\r") + 1) != "ply")
    fail("the first line must be 'ply'", 1);
  const std::set<std::string> types = {"char",  "uchar",  "short",   "ushort", "int",   "uint",
                                       "float", "double", "int8",    "uint8",  "int16", "uint16",
                                       "int32", "uint32", "float32", "float64"};
  std::vector<PlyElement> elements;
  std::string format;
  int n = 2;
  for (;; ++n) {
    if (!std::getline(in, line) || n > 10000)
      fail("no 'end_header' line (a header is a few dozen lines)", n);
    const auto w = words(line);
    if (w.empty() || w[0] == "comment" || w[0] == "obj_info") continue;
    if (w[0] == "end_header") break;
    long long count = 0;
    if (w[0] == "format") {
      if (w.size() != 3 ||
          (w[1] != "ascii" && w[1] != "binary_little_endian" && w[1] != "binary_big_endian"))
        fail("'format' must be ascii, binary_little_endian or binary_big_endian, then a version",
             n);
      format = w[1];
    } else if (w[0] == "element") {
      if (w.size() != 3 || !is_integer(w[2], count) || count < 0 || count > (1LL << 31))
        fail("'element' takes a name and a count (0 to 2^31)", n);
      elements.push_back({w[1], count, {}});
    } else if (w[0] == "property") {
      if (elements.empty()) fail("a property before any element", n);
      const bool list = w.size() == 5 && w[1] == "list";
      if (list ? !(types.count(w[2]) && types.count(w[3])) : !(w.size() == 3 && types.count(w[1])))
        fail("'property' takes a type and a name, or 'list', two types and a name; types are " +
                 std::string("char, uchar, short, ushort, int, uint, float, double"),
             n);
      elements.back().properties.emplace_back(list, w.back());
    } else {
      fail("unknown header line '" + line + "'", n);
    }
  }
  if (format.empty()) fail("no 'format' line in the header", 2);
  auto find = [&](const char* name) {
    const auto it = std::find_if(elements.begin(), elements.end(), [&](const PlyElement& e) {
      return e.name == name && e.count > 0;
    });
    return it == elements.end() ? nullptr : &*it;
  };
  auto has = [](const PlyElement* e, bool list, const std::string& name) {
    return std::any_of(e->properties.begin(), e->properties.end(),
                       [&](const auto& p) { return p.first == list && p.second == name; });
  };
  const PlyElement* vertex = find("vertex");
  const PlyElement* face = find("face");
  if (!vertex || !has(vertex, false, "x") || !has(vertex, false, "y") || !has(vertex, false, "z"))
    fail("the header needs a vertex element with properties x, y and z", 2);
  // VTK finds the face list by its name and reads through a null pointer without it.
  if (!face || !(has(face, true, "vertex_indices") || has(face, true, "vertex_index")))
    fail("the header needs a face element with a list property 'vertex_indices'", 2);
  if (format == "ascii") check_ply_ascii(in, elements, n + 1, fail);
}

void check_legacy_vtk(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string file = path.string();
  auto fail = [&](const std::string& what) {
    throw Error("not a readable legacy VTK surface: " + what, file);
  };
  std::string version_line, title, encoding, dataset;
  std::getline(in, version_line);
  std::getline(in, title);
  std::getline(in, encoding);
  std::getline(in, dataset);
  if (version_line.rfind("# vtk DataFile Version", 0) != 0)
    fail("the first line must be '# vtk DataFile Version X.Y'");
  const double version = std::atof(version_line.c_str() + 22);
  const auto enc = words(encoding);
  if (enc.size() != 1 || (enc[0] != "ASCII" && enc[0] != "BINARY"))
    fail("the third line must be ASCII or BINARY");
  if (enc[0] == "BINARY") return;  // its sections are sized by VTK itself
  // ASCII: the geometry sections, value by value. Attributes (POINT_DATA, CELL_DATA, FIELD) end
  // the check.
  long long points = -1;
  std::string w;
  auto next = [&](const char* what) {
    if (!(in >> w)) fail(std::string("the file ends inside ") + what);
    return w;
  };
  auto count = [&](const char* what, long long max) {
    long long v = 0;
    if (!is_integer(next(what), v) || v < 0 || v > max)
      fail(std::string(what) + ": '" + w + "' where a count (0 to " + std::to_string(max) +
           ") belongs");
    return v;
  };
  auto index = [&](const char* what) {
    long long v = 0;
    if (!is_integer(next(what), v) || v < 0 || v >= points)
      fail(std::string(what) + ": '" + w + "' is no point index (0 to " +
           std::to_string(points - 1) + ")");
  };
  while (in >> w) {
    if (w == "POINTS") {
      points = count("POINTS", 1LL << 31);
      next("POINTS");  // the value type
      for (long long k = 0; k < 3 * points; ++k)
        if (!is_number(next("POINTS"))) fail("POINTS: '" + w + "' where a coordinate belongs");
    } else if (w == "VERTICES" || w == "LINES" || w == "POLYGONS" || w == "TRIANGLE_STRIPS") {
      const std::string section = w;
      if (points < 0) fail(section + " before POINTS");
      const long long cells = count(section.c_str(), 1LL << 31);
      const long long size = count(section.c_str(), 1LL << 33);
      if (version >= 5) {  // OFFSETS type, `cells` offsets, CONNECTIVITY type, `size` indices
        if (next(section.c_str()) != "OFFSETS") fail(section + ": OFFSETS expected");
        next(section.c_str());
        for (long long k = 0; k < cells; ++k) count("OFFSETS", size);
        if (next(section.c_str()) != "CONNECTIVITY") fail(section + ": CONNECTIVITY expected");
        next(section.c_str());
        for (long long k = 0; k < size; ++k) index("CONNECTIVITY");
      } else {  // `cells` cells of "k i1 .. ik", `size` numbers in all
        long long used = 0;
        for (long long c = 0; c < cells; ++c) {
          const long long k = count(section.c_str(), size);
          used += k + 1;
          if (used > size)
            fail(section + ": its cells hold more than the " + std::to_string(size) +
                 " numbers announced");
          for (long long i = 0; i < k; ++i) index(section.c_str());
        }
        if (used != size)
          fail(section + ": its cells hold " + std::to_string(used) + " numbers, not the " +
               std::to_string(size) + " announced");
      }
    } else if (w == "POINT_DATA" || w == "CELL_DATA" || w == "FIELD" || w == "METADATA") {
      return;
    } else {
      fail("'" + w +
           "' where a section (POINTS, POLYGONS, TRIANGLE_STRIPS, POINT_DATA, ...) "
           "begins");
    }
  }
  if (points < 0) fail("no POINTS section");
}

void check_obj(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const char* kinds[3] = {"vertex", "texture coordinate", "normal"};
  long long counts[3] = {0, 0, 0}, number = 0;  // v, vt, vn lines
  struct Reference {
    long long index, line;
    int kind;
  };
  std::vector<Reference> refs;  // checked at the end: an index may name a later vertex
  auto fail = [&](long long line, const std::string& what) {
    throw Error("not a readable OBJ surface: line " + std::to_string(line) + ": " + what,
                path.string());
  };
  std::string line;
  while (std::getline(in, line)) {
    ++number;
    const auto w = words(line);
    if (w.empty()) continue;
    const int defines = w[0] == "v" ? 0 : w[0] == "vt" ? 1 : w[0] == "vn" ? 2 : -1;
    if (defines >= 0) ++counts[defines];
    if (w[0] != "f" && w[0] != "l") continue;
    for (std::size_t i = 1; i < w.size(); ++i) {
      // "v", "v/t", "v/t/n" or "v//n": 1-based, or negative counting back from the last read.
      std::size_t at = 0;
      for (int kind = 0; kind < 3 && at <= w[i].size(); ++kind) {
        const auto slash = std::min(w[i].find('/', at), w[i].size());
        const std::string part = w[i].substr(at, slash - at);
        at = slash + 1;
        // "v//n" has no texture coordinate; "v/" or "v/t/" is refused (VTK 9.1's reader
        // dereferenced a texture array it never made: found by fuzz_surface).
        if (part.empty() && kind == 1 && at < w[i].size()) continue;
        long long v = 0;
        if (!is_integer(part, v) || v == 0)
          fail(number, "'" + w[i] + "' where a " + kinds[kind] +
                           " index (1, 2, ... or -1, -2, ...) belongs");
        refs.push_back({v < 0 ? counts[kind] + 1 + v : v, number, kind});
      }
    }
  }
  for (const auto& r : refs)
    if (r.index < 1 || r.index > counts[r.kind])
      fail(r.line, "names " + std::string(kinds[r.kind]) + " " + std::to_string(r.index) +
                       ", but the file has " + std::to_string(counts[r.kind]));
}

}  // namespace hemotwin::geometry_checks
