// check_vtk_xml (surface_checks.hpp): the headers of a VTK XML file's binary arrays against the
// bytes that hold them. VTK 9.1's XML reader allocates what a compression header announces (a
// block count of 870 million in a damaged .vtp: 3.5 GB, found by fuzz_surface) before it reads
// the blocks.
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "hemotwin/core/error.hpp"
#include "surface_checks.hpp"

namespace hemotwin::geometry_checks {
namespace {

// The value of attribute `name` in the tag that starts at `tag` ("" when absent).
std::string attribute(std::string_view text, std::size_t tag, std::string_view name) {
  const std::size_t end = text.find('>', tag);
  const std::string_view t = text.substr(tag, end == std::string_view::npos ? end : end - tag);
  for (std::size_t at = t.find(name); at != std::string_view::npos; at = t.find(name, at + 1)) {
    const std::size_t eq = at + name.size();
    if (at > 0 && t[at - 1] == ' ' && eq + 1 < t.size() && t[eq] == '=' && t[eq + 1] == '"') {
      const std::size_t close = t.find('"', eq + 2);
      if (close == std::string_view::npos) return {};
      return std::string(t.substr(eq + 2, close - eq - 2));
    }
  }
  return {};
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

// The bytes of an array's data from `at`: raw, or decoded from base64 (skipping white space,
// one run up to its padding), as many as `count` asks.
class Data {
 public:
  Data(std::string_view text, std::size_t at, bool base64)
      : text_(text), at_(at), base64_(base64) {}

  /// The next `bytes` bytes as a little-endian number; false where the data ends first.
  bool word(int bytes, std::uint64_t& v) {
    v = 0;
    for (int i = 0; i < bytes; ++i) {
      int b = 0;
      if (!next(b)) return false;
      v |= std::uint64_t(b) << (8 * i);
    }
    return true;
  }
  /// Bytes left after what was read (for base64: what the characters left decode to).
  std::uint64_t left() const {
    const std::uint64_t chars = text_.size() - at_;
    return base64_ ? chars * 3 / 4 + pending_ : chars;
  }

 private:
  bool next(int& b) {
    if (!base64_) {
      if (at_ >= text_.size()) return false;
      b = static_cast<unsigned char>(text_[at_++]);
      return true;
    }
    while (pending_ == 0) {  // decode the next four characters
      int v[4], n = 0;
      while (n < 4 && at_ < text_.size()) {
        const char c = text_[at_++];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
          v[n++] = 0;
          continue;
        }
        if ((v[n] = base64_value(c)) < 0) return false;
        ++n;
      }
      if (n < 4) return false;
      const std::uint32_t q = std::uint32_t(v[0]) << 18 | std::uint32_t(v[1]) << 12 |
                              std::uint32_t(v[2]) << 6 | std::uint32_t(v[3]);
      bytes_[0] = int(q >> 16 & 0xff), bytes_[1] = int(q >> 8 & 0xff), bytes_[2] = int(q & 0xff);
      pending_ = 3;
      first_ = 0;
    }
    b = bytes_[first_++];
    --pending_;
    return true;
  }

  std::string_view text_;
  std::size_t at_;
  bool base64_;
  int bytes_[3] = {0, 0, 0}, first_ = 0, pending_ = 0;
};

}  // namespace

void check_vtk_xml(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string_view text(file);
  const std::size_t root = text.find("<VTKFile");
  if (root == std::string_view::npos) return;  // VTK says what it is not
  if (attribute(text, root, "byte_order") == "BigEndian") return;
  const int word = attribute(text, root, "header_type") == "UInt64" ? 8 : 4;
  const bool compressed = !attribute(text, root, "compressor").empty();
  std::size_t appended = std::string_view::npos;  // where the appended data starts (after '_')
  bool appended_base64 = false;
  if (const std::size_t a = text.find("<AppendedData"); a != std::string_view::npos) {
    appended_base64 = attribute(text, a, "encoding") != "raw";
    const std::size_t underscore = text.find('_', text.find('>', a));
    if (underscore != std::string_view::npos) appended = underscore + 1;
  }
  auto fail = [&](const std::string& name, const std::string& what) {
    throw Error("not a readable VTK XML file: array '" + name + "': " + what, path.string());
  };
  for (std::size_t tag = text.find("<DataArray"); tag != std::string_view::npos;
       tag = text.find("<DataArray", tag + 1)) {
    if (appended != std::string_view::npos && tag > appended) break;  // inside the binary data
    const std::string format = attribute(text, tag, "format"), name = attribute(text, tag, "Name");
    std::size_t at = 0;
    bool base64 = true;
    if (format == "appended") {
      const std::string offset = attribute(text, tag, "offset");
      char* end = nullptr;
      const unsigned long long o = std::strtoull(offset.c_str(), &end, 10);
      if (appended == std::string_view::npos || offset.empty() || *end ||
          o > text.size() - appended)
        fail(name, "its offset '" + offset + "' lies outside the appended data");
      at = appended + std::size_t(o);
      base64 = appended_base64;
    } else if (format == "binary") {
      at = text.find('>', tag);
      if (at == std::string_view::npos) return;
      ++at;
    } else {
      continue;  // ascii: VTK parses the numbers itself
    }
    Data data(text, at, base64);
    std::uint64_t blocks = 0, block = 0, last = 0;
    if (!compressed) {
      if (!data.word(word, block))
        fail(name, "its header cannot be read (the data ends, or is not base64)");
      if (block > data.left())
        fail(name, "its header announces " + std::to_string(block) + " bytes, more than the " +
                       std::to_string(data.left()) + " that follow");
      continue;
    }
    if (!data.word(word, blocks) || !data.word(word, block) || !data.word(word, last))
      fail(name, "its compression header cannot be read (the data ends, or is not base64)");
    if (block == 0 || last > block)  // VTK divides by the block size, even for no blocks
      fail(name, "its compression header gives blocks of " + std::to_string(block) +
                     " bytes, the last of " + std::to_string(last));
    if (blocks > data.left() / std::uint64_t(word))
      fail(name, "its compression header announces " + std::to_string(blocks) +
                     " blocks, more than the file holds");
    std::uint64_t total = 0;
    for (std::uint64_t b = 0; b < blocks; ++b) {
      std::uint64_t size = 0;
      if (!data.word(word, size)) fail(name, "its compression header ends early");
      total += size;
      // zlib, LZ4 and LZMA inflate at most about 1:1032; beyond, the header is damaged.
      const std::uint64_t raw = (b + 1 == blocks && last) ? last : block;
      if (raw > 1100 * size + 64)
        fail(name, "a compressed block of " + std::to_string(size) + " bytes said to inflate to " +
                       std::to_string(raw));
    }
    if (total > data.left())
      fail(name, "its compressed blocks add up to " + std::to_string(total) +
                     " bytes, more than the " + std::to_string(data.left()) + " that follow");
  }
}

}  // namespace hemotwin::geometry_checks
