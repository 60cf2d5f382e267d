#pragma once
// Synthetic vessel phantoms: parametric lumens with an exact inside test, rendered as CT- or
// MR-like angiograms (partial volume, blur, noise, background tissue) together with their exact
// label map. They are the ground truth that real scans lack; tests and the demo use them.
#include <Eigen/Geometry>
#include <cstdint>
#include <string>
#include <vector>

#include "hemotwin/geometry/surface_shape.hpp"
#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging {

/// A lumen as a union of round tubes along polylines (radius given at every centreline point,
/// interpolated linearly along each segment) and of spheres (saccular aneurysms). distance() is
/// negative inside; it is the exact distance for constant radii and a close, smooth one for
/// slowly varying radii. The lumen is {p : distance(p) < 0} by definition, which is what the label
/// map of a rendered phantom holds, so the ground truth is exact.
class VesselModel {
 public:
  struct Tube {
    std::vector<Vec3> points;   // mm
    std::vector<double> radii;  // mm, one per point
  };
  struct Sphere {
    Vec3 centre;
    double radius;
  };

  VesselModel& add_tube(Tube tube);
  VesselModel& add_sphere(const Vec3& centre, double radius);

  double distance(const Vec3& p) const;
  bool inside(const Vec3& p) const { return distance(p) < 0; }
  /// The same lumen moved rigidly: every point p goes to pose * p.
  VesselModel transformed(const Eigen::Isometry3d& pose) const;
  /// Bounds of the lumen, mm.
  void bounds(Vec3& lo, Vec3& hi) const;
  const std::vector<Tube>& tubes() const { return tubes_; }
  const std::vector<Sphere>& spheres() const { return spheres_; }

  /// A straight tube from `a` to `b`.
  static VesselModel straight(const Vec3& a, const Vec3& b, double radius);
  /// A tube along a circular arc of `bend_radius` through `angle` radians, in the plane of
  /// (axis, towards), starting at `start` along `axis`.
  static VesselModel curved(const Vec3& start, const Vec3& axis, const Vec3& towards,
                            double bend_radius, double angle, double radius);
  /// A straight tube with a cosine stenosis of `severity` (fractional diameter reduction)
  /// centred at `position` (mm from a), `length` mm long.
  static VesselModel stenosis(const Vec3& a, const Vec3& b, double radius, double severity,
                              double position, double length);
  /// A straight tube with a saccular aneurysm (a sphere of `sac_radius`) on its side at `position`
  /// mm from a, its centre `offset` mm from the axis along `side`.
  static VesselModel aneurysm(const Vec3& a, const Vec3& b, double radius, double position,
                              const Vec3& side, double sac_radius, double offset);
  /// A carotid-like bifurcation in the x-y plane: a common carotid along +y from `origin`
  /// (radius 3.0 mm, 30 mm), an internal carotid (2.5 mm) and an external carotid (1.8 mm),
  /// 40 mm each, branching at ±25°, the internal with a cosine stenosis of `ica_stenosis`
  /// (diameter reduction) 10 mm past the bifurcation.
  static VesselModel carotid_bifurcation(const Vec3& origin, double ica_stenosis);

 private:
  std::vector<Tube> tubes_;
  std::vector<Sphere> spheres_;
};

enum class Modality { CT, MR };

struct RenderOptions {
  Modality modality = Modality::CT;
  Vec3 spacing = Vec3::Constant(0.5);  // mm
  Eigen::Matrix3d direction = Eigen::Matrix3d::Identity();
  double margin = 4;  // mm of tissue around the lumen's bounds
  /// The grid to render on, when its size is set (spacing and direction then come from it):
  /// e.g. a field of view the vessel runs out of, as in a real scan. Unset: the lumen's bounds
  /// plus `margin`, at `spacing`, along `direction`.
  Grid grid;
  double blur_sigma = 0.5;  // mm, Gaussian point-spread of the scanner
  double noise_sigma = 20;  // intensity units (HU for CT)
  int supersample = 4;      // partial volume: sub-samples per axis in voxels the wall crosses
  std::uint32_t seed = 1;   // noise
  /// Where the patient lies in the scanner: the lumen, the tissue's variation and the bone all
  /// move by it (a point p of the identity's scene appears at pose * p), as in a second scan of
  /// the same patient. The grid covers the moved lumen unless `grid` is set.
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  /// Intensities. CT: contrast-filled lumen 400 HU in soft tissue 40 HU with a smooth ±30 HU
  /// variation and a bone block of 1000 HU at one side; MR (time of flight): lumen 600 in a
  /// background of 100 with a smooth ±40 variation, Rician noise.
  double lumen = -1, tissue = -1;  // -1: the modality's default
};

struct Phantom {
  Image image;      // the rendered scan
  LabelMap labels;  // exact: 1 where the voxel centre lies in the lumen
};

/// Renders the model on a grid covering its bounds plus the margin.
Phantom render(const VesselModel& model, const RenderOptions& options = {});

/// Renders the lumen a closed surface encloses (a heart chamber's cavity at one phase, for a
/// cine series on one `grid`) the same way: the label map from the voxel centres, the image from
/// the sub-sampled volume fraction of every voxel the surface may cross, the bone where the lumen
/// is more than 3 mm away. The surface is the ground truth, so `pose` must be the identity (move
/// the mesh instead). Throws hemotwin::Error for bad options.
Phantom render(const SurfaceShape& lumen, const RenderOptions& options = {});

}  // namespace hemotwin::imaging
