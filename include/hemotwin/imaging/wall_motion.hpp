#pragma once
// A chamber's wall through the frames of a 4D (cine) scan (hemotwin::imaging): every frame
// registered deformably onto a reference frame (ITK's diffeomorphic demons in a multi-resolution
// pyramid), and the wall segmented on the reference carried by each displacement field onto the
// other frames, vertex for vertex — the surface series a moving-wall chamber runs with
// (SurfaceSeries, write_surface_series).
#include <functional>
#include <string>
#include <vector>

#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging {

struct DeformableOptions {
  int levels = 3;                 // pyramid levels, shrink 2^(levels-1) ... 1
  int iterations = 200;           // per level at most
  double smoothing_voxels = 1.5;  // sigma of the Gaussian that regularises the field each update
  double fluid_voxels = 0;        // sigma of one smoothing the update itself (0: none)
  double presmooth_voxels = 0.5;  // sigma of a Gaussian over both frames first, against noise
  double max_step_voxels = 1.0;   // the longest update of one iteration
  /// A level is done once its last 10 iterations improved the frames' mean squared difference
  /// by less than this fraction (with noise the update itself never dies away).
  double plateau = 1e-3;
};

/// A displacement per voxel of a grid: the point p of the fixed frame lies at p + at(p) in the
/// moving one (mm).
struct DisplacementField {
  Grid grid;
  std::vector<Eigen::Vector3f> values;  // grid.voxels(), i fastest

  /// Trilinear between voxel centres; throws hemotwin::Error for a point outside the grid.
  Vec3 at(const Vec3& p) const;
  /// The smallest Jacobian determinant of p -> p + u(p) over the grid (central differences):
  /// <= 0 where the map folds.
  double min_jacobian() const;
  /// The largest displacement's length (mm).
  double max_length() const;
};

struct DeformableRegistration {
  DisplacementField field;
  double mismatch_before = 0;  // mean squared intensity difference of the frames as they are
  double mismatch_after = 0;   // and of the moving frame warped by the field
  double rms_change = 0;       // the finest level's last update (mm)
  int iterations = 0;          // all levels
  bool converged = false;      // the finest level reached the plateau before its limit
  double min_jacobian = 1;
};

/// Registers `moving` onto `fixed` (frames of one series: same grid, same intensities). Throws
/// hemotwin::Error for bad options, frames on different grids, and a registration that fails: the
/// finest level still improving at its iteration limit, the warped frame
/// no closer to the fixed one, or a field that folds — each with what was found and what to change.
DeformableRegistration register_deformable(const Image& fixed, const Image& moving,
                                           const DeformableOptions& options = {});

/// The wall through a cine series: `wall` (a closed surface segmented on frames[reference])
/// carried onto every frame by registering that frame onto the reference. Returns each frame's
/// vertices (the reference's are the wall's own) and each frame's registration (the reference's
/// empty). `progress`, when set, hears each frame as it is done. Throws hemotwin::Error naming
/// the frame (counted from 1) whose registration fails, and for a wall outside the frames' grid.
struct WallMotion {
  std::vector<std::vector<Vec3>> phases;
  std::vector<DeformableRegistration> registrations;
};
WallMotion track_wall(
    const TriangleMesh& wall, const std::vector<Image>& frames, int reference,
    const DeformableOptions& options = {},
    const std::function<void(int frame, const DeformableRegistration&)>& progress = {});

}  // namespace hemotwin::imaging
