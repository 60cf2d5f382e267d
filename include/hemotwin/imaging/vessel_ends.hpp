#pragma once
// Openings without hand work: where a segmented lumen leaves its grid (the scan's field of view,
// or the region of interest it was cropped to), the cut a modeller would make instead -- across
// the vessel, perpendicular to its centerline, a set number of radii in from where it leaves (the
// way vmtk users clip a surface before a flow run). The grid's faces cut a vessel that leaves
// obliquely along an ellipse whose normal is the face's, not the vessel's; a flow opening there
// imposes the inflow at the wrong angle. hemotwin::imaging.
#include <string>
#include <vector>

#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging {

/// Where the lumen (non-zero voxels) meets one face of its grid: a connected patch of lumen
/// voxels on the face's layer.
struct VesselEnd {
  Vec3 centre;         // mm, the patch's centroid on the face's voxel layer
  double area = 0;     // mm^2, voxels x the face's pixel area (the oblique section's)
  double radius = 0;   // mm, sqrt(area / pi)
  int axis = 0;        // the face's axis (0, 1, 2) ...
  bool upper = false;  // ... and side (the last layer along it)
};

/// The lumen's ends on the six faces of its grid, largest first. A patch of fewer than
/// `min_voxels` voxels (noise, a vessel grazing the face) is left out.
std::vector<VesselEnd> vessel_ends(const LabelMap& lumen, int min_voxels = 4);

struct CenterlineCutOptions {
  /// The cut lies this many radii in from where the vessel leaves, along its centerline.
  double radii_in = 2.0;
};

/// A cut across a vessel: a plane through `point` with the outward `normal` (the centerline's
/// tangent there), for cut_surface; `radius` is the centerline's radius at the cut.
struct CenterlineCut {
  Vec3 point;
  Vec3 normal;
  double radius = 0;
  VesselEnd end;  // the end it replaces
};

/// One cut per end of the lumen, the largest end's first (the inlet by default): the centerlines
/// from the largest end to every other, each cut `radii_in` of its radius in from its end. Throws
/// hemotwin::Error when the lumen meets its grid nowhere (nothing to cut; give cut planes), when a
/// centerline cannot be found (an end not connected to the largest through the lumen), or when a
/// branch is too short to trim (the cut would lie in the other half of its centerline), naming
/// the end and what to change.
std::vector<CenterlineCut> centerline_cuts(const LabelMap& lumen,
                                           const CenterlineCutOptions& options = {});

}  // namespace hemotwin::imaging
