// Header-against-data checks for scans and label maps (image_checks.hpp). Only the fields that
// give the data's size and place are read; everything else is left to ITK.
#include "image_checks.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "hemotwin/core/error.hpp"

namespace fs = std::filesystem;

namespace hemotwin::imaging {
namespace {

/// What a header says the data is: `bytes` of voxels in `data_file` from `offset`, raw or
/// compressed. `known` is false for what is not checked (another format, a detached list of
/// slices, bzip2 or text encodings): ITK's own checks are then all there is.
struct DataExtent {
  bool known = false;
  std::string data_file;
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;  ///< uncompressed
  enum class Packing { Raw, Zlib, Gzip } packing = Packing::Raw;
  std::uint64_t compressed_bytes = 0;  ///< MetaImage's CompressedDataSize; 0 where not given
  std::string layout;                  ///< "92 x 32 x 32 of MET_UCHAR" for messages
};

using Packing = DataExtent::Packing;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && lower(s.substr(s.size() - tail.size())) == tail;
}

/// Positive integers of a header field; throws naming the field for anything else.
std::vector<std::uint64_t> sizes_of(const std::string& path, const std::string& field,
                                    const std::string& text) {
  std::istringstream in(text);
  std::vector<std::uint64_t> out;
  std::string word;
  while (in >> word) {
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != word.size() || v < 1)
      throw Error("header field " + field + " = '" + text + "': positive whole sizes expected",
                  path);
    out.push_back(std::uint64_t(v));
  }
  if (out.empty() || out.size() > 16)
    throw Error("header field " + field + " = '" + text + "': 1 to 16 sizes expected", path);
  return out;
}

/// The product of the sizes times the bytes per element; throws when it cannot be counted in
/// 64 bits (a header announcing absurd sizes).
std::uint64_t byte_count(const std::string& path, const std::vector<std::uint64_t>& sizes,
                         std::uint64_t element, std::string& layout) {
  std::uint64_t n = element;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    layout += (i ? " x " : "") + std::to_string(sizes[i]);
    if (n > UINT64_MAX / sizes[i])
      throw Error("the header announces " + layout + "... voxels, more than can be counted", path);
    n *= sizes[i];
  }
  return n;
}

/// A whole number of a header field, 0 when absent or not a number (then left to ITK).
long long whole_number(const std::string& text) {
  try {
    return text.empty() ? 0 : std::stoll(text);
  } catch (const std::exception&) {
    return 0;
  }
}

/// The first `limit` bytes of a file as lines: a header is read from text of bounded size, whatever
/// the file holds (a binary file has no newline to stop std::getline).
std::istringstream head_of(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string text(limit, '\0');
  in.read(text.data(), std::streamsize(limit));
  text.resize(std::size_t(in.gcount()));
  return std::istringstream(text);
}

std::uint64_t file_size(const std::string& path) {
  std::error_code ec;
  const auto s = fs::file_size(path, ec);
  if (ec) throw Error("cannot read the image data file: " + ec.message(), path);
  return s;
}

// ---- MetaImage: "Key = Value" lines, the last ElementDataFile
// ------------------------------------------------------------------

std::uint64_t met_element_size(const std::string& type) {
  static const std::map<std::string, std::uint64_t> sizes = {
      {"MET_CHAR", 1},  {"MET_UCHAR", 1},     {"MET_SHORT", 2},      {"MET_USHORT", 2},
      {"MET_INT", 4},   {"MET_UINT", 4},      {"MET_LONG", 4},       {"MET_ULONG", 4},
      {"MET_FLOAT", 4}, {"MET_LONG_LONG", 8}, {"MET_ULONG_LONG", 8}, {"MET_DOUBLE", 8}};
  const auto it = sizes.find(type);
  return it == sizes.end() ? 0 : it->second;
}

