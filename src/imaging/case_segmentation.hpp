#pragma once
// Internal to hemotwin::imaging: a case's scan as geometry.segmentation reads and segments it,
// shared by the vessel geometries (case_geometry.cpp) and a chamber's cine frames
// (chamber_geometry.cpp).
#include <filesystem>

#include "hemotwin/core/case.hpp"
#include "hemotwin/imaging/segment.hpp"

namespace hemotwin::imaging {

/// The scan at `file` (the DICOM series geometry.segmentation.series picks), cut to the region
/// of interest when the case gives one.
Image read_case_scan(const GeometrySpec& g, const std::filesystem::path& file);
/// The segmentation steps geometry.segmentation sets (seeds in mm).
SegmentationSteps segmentation_steps(const GeometrySpec& g);

}  // namespace hemotwin::imaging
