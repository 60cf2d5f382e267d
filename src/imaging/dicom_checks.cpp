// The DICOM check of image_checks.hpp: a walk over a Part 10 file's elements, reading nothing but
// their tags, value representations and lengths, before GDCM reads it. GDCM 3.0 (as Debian builds
// it) aborts on an assert when a meta element has no value representation; it allocates the
// length an element announces before reading it (4 GiB for a damaged length: found by
// fuzz_image); and it reads a file cut short inside its pixel data with a warning, after which ITK
// stacked the missing part as zeros, with exit code 0. In an enhanced (multi-frame) file GDCM
// asserts on functional groups it expects: no Image Orientation (Patient), a Plane Position or
// Pixel Measures sequence without an item, a frame whose orientation differs (fuzz_image).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "hemotwin/core/error.hpp"
#include "image_checks.hpp"

namespace hemotwin::imaging {
namespace {

constexpr std::uint32_t kUndefined = 0xffffffffu;

bool long_form(const char* vr) {  // VRs with a 2-byte reserved field and a 4-byte length
  static const char* const kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                      "SV", "UC", "UN", "UR", "UT", "UV"};
  for (const char* l : kLong)
    if (std::memcmp(vr, l, 2) == 0) return true;
  return false;
}

bool known(const char* vr) {
  static const char* const kShort[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT",
                                       "FL", "FD", "IS", "LO", "LT", "PN", "SH",
                                       "SL", "SS", "ST", "TM", "UI", "UL", "US"};
  for (const char* s : kShort)
    if (std::memcmp(vr, s, 2) == 0) return true;
  return long_form(vr);
}

std::string tag_name(std::uint32_t group, std::uint32_t element) {
  char s[16];
  std::snprintf(s, sizeof s, "(%04X,%04X)", group, element);
  return s;
}

// The elements of one file, walked by their lengths. Only what GDCM would trip over is an error
// (no meta information after DICM, a meta element without a value representation, an item tag
// among the elements, a length running past the file's end); anything else this walk does not
// follow ends it quietly, left to GDCM.
class Walk {
 public:
  Walk(const unsigned char* data, std::uint64_t size, std::string where, std::string which)
      : b_(data), size_(size), where_(std::move(where)), which_(std::move(which)) {}