DataExtent metaimage_extent(const std::string& path) {
  DataExtent e;
  std::istringstream in = head_of(path, 1 << 16);
  std::map<std::string, std::string> fields;
  std::string line;
  std::uint64_t offset = 0;
  std::string before;  // lines without '=': MetaIO reads them into the next field's name
  while (std::getline(in, line)) {
    offset += line.size() + 1;
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      before += line + '\n';
      continue;
    }
    // MetaIO copies a field name into 255 bytes without a bound (a buffer overflow that
    // _FORTIFY_SOURCE aborts: found by fuzz_image).
    if (before.size() + eq > 254)
      throw Error("not a MetaImage header: a field name of " + std::to_string(before.size() + eq) +
                      " characters before its '=' (at most 254)",
                  path);
    before.clear();
    const std::string key = trim(line.substr(0, eq));
    fields[key] = trim(line.substr(eq + 1));
    // MetaIO sizes what follows by every NDims it meets: a damaged one kept it reading for
    // minutes (found by fuzz_image).
    if (key == "NDims" && sizes_of(path, "NDims", fields[key]).size() != 1)
      throw Error("header field NDims = '" + fields[key] + "': one whole number expected", path);
    if (key == "ElementDataFile") break;
  }
  if (!fields.count("ElementDataFile")) return e;  // MetaIO says it is missing
  // MetaIO leaked what it had read of a header without DimSize (found by fuzz_image).
  if (!fields.count("DimSize"))
    throw Error(
        "header field DimSize (the image's size in voxels) is missing before "
        "ElementDataFile",
        path);
  const std::string file = fields["ElementDataFile"];
  const bool local = lower(file) == "local";  // MetaIO takes LOCAL, Local and local
  const bool listed = file == "LIST" || file.find('%') != std::string::npos;
  const std::string data_file = (fs::path(path).parent_path() / file).string();
  // Checked whatever the rest says: MetaIO leaks the buffer of a compressed image whose data
  // file is missing (found by fuzz_image), and a missing .raw is a common mistake.
  if (!local && !listed && !fs::is_regular_file(data_file))
    throw Error("the header's data file (ElementDataFile = " + file + ") is missing or not a " +
                    "file: " + data_file + "; keep the .raw or .zraw beside its header",
                path);
  auto sizes = sizes_of(path, "DimSize", fields["DimSize"]);
  // MetaIO read NDims = .3 as no dimension and leaked its inflate buffer, and took 'MET_UCHAR'
  // followed by other bytes for MET_UCHAR, then overran its buffer with NDims = 0AI (both found
  // by fuzz_image): both fields are checked whatever the rest says.
  const std::string dims = fields.count("NDims") ? fields["NDims"] : "";
  const auto ndims = sizes_of(path, "NDims", dims);
  if (ndims.size() != 1 || ndims[0] != sizes.size())
    throw Error("header field NDims = '" + dims + "': the number of sizes in DimSize (" +
                    std::to_string(sizes.size()) + ") expected",
                path);
  const std::uint64_t element = met_element_size(fields["ElementType"]);
  if (element == 0)
    throw Error("header field ElementType = '" + fields["ElementType"] +
                    "': a voxel type such as MET_UCHAR, MET_SHORT, MET_FLOAT or MET_DOUBLE "
                    "expected",
                path);
  if (listed) return e;
  if (fields.count("ElementNumberOfChannels"))
    sizes.push_back(
        sizes_of(path, "ElementNumberOfChannels", fields["ElementNumberOfChannels"])[0]);
  e.bytes = byte_count(path, sizes, element, e.layout);
  e.layout += " of " + fields["ElementType"];
  const bool compressed = lower(fields["CompressedData"]) == "true";
  if (local) {
    e.data_file = path;
    e.offset = offset;
  } else {
    e.data_file = data_file;
    const long long skip = whole_number(fields["HeaderSize"]);
    if (skip < 0) return e;  // "the data is at the end": nothing to compare
    e.offset = std::uint64_t(skip);
  }
  if (compressed) {
    e.packing = Packing::Zlib;
    if (fields.count("CompressedDataSize"))
      e.compressed_bytes = sizes_of(path, "CompressedDataSize", fields["CompressedDataSize"])[0];
  }
  e.known = true;
  return e;
}

// ---- NIfTI-1 and NIfTI-2: a binary header, possibly gzipped
// --------------------------------------------------------------------

template <class T>
T field_at(const unsigned char* h, std::size_t at, bool swap) {
  std::array<unsigned char, sizeof(T)> b;
  std::memcpy(b.data(), h + at, sizeof(T));
  if (swap) std::reverse(b.begin(), b.end());
  T v;
  std::memcpy(&v, b.data(), sizeof(T));
  return v;
}

