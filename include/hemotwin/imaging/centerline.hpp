#pragma once
// Centerlines of a segmented lumen with the radius along them (hemotwin::imaging): minimal paths
// through the lumen from a source (the inlet) to each target (an outlet), found with ITK's fast
// marching on a speed that peaks on the lumen's medial axis, so the path keeps to the middle.
//
//   r(x)     = distance from voxel x to the nearest background voxel, less half a voxel (mm): the
//              radius of the largest ball about x inside the lumen, to half a voxel
//   F(x)     = max((r / r_max)^p, 1e-3) inside the lumen, 0 outside   (p = speed_power)
//   T(x)     = arrival time of the front from the source, |grad T| F = 1   (ITK fast marching)
//
// Each path is the steepest descent of T from its target to the source over the 26 neighbours,
// smoothed (Laplacian, ends fixed) and resampled at a fixed step along its arc; the radius is r
// interpolated there. The approach is that of the minimal-path centerlines of VMTK (Antiga et al.
// 2008, Med Biol Eng Comput 46:1097), on the voxel grid instead of a Voronoi diagram.
#include <string>
#include <vector>

#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging {

struct Centerline {
  std::vector<Vec3> points;        // mm (LPS), from the source to the target
  std::vector<double> radius;      // mm, the maximal inscribed ball's at each point
  std::vector<double> arc_length;  // mm, from the source

  double length() const { return arc_length.empty() ? 0.0 : arc_length.back(); }
  /// Point, radius and unit tangent at arc length s (clamped to [0, length]), interpolated.
  Vec3 point_at(double s) const;
  double radius_at(double s) const;
  Vec3 tangent_at(double s) const;
  /// Arc length of the point of the line nearest to p.
  double project(const Vec3& p) const;
  /// Index of the point with the smallest radius within [s0, s1] (the whole line by default).
  std::size_t narrowest(double s0 = 0, double s1 = 1e300) const;
};

struct CenterlineOptions {
  int label = 0;             // the lumen's label; 0: every non-zero voxel
  double speed_power = 2.0;  // p: how strongly the path is drawn to the medial axis
  double step = 0;           // mm between output points; 0: half the smallest voxel spacing
  int smoothing = 20;        // Laplacian smoothing iterations of the voxel path
  /// How far (mm) a source or target outside the lumen may be moved to the nearest lumen voxel
  /// (points on an opening's plane often fall just outside the segmentation); 0: two voxels.
  double snap = 0;
};

/// One centerline from `source` to each of `targets` (mm, LPS). Throws hemotwin::Error naming the
/// point when a source or target lies outside the lumen (beyond the snap distance) or a target is
/// not connected to the source through the lumen.
std::vector<Centerline> centerlines(const LabelMap& labels, const Vec3& source,
                                    const std::vector<Vec3>& targets,
                                    const CenterlineOptions& options = {});

/// The radius field the centerlines use: per voxel the distance (mm) to the nearest background
/// voxel less half a voxel, 0 outside the lumen.
Volume<float> lumen_radius(const LabelMap& labels, int label = 0);

}  // namespace hemotwin::imaging
