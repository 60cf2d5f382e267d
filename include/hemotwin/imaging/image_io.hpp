#pragma once
// Scans in and label maps out, through ITK. Formats: DICOM (a folder holding one or more series,
// or one multi-frame file), NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr), MetaImage (.mha, .mhd).
// Every image lands in LPS millimetres whatever its file stores (ITK converts NIfTI's RAS).
//
// De-identification: the readers copy the voxel values and the grid geometry into a Volume and
// drop everything else ITK read (the DICOM header, NIfTI descriptions, NRRD key/value pairs).
// Nothing here logs a header field; a DICOM series is named by its position in the folder, never by
// its UIDs or descriptions, which can identify a patient.
#include <filesystem>
#include <string>
#include <vector>

#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging {

/// One DICOM series found in a folder: what a user needs to choose it, and nothing identifying.
struct DicomSeries {
  int index = 0;         // position in the folder's listing (the order is stable: by series UID)
  int files = 0;         // slices (or files) in it
  Index3 size{0, 0, 0};  // voxels once read
  Vec3 spacing = Vec3::Ones();
};

struct ReadOptions {
  /// DICOM folders with several series: which one (DicomSeries::index). -1: the folder must hold
  /// exactly one, else the error lists them.
  int series = -1;
};

/// The series in a DICOM folder. Throws when there is none.
std::vector<DicomSeries> list_dicom_series(const std::filesystem::path& folder);

/// Reads a scan as float intensities. Throws hemotwin::Error naming the path and what was found.
Image read_image(const std::filesystem::path& path, const ReadOptions& options = {});
/// Reads a label map (any integer type on disk; values above 255 are refused).
LabelMap read_labels(const std::filesystem::path& path);

/// Writes by extension (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd), compressed where the format
/// allows, through a temporary file renamed when complete.
void write_image(const Image& image, const std::filesystem::path& path);
void write_labels(const LabelMap& labels, const std::filesystem::path& path);

/// Resamples to `spacing` (mm) over the same physical extent and direction, linear interpolation.
Image resample(const Image& image, const Vec3& spacing);

}  // namespace hemotwin::imaging