DataExtent nifti_extent(const std::string& path) {
  DataExtent e;
  const bool gz = ends_with(path, ".gz");
  unsigned char h[540] = {};
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
  if (!f) return e;
  const int got = gzread(f, h, sizeof h);
  gzclose(f);
  if (got < 348)
    throw Error("NIfTI header truncated: " + std::to_string(std::max(got, 0)) +
                    " bytes, 348 at least expected",
                path);
  const std::int32_t sizeof_hdr = field_at<std::int32_t>(h, 0, false);
  const bool swap = sizeof_hdr != 348 && sizeof_hdr != 540;
  const std::int32_t hdr = field_at<std::int32_t>(h, 0, swap);
  if (hdr != 348 && hdr != 540) return e;  // not NIfTI: ITK's reader will say so
  const bool v2 = hdr == 540;
  if (v2 && got < 540) throw Error("NIfTI-2 header truncated", path);
  const std::string magic(reinterpret_cast<const char*>(h + (v2 ? 4 : 344)), 3);
  // Without "n+1"/"n+2" the voxels are in an .img beside the header (a NIfTI pair, "ni1", or
  // ANALYZE 7.5, which ITK reads too, whatever the header's name). ITK allocated the image a
  // header announces before finding that file missing (found by fuzz_image).
  std::string paired;
  if (magic != "n+1" && magic != "n+2") {
    std::string stem = gz ? path.substr(0, path.size() - 3) : path;
    stem = stem.substr(0, stem.size() - fs::path(stem).extension().string().size());
    for (const char* ext : {".img", ".img.gz"})
      if (paired.empty() && fs::is_regular_file(stem + ext)) paired = stem + ext;
    if (paired.empty())
      throw Error(
          "its header is of a .hdr/.img pair or ANALYZE 7.5 (no 'n+1' magic), whose "
          "voxels belong in " +
              fs::path(stem).filename().string() + ".img beside it; that file is missing",
          path);
  }
  const int bitpix = field_at<std::int16_t>(h, v2 ? 14 : 72, swap);
  const std::int64_t ndim =
      v2 ? field_at<std::int64_t>(h, 16, swap) : field_at<std::int16_t>(h, 40, swap);
  if (ndim < 1 || ndim > 7)
    throw Error("NIfTI header: dim[0] = " + std::to_string(ndim) + ", 1 to 7 expected", path);
  std::vector<std::uint64_t> sizes;
  for (int i = 1; i <= ndim; ++i) {
    const std::int64_t d = v2 ? field_at<std::int64_t>(h, 16 + 8 * i, swap)
                              : field_at<std::int16_t>(h, 40 + 2 * i, swap);
    if (d < 1)
      throw Error("NIfTI header: dim[" + std::to_string(i) + "] = " + std::to_string(d) +
                      ", positive sizes expected",
                  path);
    sizes.push_back(std::uint64_t(d));
  }
  // The orientation: ITK 5.2 aborts (vnl's assert_finite in an SVD) on a non-finite one
  // (fuzz_image). The voxel sizes and the quaternion always count; srow where sform_code says so.
  auto real = [&](std::size_t at1, std::size_t at2) {
    return v2 ? field_at<double>(h, at2, swap) : double(field_at<float>(h, at1, swap));
  };
  auto finite = [&](const char* what, std::size_t at1, std::size_t at2, int n) {
    for (int i = 0; i < n; ++i)
      if (!std::isfinite(real(at1 + 4 * std::size_t(i), at2 + 8 * std::size_t(i))))
        throw Error(std::string("NIfTI header: ") + what + " holds a value that is not a finite " +
                        "number",
                    path);
  };
  finite("pixdim", 76, 104, 4);
  finite("the quaternion (quatern_b to qoffset_z)", 256, 352, 6);
  const std::int32_t sform = v2 ? field_at<std::int32_t>(h, 348, swap)
                                : std::int32_t(field_at<std::int16_t>(h, 254, swap));
  if (sform > 0) finite("srow_x, srow_y, srow_z", 280, 400, 12);
  if (bitpix < 8 || bitpix % 8 != 0) return e;  // bit masks: not checked
  const double vox_offset =
      v2 ? double(field_at<std::int64_t>(h, 168, swap)) : field_at<float>(h, 108, swap);
  if (!(vox_offset >= 0 && vox_offset < 1e12))
    throw Error("NIfTI header: vox_offset = " + std::to_string(vox_offset) + " is not a position",
                path);
  e.bytes = byte_count(path, sizes, std::uint64_t(bitpix / 8), e.layout);
  e.layout += " of " + std::to_string(bitpix) + "-bit voxels";
  e.data_file = path;
  if (!paired.empty()) {  // the voxels from vox_offset of the .img (gzipped: one stream)
    e.data_file = paired;
    if (ends_with(paired, ".gz")) {
      e.packing = Packing::Gzip;
      e.bytes += std::uint64_t(vox_offset);
    } else {
      e.offset = std::uint64_t(vox_offset);
    }
  } else if (gz) {  // one stream from byte 0: the header, then the voxels
    e.packing = Packing::Gzip;
    e.bytes += std::uint64_t(vox_offset);
  } else {
    e.offset = std::uint64_t(vox_offset);
  }
  e.known = true;
  return e;
}

