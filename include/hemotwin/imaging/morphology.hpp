#pragma once
// Geometry of a defect from a segmented lumen (hemotwin::imaging), as aneurysm morphology studies
// measure it (Raghavan et al. 2005, J Neurosurg 102:355; Dhar et al. 2008, Neurosurgery 63:185):
// the sac's volume, its largest diameter, the neck's width, the dome's height above the neck and
// the ratios built from them. `hemotwin progress` follows them from scan to scan.
#include <cstdint>

#include "hemotwin/geometry/volume.hpp"
#include "hemotwin/imaging/centerline.hpp"

namespace hemotwin::imaging {

struct AneurysmGeometry {
  double volume = 0;  // mm^3: the sac's voxels (sac_region) times a voxel's volume
  /// mm^3, when the scan was given: the sac's volume from the scan's intensities (partial-volume
  /// volumetry): over the sac and the tissue within 1.5 mm of it, the sum of each voxel's lumen
  /// fraction (I - I_tissue) / (I_lumen - I_tissue), with I_lumen the median of the lumen's
  /// voxels 1.5 mm or more inside its wall and I_tissue a plane fitted to the tissue 2.5 to 4 mm
  /// from the sac. Blur keeps the integral of the intensity, so this is free of the threshold's
  /// bias on curved walls (a blurred sphere's half-intensity surface lies inside it); 0 otherwise.
  double scan_volume = 0;
  double max_diameter = 0;   // mm: the largest distance between two of the sac's voxel centres
  double neck_diameter = 0;  // mm: the largest distance between two neck voxels (sac voxels that
                             // touch the parent's lumen across a face)
  double height = 0;         // mm: the sac's farthest voxel centre from the neck's plane
  double aspect_ratio = 0;   // height / neck diameter
  double parent_radius = 0;  // mm: the parent's median centerline radius outside the sac's ball
  double size_ratio = 0;     // max diameter / the parent's diameter
  Vec3 centroid = Vec3::Zero();     // mm, of the sac
  Vec3 neck_centre = Vec3::Zero();  // mm, of the neck voxels
  Vec3 neck_normal = Vec3::Zero();  // the neck plane's normal, towards the dome
  std::int64_t voxels = 0, neck_voxels = 0;
};

/// Measures the aneurysm whose sac sac_region finds within (sac_centre, sac_radius) beside the
/// `parent` centerline. Throws hemotwin::Error when there is no sac there.
/// `scan`: the image `labels` was segmented from (any grid covering the sac; sampled at the
/// labels' voxel centres), for scan_volume.
AneurysmGeometry measure_aneurysm(const LabelMap& labels, const Centerline& parent,
                                  const Vec3& sac_centre, double sac_radius,
                                  const Image* scan = nullptr);

}  // namespace hemotwin::imaging
