#pragma once
// Segmentation of a lumen with ITK filters. Each step works alone; a case file chains them.
#include <optional>
#include <vector>

#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging {

/// A region of interest in physical coordinates (an axis-aligned box in LPS mm).
struct Box {
  Vec3 lo, hi;
};

/// Cuts the scan to the voxels whose centres lie in `box`. Throws when the box misses the image.
Image crop(const Image& image, const Box& box);

struct ThresholdOptions {
  /// Intensity range of the lumen. Unset: chosen from the seeds (their median intensity) and the
  /// image (Otsu's threshold between lumen and background), and reported in the result.
  std::optional<double> lower, upper;
  /// Seeds in physical coordinates (mm, LPS). At least one.
  std::vector<Vec3> seeds;
  /// Edge-preserving smoothing before the threshold (curvature flow), in iterations; 0: none.
  int smoothing_iterations = 5;
  bool fill_holes = true;
};

struct Segmentation {
  LabelMap labels;
  double lower = 0, upper = 0;  // the range used
  std::int64_t voxels = 0;      // lumen voxels
  double volume_mm3 = 0;
};

/// Threshold and connected component from the seeds: the voxels in [lower, upper] connected to a
/// seed (face connectivity), holes filled. Throws, saying what was found, when a seed lies outside
/// the image or its intensity outside the range, or when nothing is segmented.
Segmentation threshold_connected(const Image& image, const ThresholdOptions& options);

/// Keeps the largest connected component (face connectivity) of the non-zero labels.
LabelMap largest_component(const LabelMap& labels);

/// A smooth field of a label map for hemotwin::ImplicitShape at level 0.5: the lumen indicator
/// (1 inside, 0 outside) blurred by a Gaussian of `sigma_mm` (ITK). Its 0.5 level runs between the
/// voxel centres of the lumen's boundary and their outside neighbours, smoothing the staircase.
Image lumen_field(const LabelMap& labels, double sigma_mm);

/// Dice overlap of the non-zero voxels of two label maps on the same grid.
double dice(const LabelMap& a, const LabelMap& b);

/// Mean symmetric distance between the boundaries of two label maps on the same grid, mm: the
/// mean over the boundary voxels of each of the distance to the other's boundary.
double mean_surface_distance(const LabelMap& a, const LabelMap& b);

}  // namespace hemotwin::imaging