// ---- NRRD: "field: value" lines up to a blank line
// -----------------------------------------------------------------------------

std::uint64_t nrrd_element_size(std::string type) {
  type = lower(type);
  if (type.find("char") != std::string::npos || type.find("int8") != std::string::npos) return 1;
  if (type.find("short") != std::string::npos || type.find("int16") != std::string::npos) return 2;
  if (type.find("long") != std::string::npos || type.find("int64") != std::string::npos ||
      type == "double")
    return 8;
  if (type == "float" || type.find("int") != std::string::npos) return 4;
  return 0;
}

DataExtent nrrd_extent(const std::string& path) {
  DataExtent e;
  std::istringstream in = head_of(path, 1 << 20);
  std::string line;
  if (!std::getline(in, line) || !line.starts_with("NRRD")) return e;
  std::uint64_t offset = line.size() + 1;
  std::map<std::string, std::string> fields;
  while (std::getline(in, line)) {
    offset += line.size() + 1;
    if (trim(line).empty()) break;
    if (line[0] == '#') continue;
    const auto colon = line.find(": ");
    if (colon == std::string::npos || line.find(":=") < colon) continue;  // key:=value pairs
    fields[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 2));
  }
  const std::string encoding = lower(fields["encoding"]);
  const std::uint64_t element = nrrd_element_size(fields["type"]);
  if (!fields.count("sizes") || element == 0 || whole_number(fields["line skip"]) != 0) return e;
  if (encoding == "raw")
    e.packing = Packing::Raw;
  else if (encoding == "gzip" || encoding == "gz")
    e.packing = Packing::Gzip;
  else
    return e;  // bzip2, ascii, hex: not checked
  e.bytes = byte_count(path, sizes_of(path, "sizes", fields["sizes"]), element, e.layout);
  e.layout += " of " + fields["type"];
  const std::string file = fields.count("data file") ? fields["data file"] : fields["datafile"];
  if (file.empty()) {
    e.data_file = path;
    e.offset = offset;
  } else {
    if (file.find(' ') != std::string::npos || file.find('%') != std::string::npos ||
        file == "LIST")
      return e;
    e.data_file = (fs::path(path).parent_path() / file).string();
  }
  const std::string skip = fields["byte skip"];
  if (!skip.empty()) {
    const long long s = whole_number(skip);
    if (s < 0) return e;  // "the data is at the end": nothing to compare
    e.offset += std::uint64_t(s);
  }
  e.known = true;
  return e;
}

/// Inflates the zlib or gzip stream from `e.offset` until it has given `e.bytes` (or ends); throws
/// naming what was found when it ends early or is corrupt.
void check_stream(const std::string& path, const DataExtent& e) {
  std::ifstream in(e.data_file, std::ios::binary);
  in.seekg(std::streamoff(e.offset));
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) throw Error("zlib: cannot start inflating", path);
  std::vector<unsigned char> src(1 << 16), dst(1 << 18);
  std::uint64_t out = 0;
  int rc = Z_OK;
  while (out < e.bytes) {
    if (z.avail_in == 0) {
      in.read(reinterpret_cast<char*>(src.data()), std::streamsize(src.size()));
      z.next_in = src.data();
      z.avail_in = uInt(in.gcount());
      if (z.avail_in == 0) break;
    }
    z.next_out = dst.data();
    z.avail_out = uInt(dst.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out += dst.size() - z.avail_out;
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0 && in.peek() == EOF) break;
      inflateReset(&z);  // another gzip member follows
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      const std::string msg = z.msg ? z.msg : "error " + std::to_string(rc);
      inflateEnd(&z);
      throw Error("the image's compressed data is corrupt (zlib: " + msg + ") after " +
                      std::to_string(out) + " of the " + std::to_string(e.bytes) +
                      " bytes its header announces (" + e.layout + ")",
                  path);
    }
  }
  inflateEnd(&z);
  if (out < e.bytes)
    throw Error("image truncated: its compressed data ends after " + std::to_string(out) +
                    " of the " + std::to_string(e.bytes) + " bytes its header announces (" +
                    e.layout + "); copy or export the file again",
                path);
}

DataExtent announced_extent(const std::string& path) {
  if (ends_with(path, ".mha") || ends_with(path, ".mhd")) return metaimage_extent(path);
  if (ends_with(path, ".nii") || ends_with(path, ".nii.gz")) return nifti_extent(path);
  if (ends_with(path, ".nrrd") || ends_with(path, ".nhdr")) return nrrd_extent(path);
  return {};
}

}  // namespace

