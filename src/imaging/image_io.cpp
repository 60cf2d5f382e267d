// Scan and label-map files (the ITK calls are in itk_ops.cpp).
#include "hemotwin/imaging/image_io.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <system_error>

#include "hemotwin/core/error.hpp"
#include "raw.hpp"

namespace hemotwin::imaging {
namespace fs = std::filesystem;

namespace {
using itk_ops::ends_with;
using itk_ops::kFormats;
using itk_ops::lower_name;

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void check_exists(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error(std::string("no such file or folder; expected a scan: ") + kFormats, path.string());
}

std::vector<DicomSeries> describe_series(const std::vector<itk_ops::SeriesInfo>& found) {
  std::vector<DicomSeries> out;
  int k = 0;
  for (const auto& s : found) {
    DicomSeries d;
    d.index = k++;
    d.files = s.files;
    d.size = {s.size[0], s.size[1], s.size[2]};
    d.spacing = Vec3(s.spacing[0], s.spacing[1], s.spacing[2]);
    out.push_back(d);
  }
  return out;
}

Image read_dicom_folder(const fs::path& folder, const ReadOptions& options) {
  const auto found = itk_ops::dicom_series(folder.string());  // the one scan of the folder
  const auto all = describe_series(found);
  int pick = options.series;
  if (pick < 0) {
    if (all.size() > 1) {
      std::string list;
      for (const auto& d : all)
        list += "\n  series " + std::to_string(d.index) + ": " + std::to_string(d.files) +
                " files, " + std::to_string(d.size[0]) + " x " + std::to_string(d.size[1]) + " x " +
                std::to_string(d.size[2]) + " voxels";
      throw Error("the folder holds " + std::to_string(all.size()) +
                      " DICOM series; choose one with the series option (0 to " +
                      std::to_string(all.size() - 1) + "):" + list,
                  folder.string());
    }
    pick = 0;
  }
  if (pick >= int(all.size()))
    throw Error("series " + std::to_string(pick) + " asked for, but the folder holds " +
                    std::to_string(all.size()) + " (0 to " + std::to_string(all.size() - 1) + ")",
                folder.string());
  return detail::from_raw<float>(
      itk_ops::read_dicom_files(folder.string(), found[std::size_t(pick)].names));
}

template <class T>
void write_file(const Volume<T>& v, const fs::path& path) {
  const std::string name = lower_name(path.filename().string());
  if (ends_with(name, ".mhd") || ends_with(name, ".nhdr"))
    throw Error("detached-header formats are read but not written; write .mha or .nrrd instead",
                path.string());
  if (!(ends_with(name, ".nii") || ends_with(name, ".nii.gz") || ends_with(name, ".nrrd") ||
        ends_with(name, ".mha")))
    throw Error("cannot write this format; use .nii, .nii.gz, .nrrd or .mha", path.string());
  if (v.grid.voxels() != std::int64_t(v.data.size()) || v.grid.voxels() == 0)
    throw Error("the image is empty or its data does not match its size", path.string());
  itk_ops::quiet();
  // Written beside the target under a name that keeps the extension, then renamed.
  const fs::path tmp = path.parent_path() / (".partial-" + path.filename().string());
  try {
    if constexpr (std::is_same_v<T, float>)
      itk_ops::write_float(detail::to_raw(v), tmp.string());
    else
      itk_ops::write_u8(detail::to_raw(v), tmp.string());
    fs::rename(tmp, path);
  } catch (const Error&) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  } catch (const fs::filesystem_error& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Error(std::string("cannot write: ") + e.what(), path.string());
  }
}

}  // namespace

std::vector<DicomSeries> list_dicom_series(const fs::path& folder) {
  itk_ops::quiet();
  return describe_series(itk_ops::dicom_series(folder.string()));
}

Image read_image(const fs::path& path, const ReadOptions& options) {
  itk_ops::quiet();
  check_exists(path);
  Image image = fs::is_directory(path)
                    ? read_dicom_folder(path, options)
                    : detail::from_raw<float>(itk_ops::read_float(path.string()));
  if (image.grid.voxels() == 0) throw Error("the scan holds no voxels", path.string());
  for (int a = 0; a < 3; ++a)
    if (!(image.grid.spacing[a] > 0))
      throw Error("the scan's voxel spacing is not positive along axis " + std::to_string(a),
                  path.string());
  return image;
}

LabelMap read_labels(const fs::path& path) {
  itk_ops::quiet();
  check_exists(path);
  auto raw = itk_ops::read_double(path.string());
  itk_ops::Raw<std::uint8_t> labels{raw.grid, {}};
  labels.data.reserve(raw.data.size());
  for (double v : raw.data) {
    if (!(v >= 0 && v <= 255 && v == std::floor(v)))
      throw Error("label " + number(v) +
                      " found; a label map holds whole labels 0 to 255 (a probability or "
                      "intensity image is not one)",
                  path.string());
    labels.data.push_back(std::uint8_t(v));
  }
  return detail::from_raw<std::uint8_t>(std::move(labels));
}

void write_image(const Image& image, const fs::path& path) { write_file(image, path); }
void write_labels(const LabelMap& labels, const fs::path& path) { write_file(labels, path); }

Image resample(const Image& image, const Vec3& spacing) {
  for (int a = 0; a < 3; ++a)
    if (!(spacing[a] > 0)) throw Error("resampling needs a positive spacing along every axis");
  const Grid& g = image.grid;
  Grid out = g;
  out.spacing = spacing;
  for (int a = 0; a < 3; ++a) {
    // The same physical extent, voxel centres from the first one on.
    const double extent = (g.size[a] - 1) * g.spacing[a];
    out.size[a] = std::max(1, int(std::floor(extent / spacing[a] + 1e-9)) + 1);
  }
  const float outside = *std::min_element(image.data.begin(), image.data.end());
  return detail::from_raw<float>(
      itk_ops::resample_linear(detail::to_raw(image), detail::to_raw(out), outside));
}

}  // namespace hemotwin::imaging
