#pragma once
// The wall of a segmented lumen at sub-voxel accuracy, without the slices of an anisotropic scan.
// A contrast-enhanced MR angiogram or a CT often has slices 1.5 to 5 times thicker than its
// in-plane spacing; a wall taken from the binary mask (even blurred) keeps each slice as a
// terrace, and wall shear stress computed on terraces shows them as stripes. Two ways round it:
//
//  - from the scan's grey levels (threshold segmentations): the intensities, smoothed as the
//    segmentation smoothed them, interpolated across the slices by cubic (Catmull-Rom) weights
//    onto a grid as fine across the slices as within them, and the wall taken where they cross
//    half way between the lumen's intensity and its surroundings' (the half-maximum edge of the
//    scanner's blur), within a band about the segmented lumen (so that no other bright structure
//    joins it);
//  - from a label map (or a segmentation with no one threshold): shape-based interpolation
//    (Raya & Udupa 1990; Herman, Zheng & Bucholtz 1992): the signed distance to the lumen's
//    boundary within each slice, interpolated across the slices the same way, its zero level the
//    wall. On a near-isotropic grid the signed distance is taken in 3-D instead.
//
// Either way the surface is marching cubes of the fine field, then windowed-sinc smoothing
// (VTK), which does not shrink it. hemotwin::imaging.
#include <limits>

#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging {

struct WallOptions {
  /// Windowed-sinc smoothing iterations and passband (VTK) of a wall whose slices were
  /// interpolated (an isotropic grid's wall is smooth without); 0 iterations: none. NaN passband:
  /// 0.02 for a mask's wall (the low passband takes the last ripple of the slices out of the
  /// distance's zero level) and 0.1 for the grey levels' (smoother already; lower would pull the
  /// wall in by a further 0.02 mm). docs/imaging.md has the measurements.
  int smoothing = 60;
  double passband = std::numeric_limits<double>::quiet_NaN();
  /// wall_from_scan: the intensity of the wall; NaN: half way between the lumen's and the
  /// surrounding tissue's (the half-maximum edge of the scanner's blur).
  double level = std::numeric_limits<double>::quiet_NaN();
  /// Slices this many times thicker than the in-plane spacing are interpolated across; below it
  /// the grid is taken as isotropic enough.
  double anisotropy = 1.3;
};

/// The wall of the lumen (non-zero voxels) by shape-based interpolation.
TriangleMesh wall_from_mask(const LabelMap& lumen, const WallOptions& options = {});

/// The wall from the grey levels of `scan` about the segmented lumen `lumen` (on the scan's
/// grid), at options.level or half way between the lumen's intensity and its surroundings'
/// (returned in `level_used`); `bright` when the lumen is brighter than its surroundings (CT and
/// MR angiography). The scan is smoothed first by `smoothing_iterations` of curvature flow, as
/// the segmentation was.
TriangleMesh wall_from_scan(const Image& scan, const LabelMap& lumen, bool bright,
                            int smoothing_iterations, const WallOptions& options = {},
                            double* level_used = nullptr);

/// The axis whose spacing is largest when it exceeds the smallest by `anisotropy`, else -1, and
/// the factor to refine it by (the nearest integer of the ratio).
int thick_axis(const Grid& grid, double anisotropy, int& factor);

/// `field` resampled across axis `axis` at `factor` times its sampling by Catmull-Rom cubic
/// weights (the other axes unchanged; the same origin and direction): interpolation through the
/// samples, continuous in slope.
Image refine_across(const Image& field, int axis, int factor);

}  // namespace hemotwin::imaging
