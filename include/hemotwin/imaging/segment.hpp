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
  /// Walls the region may not grow through: discs (point, unit normal, radius, mm) one voxel
  /// thick. Cardiac chambers: the valve and vein planes that separate a chamber's blood pool
  /// from the ventricle, the aorta or the veins beyond, all equally bright.
  struct Barrier {
    Vec3 point, normal;
    double radius = 0;
  };
  std::vector<Barrier> barriers;
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

struct VesselnessOptions {
  /// Frangi et al. 1998 (ITK's objectness: alpha, beta, gamma) or Sato et al. 1998 (ITK's
  /// Hessian3DToVesselness: alpha1, alpha2).
  enum class Filter { Frangi, Sato } filter = Filter::Frangi;
  double alpha1 = 0.5, alpha2 = 2.0;
  /// Scales (Gaussian sigmas, mm) over which the response is taken at its maximum: from about
  /// a third of the thinnest vessel's radius to the thickest's radius.
  double sigma_min_mm = 0.3, sigma_max_mm = 2.0;
  int scales = 5;
  bool bright = true;  // contrast-filled (CT, TOF MR) vessels are brighter than their surround
  /// Frangi's weights: plate-vs-line (alpha), blob-vs-line (beta), and the structureness scale
  /// gamma, in units of the image after it is normalised so background = 0 and lumen = 1.
  double alpha = 0.5, beta = 0.5, gamma = 0.25;
};

/// Multiscale Hessian vesselness (Frangi's or Sato's, ITK) of
/// `image`, 0 (no tube) to 1 (the strongest response in the image). The image is first scaled so
/// its background (median) is 0 and its bright end (99.9th percentile) 1, so the default gamma
/// suits CT and MR alike. Throws for an empty image or sigmas not > 0 and in order.
Image vesselness(const Image& image, const VesselnessOptions& options = {});

/// Thin vessels: the voxels whose vesselness is at least `level` (0..1), face-connected to a
/// seed, holes filled. lower/upper of the result report the scan intensities of the segmented
/// voxels (5th and 99.5th percentiles), for a level-set refinement. Throws, saying what was
/// found, when a seed lies outside the image or where the vesselness is below the level.
Segmentation vesselness_connected(const Image& image, const std::vector<Vec3>& seeds,
                                  double level = 0.05, const VesselnessOptions& options = {});

struct LevelSetOptions {
  /// Intensity range the front grows within; unset: the initial segmentation's range.
  std::optional<double> lower, upper;
  double curvature = 1.0;  // weight of the smoothing (curvature) term against propagation
  int iterations = 300;
  double max_rms = 0.002;  // stop when the level set's RMS change per iteration falls below
};

/// Refines a segmentation with a threshold level set (ITK) started from it: the front moves to
/// where the (unsmoothed) intensity leaves [lower, upper], held smooth by the curvature term.
/// Works from either threshold_connected or vesselness_connected. Keeps the component that
/// holds the initial segmentation's largest part.
Segmentation refine_level_set(const Image& image, const Segmentation& initial,
                              const LevelSetOptions& options = {});

/// The steps of a lumen segmentation as a case file or the command line chains them: threshold
/// (or vesselness) from seeds, then optionally a level set.
struct SegmentationSteps {
  ThresholdOptions threshold;  // seeds, range, smoothing, barriers
  bool vesselness = false;     // grow on vesselness instead (with threshold.seeds; the range,
                               // smoothing and barriers apply to the threshold only)
  double vesselness_level = 0.05;
  VesselnessOptions vesselness_options;
  bool level_set = false;  // its range: threshold.lower/upper when set, else the first step's
  LevelSetOptions level_set_options;
};
Segmentation segment_lumen(const Image& image, const SegmentationSteps& steps);

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
