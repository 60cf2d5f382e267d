#pragma once
// Registration of serial scans of one patient into one frame (hemotwin::imaging): ITK's
// ImageRegistrationMethodv4 with Mattes mutual information (Mattes et al. 2003), rigid
// (VersorRigid3DTransform) and then, optionally, affine (AffineTransform), over a shrink/smooth
// pyramid. Mutual information lets a CT register to a CT taken on another scanner or with another
// contrast timing, and an MR angiogram to an MR angiogram.
#include <Eigen/Geometry>
#include <cstdint>
#include <string>

#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging {

enum class RegistrationKind { Rigid, Affine };

struct RegistrationOptions {
  RegistrationKind kind = RegistrationKind::Rigid;  // Affine: a rigid stage, then an affine one
  /// Start from the scans' intensity centres of mass (for scans far apart); else from the
  /// identity, which suits serial scans taken on one table.
  bool moments = false;
  int levels = 3;              // pyramid levels, shrink 2^(levels-1) ... 1
  int bins = 50;               // joint histogram bins
  double sampling = 0.2;       // fraction of the fixed scan's voxels sampled per iteration
  std::uint32_t seed = 1;      // the sampling's: a run repeats exactly
  int iterations = 300;        // per level
  double max_step_mm = 2.0;    // the first step's largest shift of a point, per level
  double min_step_mm = 0.002;  // converged once a step shifts no point by more
};

struct Registration {
  /// Maps a physical point (mm, LPS) of the fixed scan onto the same anatomy in the moving one.
  Eigen::Affine3d fixed_to_moving = Eigen::Affine3d::Identity();
  Eigen::Affine3d rigid = Eigen::Affine3d::Identity();  // the rigid stage's result
  double metric = 0;   // Mattes mutual information at the end (negative; lower is better)
  int iterations = 0;  // of both stages, all levels
  std::string stop;    // the optimizer's last stop condition

  /// The angle (degrees) of the rigid stage's rotation.
  double rotation_degrees() const;
  /// The largest displacement difference (mm) from `other` over the corners of `grid`.
  double max_difference(const Eigen::Affine3d& other, const Grid& grid) const;
};

/// Registers `moving` to `fixed`. Throws hemotwin::Error on bad options or when ITK fails.
Registration register_scans(const Image& fixed, const Image& moving,
                            const RegistrationOptions& options = {});

/// `moving` resampled onto `reference` through `fixed_to_moving` (linear; `outside` where the
/// moving scan does not reach).
Image resample(const Image& moving, const Grid& reference, const Eigen::Affine3d& fixed_to_moving,
               float outside = 0);
/// A label map resampled the same way (nearest neighbour; 0 outside).
LabelMap resample(const LabelMap& moving, const Grid& reference,
                  const Eigen::Affine3d& fixed_to_moving);

}  // namespace hemotwin::imaging
