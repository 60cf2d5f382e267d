#pragma once
// The ITK operations hemotwin::imaging uses, on plain buffers (private). ITK ships its own copy of
// Eigen (itkeigen) that cannot share a translation unit with the system Eigen 3.4 that hemotwin's
// headers use, so ITK is included only in itk_ops.cpp, which sees neither Eigen nor Volume.
#include <array>
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace hemotwin::imaging::itk_ops {

inline constexpr const char* kFormats =
    "DICOM (a folder or a file), NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr), MetaImage (.mha, "
    ".mhd)";

/// A file name in lower case (extensions are matched case-insensitively).
inline std::string lower_name(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
inline bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

struct RawGrid {
  int size[3] = {0, 0, 0};
  double origin[3] = {0, 0, 0};
  double spacing[3] = {1, 1, 1};
  double direction[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};  // row-major: direction[3 * r + c]
  std::size_t voxels() const { return std::size_t(size[0]) * size[1] * size[2]; }
};

template <class T>
struct Raw {
  RawGrid grid;
  std::vector<T> data;
};

struct SeriesInfo {
  int files = 0;
  std::vector<std::string> names;  // the files, in slice order
  int size[3] = {0, 0, 0};
  double spacing[3] = {1, 1, 1};
};

/// Silences ITK's and GDCM's warning output (which could carry header values).
void quiet();

Raw<float> read_float(const std::string& path);
/// Every voxel type converts to double without undefined behaviour (ITK's cast of a float beyond
/// int's range to int is: found by fuzz_image in label maps stored as floats).
Raw<double> read_double(const std::string& path);
/// The series of a DICOM folder, sorted by series UID (the UIDs never leave this file).
std::vector<SeriesInfo> dicom_series(const std::string& folder);
/// Reads one series from its files (as dicom_series listed them: the folder is scanned once).
Raw<float> read_dicom_files(const std::string& folder, const std::vector<std::string>& names);
void write_float(const Raw<float>& image, const std::string& path);
void write_u8(const Raw<std::uint8_t>& image, const std::string& path);

/// An affine map of physical points p -> matrix * p + translation (matrix row-major).
struct RawAffine {
  double matrix[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  double translation[3] = {0, 0, 0};
};

/// `image` resampled onto `reference` by linear interpolation; with `fixed_to_moving`, the value
/// at a reference point p is the image's at fixed_to_moving(p).
Raw<float> resample_linear(const Raw<float>& image, const RawGrid& reference, float outside,
                           const RawAffine* fixed_to_moving = nullptr);
/// The same with nearest-neighbour interpolation (label maps).
Raw<std::uint8_t> resample_nearest(const Raw<std::uint8_t>& labels, const RawGrid& reference,
                                   std::uint8_t outside, const RawAffine& fixed_to_moving);

struct MattesParams {
  bool affine = false;               // a rigid stage, then an affine one
  bool moments = false;              // start from the intensities' centres of mass (else identity)
  int bins = 50;                     // joint histogram bins
  double sampling = 0.2;             // fraction of the fixed image's voxels sampled per iteration
  std::uint32_t seed = 20261127;     // of the sampling: runs repeat exactly
  int iterations = 300;              // per level
  std::vector<int> shrink{4, 2, 1};  // the rigid stage's levels; the affine stage runs the last two
  double max_step_mm = 2.0;          // the first step's largest physical shift, per level
  double min_step_mm = 0.002;        // stop once a step shifts no point by more
};
struct MattesResult {
  RawAffine rigid;   // after the rigid stage
  RawAffine affine;  // after the affine stage (= rigid when params.affine is false)
  double metric_rigid = 0, metric_affine = 0;       // Mattes MI (negative; lower is better)
  int iterations_rigid = 0, iterations_affine = 0;  // summed over levels
  std::string stop;                                 // the last level's stop condition
};
/// Registers `moving` to `fixed` (ITK's ImageRegistrationMethodv4, Mattes mutual information,
/// regular-step gradient descent with scales from physical shifts, a shrink/smooth pyramid):
/// VersorRigid3DTransform, then optionally AffineTransform started from it. The transforms map
/// the fixed image's physical points onto the moving image's.
MattesResult register_mattes(const Raw<float>& fixed, const Raw<float>& moving,
                             const MattesParams& params);
struct DemonsParams {
  int levels = 3;                 // pyramid levels, shrink 2^(levels-1) ... 1
  int iterations = 100;           // per level at most
  double smoothing_voxels = 1.5;  // sigma of the Gaussian applied to the field after each update
  double max_step_voxels = 1.0;   // the longest update of one iteration
  double fluid_voxels = 0;        // sigma of the Gaussian applied to each update (0: none)
  double plateau = 1e-3;          // a level stops once 10 iterations improve the mismatch less
};
struct DemonsResult {
  std::vector<float> field;  // per voxel of the fixed grid, x y z: fixed point -> moving point, mm
  double mismatch_before = 0, mismatch_after = 0;  // mean squared intensity difference
  double rms_change = 0;                           // of the finest level's last update, mm
  int iterations = 0;                              // all levels
  int finest_iterations = 0;
  bool converged = false;  // the finest level stopped on the plateau
};
/// Registers `moving` to `fixed` (same grid) by ITK's diffeomorphic demons (Vercauteren et al.
/// 2009, symmetric ESM forces) in a multi-resolution pyramid.
DemonsResult register_demons(const Raw<float>& fixed, const Raw<float>& moving,
                             const DemonsParams& params);
void gaussian_blur(Raw<float>& image, double sigma_mm);
void curvature_flow(Raw<float>& image, int iterations, double time_step);
/// Voxels in [lower, upper] face-connected to a seed (voxel indices), as 0/1.
Raw<std::uint8_t> connected_threshold(const Raw<float>& image, double lower, double upper,
                                      const std::vector<std::array<int, 3>>& seeds);
void fill_holes(Raw<std::uint8_t>& mask);
/// Multiscale Hessian objectness (Frangi et al. 1998; ITK's HessianToObjectnessMeasure, tubes):
/// the maximum over `scales` sigmas from sigma_min to sigma_max (mm, logarithmic),
/// scale-normalised.
Raw<float> vesselness(const Raw<float>& image, double sigma_min, double sigma_max, int scales,
                      bool bright, double alpha, double beta, double gamma);
/// Sato et al. 1998's line filter (ITK's Hessian3DToVesselnessMeasure, bright tubes), the same
/// multiscale maximum; alpha1, alpha2 as Sato's.
Raw<float> sato_vesselness(const Raw<float>& image, double sigma_min, double sigma_max, int scales,
                           double alpha1, double alpha2);
/// Threshold level set (ITK's ThresholdSegmentationLevelSet) started from `initial` (its signed
/// distance), grown within [lower, upper] of `feature` against a curvature term; 0/1 result.
Raw<std::uint8_t> threshold_level_set(const Raw<float>& feature, const Raw<std::uint8_t>& initial,
                                      double lower, double upper, double curvature, int iterations,
                                      double max_rms);
/// Component ids by size, 1 = the largest (face connectivity); returns the number of components.
int label_components(const Raw<std::uint8_t>& mask, std::vector<std::uint32_t>& ids);
/// Signed distance (mm, ITK's Maurer) to the boundary of the mask's non-zero voxels: negative
/// inside, positive outside, measured with the grid's spacing.
std::vector<float> signed_distance(const Raw<std::uint8_t>& mask);
/// The same within each slice across `axis` (2-D distances; a slice without the mask holds
/// 1e30): shape-based interpolation's input.
std::vector<float> signed_distance_in_slices(const Raw<std::uint8_t>& mask, int axis);
/// Distance (mm) from every voxel to the nearest non-zero voxel of the mask.
std::vector<float> distance_to_mask(const Raw<std::uint8_t>& mask);
/// Arrival time of a front started at `seed` (voxel indices) moving at `speed` (mm per unit time;
/// 0 where it may not go): ITK's fast marching, stopped once every target voxel is reached.
/// Voxels the front did not reach hold `unreached` (= ITK's large value) on return.
std::vector<float> arrival_time(const Raw<float>& speed, const std::array<int, 3>& seed,
                                const std::vector<std::array<int, 3>>& targets, float& unreached);

}  // namespace hemotwin::imaging::itk_ops