  void file(bool alone) {
    if (size_ < 132 || std::memcmp(b_ + 128, "DICM", 4) != 0) {  // no Part 10 header
      if (alone || bare_data_set())
        fail(
            "it has no DICOM Part 10 header (the 'DICM' prefix at byte 128): ACR-NEMA or a bare "
            "data set, which hemotwin does not read; convert it to DICOM Part 10 (e.g. "
            "gdcmconv)" +
            std::string(alone ? "" : " or move it out of the folder"));
      return;
    }
    std::uint64_t at = 132;
    // GDCM guesses the encoding of a file without one and asserts on some guesses (fuzz_image).
    if (size_ < 140 || u16(at) != 0x0002)
      fail("no file meta information (group 0002) follows its DICM prefix");
    std::string syntax = "1.2.840.10008.1.2.1";     // explicit VR little endian
    while (at + 8 <= size_ && u16(at) == 0x0002) {  // meta information: explicit VR always
      const char* vr = reinterpret_cast<const char*>(b_ + at + 4);
      const std::string name = "its file meta information element " + tag_name(2, u16(at + 2));
      if (!known(vr)) fail(name + " has no value representation (two letters such as UL, OB, UI)");
      // GDCM asserts on both (fuzz_image).
      if (std::memcmp(vr, "SQ", 2) == 0)
        fail(name + " is a sequence, which meta information is not");
      if (long_form(vr) && at + 12 <= size_ && u32(at + 8) == kUndefined)
        fail(name + " has an undefined length");
      const std::uint64_t next = element(at, size_, true, 0);
      if (next <= at) return;       // not followed
      if (u16(at + 2) == 0x0010) {  // the transfer syntax
        const std::uint64_t head = long_form(vr) ? 12 : 8;
        syntax.assign(reinterpret_cast<const char*>(b_ + at + head), next - at - head);
        while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' '))
          syntax.pop_back();
      }
      at = next;
    }
    if (at + 8 > size_) fail("no data set follows its file meta information");
    if (syntax == "1.2.840.10008.1.2.1.99" || syntax == "1.2.840.10008.1.2.2")
      return;  // deflated, big endian
    elements(at, size_, syntax != "1.2.840.10008.1.2", 0, false);
    // GDCM asserts when it stops short of the end of a file it reads (found by fuzz_image).
    if (lost_)
      fail(
          "its elements cannot be followed to the end of the file (an element's tag, value "
          "representation or length is damaged)");
    if (groups_.present) orientation_check();
  }

 private:
  std::uint32_t u16(std::uint64_t at) const { return b_[at] | std::uint32_t(b_[at + 1]) << 8; }
  // Whether GDCM 3.0 takes a file without the prefix for a data set (FileMetaInformation::
  // ReadCompat): by its first tag's group (meta, command, 0008, big-endian 0008), a private
  // creator's element, or a value representation after the tag. Its guesses then assert on
  // what follows (found by fuzz_image); a file it does not take (text) it skips.
  bool bare_data_set() const {
    if (size_ < 8) return false;
    const std::uint32_t group = u16(0), elem = u16(2);
    return group == 0x0000 || group == 0x0002 || group == 0x0008 || group == 0x0800 ||
           elem == 0x0010 || known(reinterpret_cast<const char*>(b_ + 4));
  }
  std::uint32_t u32(std::uint64_t at) const { return u16(at) | u16(at + 2) << 16; }
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(which_ + " is not valid DICOM: " + what, where_);
  }
  void past_end(std::uint32_t group, std::uint32_t elem, std::uint64_t length,
                std::uint64_t from) const {
    if (group == 0x7fe0 && elem == 0x0010)
      throw Error("the pixel data of " + which_ + " is cut short: " + std::to_string(size_ - from) +
                      " of its " + std::to_string(length) +
                      " bytes are in the file; it is damaged or was not copied completely; "
                      "export the series again",
                  where_);
    fail("element " + tag_name(group, elem) + " announces " + std::to_string(length) +
         " bytes, but only " + std::to_string(size_ - from) +
         " remain in the file (damaged or cut short)");
  }

  // Elements from `at` to `end`, or to an item delimiter when `in_item`; returns the position
  // after them (`end` where the walk stops).
  std::uint64_t elements(std::uint64_t at, std::uint64_t end, bool explicit_vr, int depth,
                         bool in_item) {
    while (at + 8 <= end) {
      if (in_item && u16(at) == 0xfffe && u16(at + 2) == 0xe00d) return at + 8;
      const std::uint64_t next = element(at, end, explicit_vr, depth);
      if (next <= at) return lost(end);  // not followed
      at = next;
    }
    return end;
  }

  // One element at `at`: its value's length checked against the file, sequences walked.
  std::uint64_t element(std::uint64_t at, std::uint64_t end, bool explicit_vr, int depth) {
    const std::uint32_t group = u16(at), elem = u16(at + 2);
    if (group == 0xfffe)  // GDCM asserts on an item outside a sequence
      fail("an item tag " + tag_name(group, elem) +
           " stands among the elements, outside a "
           "sequence");
    const char* vr = reinterpret_cast<const char*>(b_ + at + 4);
    std::uint64_t head = 8;
    std::uint32_t length = 0;
    // An element without a VR where one belongs is read as implicit, as GDCM does.
    const bool implicit = !explicit_vr || !known(vr);
    bool sequence = false, implicit_inside = implicit;
    if (!implicit) {
      if (long_form(vr)) {
        if (at + 12 > size_) past_end(group, elem, 12, at);
        head = 12;
        length = u32(at + 8);
        sequence = std::memcmp(vr, "SQ", 2) == 0 || std::memcmp(vr, "UN", 2) == 0 ||
                   (length == kUndefined && group == 0x7fe0);  // encapsulated pixel data
        if (std::memcmp(vr, "UN", 2) == 0) implicit_inside = true;
      } else {
        length = u16(at + 6);
      }
    } else {
      length = u32(at + 4);
    }
    const std::uint64_t value = at + head;
    const std::uint32_t tag = group << 16 | elem;
    if (tag == 0x52009229 || tag == 0x52009230) groups_.present |= path_.empty();
    if (length == kUndefined && (!(sequence || implicit) || depth > 32)) return lost(0);
    std::uint64_t next = 0;
    path_.push_back({tag, 0});
    if (length == kUndefined) {  // a sequence (or fragments) up to its delimiter
      next = items(value, end, !implicit_inside, depth + 1, group == 0x7fe0);
    } else {
      if (value + length > size_) past_end(group, elem, length, value);
      // A sequence of defined length (or, implicit, a value that starts with an item).
      const bool starts_item = length >= 8 && u16(value) == 0xfffe && u16(value + 2) == 0xe000;
      if ((sequence || implicit) && starts_item && depth <= 32)
        items(value, value + length, !implicit_inside, depth + 1, group == 0x7fe0);
      next = value + length;
    }
    const int items_seen = path_.back().item;
    path_.pop_back();
    if (tag == 0x00200037 && length != kUndefined)
      orientation_at(std::string(reinterpret_cast<const char*>(b_ + value), length));
    if (in_functional_group() && !lost_ && items_seen == 0 &&
        (tag == 0x00209113 || tag == 0x00209116 || tag == 0x00289110 || tag == 0x00289145))
      fail("its functional group sequence " + tag_name(group, elem) +
           " holds no item (an enhanced multi-frame file keeps each frame's position, "
           "orientation and pixel spacing in one)");
    return next;
  }

  std::uint64_t lost(std::uint64_t end) {
    lost_ = true;
    return end;
  }
  // Inside an item of the shared (5200,9229) or per-frame (5200,9230) functional groups.
  bool in_functional_group() const {
    return path_.size() == 1 && (path_[0].tag == 0x52009229 || path_[0].tag == 0x52009230);
  }
  // An Image Orientation (Patient) where GDCM looks for one: at the top level, in the first
  // Plane Orientation item of the shared or the first per-frame group, in a frame's Plane
  // Position item.
  void orientation_at(std::string values) {
    const auto first = [&](std::size_t i, std::uint32_t tag) {
      return path_[i].tag == tag && path_[i].item == 1;
    };
    if (path_.empty()) {
      groups_.top = values;
    } else if (path_.size() == 2 && first(1, 0x00209116)) {
      if (first(0, 0x52009229) && groups_.shared.empty()) groups_.shared = values;
      if (first(0, 0x52009230) && groups_.frame.empty()) groups_.frame = values;
    } else if (path_.size() == 2 && path_[0].tag == 0x52009230 && first(1, 0x00209113)) {
      groups_.planes.push_back(std::move(values));
    }
  }
  static std::vector<double> numbers(const std::string& values) {
    std::vector<double> v;
    for (std::size_t from = 0; from <= values.size();) {
      std::size_t to = values.find('\\', from);
      if (to == std::string::npos) to = values.size();
      const std::string one = values.substr(from, to - from);
      char* stop = nullptr;
      const double x = std::strtod(one.c_str(), &stop);
      v.push_back(stop != one.c_str() && std::isfinite(x) ? x : NAN);
      from = to + 1;
    }
    return v;
  }
  // GDCM places an enhanced file's frames by the orientation of its functional groups (else of
  // its top level) and asserts that there is one and that a frame carrying its own agrees.
  void orientation_check() const {
    const std::string& found = !groups_.shared.empty()  ? groups_.shared
                               : !groups_.frame.empty() ? groups_.frame
                                                        : groups_.top;
    if (found.empty())
      fail(
          "it is an enhanced multi-frame file without Image Orientation (Patient) (0020,0037), "
          "neither in a Plane Orientation functional group (0020,9116) nor at its top level: "
          "the directions of its rows and columns are unknown");
    const std::vector<double> cosines = numbers(found);
    if (cosines.size() != 6 ||
        std::isnan(cosines[0] + cosines[1] + cosines[2] + cosines[3] + cosines[4] + cosines[5]))
      fail(
          "its Image Orientation (Patient) (0020,0037) does not hold six numbers (the "
          "direction cosines of its rows and columns)");
    for (std::size_t f = 0; f < groups_.planes.size(); ++f)
      if (numbers(groups_.planes[f]) != cosines)
        fail("frame " + std::to_string(f + 1) +
             " of this enhanced multi-frame file carries an Image Orientation (Patient) "
             "(0020,0037) that differs from the file's");
  }

  // The items of a sequence from `at`, to `end` or its delimiter. Fragments (pixel data) hold
  // bytes, not elements.
  std::uint64_t items(std::uint64_t at, std::uint64_t end, bool explicit_vr, int depth,
                      bool fragments) {
    while (at + 8 <= end) {
      if (u16(at) != 0xfffe) return lost(end);  // not followed
      const std::uint32_t what = u16(at + 2), length = u32(at + 4);
      if (what == 0xe0dd) return at + 8;  // sequence delimiter
      if (what != 0xe000) return lost(end);
      if (!fragments) ++path_.back().item;
      const std::uint64_t value = at + 8;
      if (length == kUndefined) {
        if (fragments) return lost(end);
        at = elements(value, end, explicit_vr, depth, true);
        continue;
      }
      if (value + length > size_)
        past_end(fragments ? 0x7fe0 : 0xfffe, fragments ? 0x0010 : 0xe000, length, value);
      if (!fragments) elements(value, value + length, explicit_vr, depth, false);
      at = value + length;
    }
    return end;
  }

  struct Level {  // a sequence the walk is in, and which of its items (from 1)
    std::uint32_t tag;
    int item;
  };
  struct Groups {  // what GDCM reads of an enhanced file's functional groups
    bool present = false;
    std::string shared, frame, top;   // the Image Orientation (Patient) where it is looked for
    std::vector<std::string> planes;  // those of the frames' Plane Position items
  };

  const unsigned char* b_;
  std::uint64_t size_;
  std::string where_, which_;
  std::vector<Level> path_;
  Groups groups_;
  bool lost_ = false;  // the walk gave up somewhere: what it did not see may be anywhere
};

}  // namespace

void check_dicom_file(const std::string& file, const std::string& where, const std::string& which,
                      bool alone) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // GDCM says why
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (!regular || st.st_size == 0) {
    ::close(fd);
    if (regular && alone) throw Error(which + " is not valid DICOM: it is empty", where);
    return;
  }
  void* map = ::mmap(nullptr, std::size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return;
  try {
    Walk(static_cast<const unsigned char*>(map), std::uint64_t(st.st_size), where, which)
        .file(alone);
  } catch (...) {
    ::munmap(map, std::size_t(st.st_size));
    throw;
  }
  ::munmap(map, std::size_t(st.st_size));
}

}  // namespace hemotwin::imaging
