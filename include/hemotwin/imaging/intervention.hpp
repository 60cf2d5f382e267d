#pragma once
// Virtual interventions on a segmented lumen (hemotwin::imaging), placed along a centerline:
//   open_stenosis  angioplasty / stenting: the lumen over a stretch of the centerline becomes at
//                  least a tube of the target radius about it (the union of balls of that radius
//                  centred on the line);
//   exclude_sac    coiling / clipping of an aneurysm: the lumen inside a sac region that lies
//                  beyond the parent vessel (farther from its centerline, bridged across the
//                  sac, than its radius there)
//                  is removed, and what no longer connects to the vessel with it.
// Each returns a new label map; the original is left as it was. `hemotwin plan` runs
// the case before and after; hemotwin progress measures the sac sac_region finds.
#include <cstdint>

#include "hemotwin/geometry/volume.hpp"
#include "hemotwin/imaging/centerline.hpp"

namespace hemotwin::imaging {

struct Intervention {
  LabelMap labels;                  // the lumen after the intervention
  std::int64_t voxels_added = 0;    // lumen voxels it created
  std::int64_t voxels_removed = 0;  // lumen voxels it removed
  double radius = 0;                // mm: open_stenosis: the target radius used
  double reference_radius = 0;      // mm: open_stenosis: the vessel's radius either side
};

/// Opens the lumen between arc lengths s0 < s1 of `c` to `radius` (mm); radius 0 takes the
/// reference radius: the mean of the median radii over a stretch as long as [s0, s1] before s0
/// and after s1 (clipped to the line), as quantitative angiography takes a reference diameter.
/// New lumen voxels get `label`. Throws hemotwin::Error when the stretch does not lie on the
/// line or the radius is not positive.
Intervention open_stenosis(const LabelMap& labels, const Centerline& c, double s0, double s1,
                           double radius = 0, std::uint8_t label = 1);

/// The parent vessel's centerline with the stretch the sac draws aside bridged: a centerline of
/// the lumen runs through a sac wider than its vessel. The points within the ball (centre, radius)
/// and those beside it whose radius exceeds the vessel's (the median outside the ball) by 15 %,
/// and a vessel radius more each side, give way to a cubic Hermite curve along the line's
/// tangents at the two ends, its radius linear between theirs (after the clipped-centerline
/// interpolation of Piccinelli et al. 2009, IEEE TMI 28:1141). A line that misses the ball comes
/// back unchanged.
Centerline parent_across_sac(const Centerline& parent, const Vec3& centre, double radius);
/// The aneurysm's sac: the lumen inside the ball (sac_centre, sac_radius) (mm) that lies farther
/// from the parent vessel's centerline (parent_across_sac) than the vessel's radius there plus
/// 0.6 voxel (the line's radius runs half a voxel low), opened morphologically (a 6-neighbour
/// cross: the bumps of a rough segmented wall stay with the parent), and the
/// lumen that would be cut off from the vessel without it; 1 there, 0 elsewhere. Throws
/// hemotwin::Error when the ball holds no lumen beyond the parent vessel.
LabelMap sac_region(const LabelMap& labels, const Centerline& parent, const Vec3& sac_centre,
                    double sac_radius);
/// Removes the sac (sac_region) from the lumen. Throws hemotwin::Error when the ball holds no
/// lumen beyond the parent vessel.
Intervention exclude_sac(const LabelMap& labels, const Centerline& parent, const Vec3& sac_centre,
                         double sac_radius);

}  // namespace hemotwin::imaging