void check_image_file(const std::string& path) {
  const DataExtent e = announced_extent(path);
  if (!e.known) return;
  const std::uint64_t size = file_size(e.data_file);
  const std::uint64_t held = size > e.offset ? size - e.offset : 0;
  if (e.packing == Packing::Raw) {
    if (held < e.bytes)
      throw Error("image truncated: its header announces " + e.layout + " (" +
                      std::to_string(e.bytes) + " bytes from byte " + std::to_string(e.offset) +
                      ") but " + (e.data_file == path ? "the file" : e.data_file) + " holds " +
                      std::to_string(held) + "; copy or export the file again",
                  path);
    return;
  }
  if (e.compressed_bytes > held)
    throw Error("image truncated: its header announces " + e.layout + " in " +
                    std::to_string(e.compressed_bytes) +
                    " bytes of compressed data (CompressedDataSize) but the file holds " +
                    std::to_string(held) + " after its header; copy or export the file again",
                path);
  // zlib inflates at most 1032 bytes from one: a header announcing more cannot be right.
  if (e.bytes / 1032 > held)
    throw Error("the header announces " + e.layout + " (" + std::to_string(e.bytes) +
                    " bytes), more than the " + std::to_string(held) +
                    " compressed bytes of the file can hold",
                path);
  check_stream(path, e);
}

void check_voxels_held(const std::string& path, std::uint64_t bytes, const std::string& layout) {
  std::uint64_t held = file_size(path);
  const fs::path img = fs::path(path).replace_extension(".img");
  std::error_code ec;
  if (fs::is_regular_file(img, ec)) held = std::max<std::uint64_t>(held, fs::file_size(img, ec));
  if (bytes > held)
    throw Error("image truncated: its header announces " + layout + " (" + std::to_string(bytes) +
                    " bytes) but the file holds " + std::to_string(held) +
                    "; copy or export the file again",
                path);
}

void check_image_size(const std::string& path, std::uint64_t voxels, std::uint64_t bytes_per_voxel,
                      const std::string& layout) {
  const auto pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return;
  const std::uint64_t memory = std::uint64_t(pages) * std::uint64_t(page);
  // The image as read, and the float copy the pipeline works on.
  const long double need = (long double)voxels * (long double)(bytes_per_voxel + 4);
  if (need > (long double)memory)
    throw Error("the image is " + layout + ": " + std::to_string(std::uint64_t(need / (1 << 30))) +
                    " GiB to hold, more than this machine's " +
                    std::to_string(memory / (1u << 30)) +
                    " GiB of memory; crop it to the vessels of interest first",
                path);
}

void check_slice_positions(const std::string& folder,
                           const std::vector<std::array<double, 3>>& positions,
                           const std::array<double, 3>& normal) {
  if (positions.size() < 3) return;  // two slices set their own spacing
  std::vector<double> gaps;
  for (std::size_t i = 0; i + 1 < positions.size(); ++i) {
    double d = 0;
    for (int a = 0; a < 3; ++a) d += (positions[i + 1][a] - positions[i][a]) * normal[a];
    gaps.push_back(d);
  }
  auto sorted = gaps;
  std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(sorted.size() / 2),
                   sorted.end());
  const double spacing = sorted[sorted.size() / 2];  // the series' own: the median gap
  const std::string n = std::to_string(positions.size());
  if (std::abs(spacing) < 1e-6)
    throw Error("the series' " + n + " slices lie at a few positions, several at each: " +
                    "several phases or acquisitions share its series UID (a 4D series?); " +
                    "export one phase as its own series",
                folder);
  // Positions are decimal strings; some scanners round them to 0.1 mm.
  const double tolerance = std::max(0.1 * std::abs(spacing), 0.05);
  for (std::size_t i = 0; i < gaps.size(); ++i) {
    if (std::abs(gaps[i] - spacing) <= tolerance) continue;
    std::ostringstream what;
    what.precision(4);
    what << "the slices are not evenly spaced: slices " << i + 1 << " and " << i + 2 << " of " << n
         << " (in position order) lie " << std::abs(gaps[i]) << " mm apart, the series' "
         << "spacing is " << std::abs(spacing) << " mm. "
         << (std::abs(gaps[i]) < tolerance
                 ? "Two slices at one position: several acquisitions share the series UID; "
                   "export one as its own series"
                 : "A slice is missing, or its file is damaged (GDCM leaves out a file it "
                   "cannot read); export the series again, complete");
    throw Error(what.str(), folder);
  }
}

}  // namespace hemotwin::imaging
