#pragma once
// Writes a CT series with ITK's GDCM writer for the DICOM tests. Kept apart from Eigen (ITK
// bundles its own; src/imaging/itk_ops.hpp).
#include <string>
#include <vector>

namespace hemotwin::testing {

struct SeriesSpec {
  int size[3];
  double origin[3], spacing[3];
  double direction[9];  // row-major; columns are the index axes
  std::string series_uid;
  int offset = 0;             // voxel (i, j, k) holds i + 10 j + 100 k + offset ...
  std::vector<short> voxels;  // ... unless these are given (i fastest)
  // "gggg|eeee", value; written after the defaults, so they can replace them (the study UID)
  std::vector<std::pair<std::string, std::string>> extra_tags;
};

/// A spec on grid `g` (a hemotwin::Grid; a template, so that this header stays free of Eigen).
template <class Grid>
SeriesSpec spec_on(const Grid& g) {
  SeriesSpec spec;
  for (int a = 0; a < 3; ++a) {
    spec.size[a] = g.size[a];
    spec.origin[a] = g.origin[a];
    spec.spacing[a] = g.spacing[a];
    for (int b = 0; b < 3; ++b) spec.direction[3 * a + b] = g.direction(a, b);
  }
  return spec;
}

void write_ct_series(const std::string& folder, const SeriesSpec& spec);
/// The same volume as one multi-frame DICOM file (GDCM writes a 3-D image as frames).
void write_ct_multiframe(const std::string& file, const SeriesSpec& spec);

}  // namespace hemotwin::testing
