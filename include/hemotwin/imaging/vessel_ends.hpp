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
  Vec3 centre;              // mm, the patch's centroid on the face's voxel layer
  double area = 0;          // mm^2, voxels x the face's pixel area (the oblique section's)
  double radius = 0;        // mm, sqrt(area / pi)
  int axis = 0;             // the face's axis (0, 1, 2) ...
  bool upper = false;       // ... and side (the last layer along it)
  std::vector<Vec3> patch;  // mm, the centres of its voxels on the face's layer
};

/// The lumen's ends on the six faces of its grid, largest first. A patch of fewer than
/// `min_voxels` voxels (noise, a vessel grazing the face) is left out.
std::vector<VesselEnd> vessel_ends(const LabelMap& lumen, int min_voxels = 4);

struct CenterlineCutOptions {
  /// The cut lies this many radii in from where the vessel leaves, along its centerline; 0: no
  /// cuts (the ends stay where the grid's faces cut the vessels; branches may still be dropped).
  double radii_in = 2.0;
  /// A side branch whose radius near its end (the centerline's inscribed ball, one end-radius in)
  /// is below this (mm) is taken out of the lumen, from where it leaves its parent vessel's wall
  /// to its end, instead of being opened as an outlet; 0 keeps every branch.
  double min_radius = 0;
};

/// A cut across a vessel: a plane through `point` with the outward `normal` (the centerline's
/// tangent there), for cut_surface; `radius` is the centerline's radius at the cut.
struct CenterlineCut {
  Vec3 point;
  Vec3 normal;
  double radius = 0;
  VesselEnd end;  // the end it replaces
};

/// A side branch taken out of the lumen: where it left the grid, its radius there, and where its
/// centerline leaves its parent's (the first point outside the parent's inscribed tube).
struct DroppedBranch {
  VesselEnd end;
  double radius = 0;  // mm
  Vec3 junction;      // mm
};

struct VesselOpenings {
  LabelMap lumen;                      // the lumen less the dropped branches
  std::vector<CenterlineCut> cuts;     // one per kept end, the largest end's first (none at 0)
  std::vector<DroppedBranch> dropped;  // thinnest first
};

/// The openings of a lumen from its centerlines, the way vmtk users clip a surface: the
/// centerlines from the largest end (the inlet by default) to every other; each side branch
/// thinner than `min_radius` taken out of the lumen (its voxels nearer its own centerline than
/// its parent's, relative to their radii, and outside the parent's inscribed tube by more than a
/// voxel: the parent's wall is kept whole); one cut per remaining end, `radii_in` of its radius
/// in from the end or further in, until the end's whole patch on the face lies a voxel beyond
/// it (a vessel that runs along the face before it leaves), the largest end's first. Throws
/// hemotwin::Error when the lumen meets its grid nowhere (nothing to cut; give cut planes), when a
/// centerline cannot be found (an end not connected to the largest through the lumen), when a kept
/// branch is too short to trim (the cut would lie in the other half of its centerline), when every
/// branch would be dropped, or when a dropped branch stays joined to the lumen, naming the end and
/// what to change.
VesselOpenings open_vessels(const LabelMap& lumen, const CenterlineCutOptions& options = {});

}  // namespace hemotwin::imaging
