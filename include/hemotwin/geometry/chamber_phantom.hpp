#pragma once
// The left-ventricle phantom (ProlateChamber) as data: its cavity's wall as a closed triangle
// mesh, and that mesh moved through the cycle as a series of surfaces (SurfaceSeries), as a 4D
// scan's segmentation would give it. Tests, benchmarks and `hemotwin phantom` build chambers
// from it.
#include <memory>

#include "hemotwin/core/moving_shapes.hpp"
#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/geometry/surface_series.hpp"

namespace hemotwin {

/// The cavity of a ProlateChamber at end-diastole whose base centre is the origin and axis +z
/// (long semi-axis `a`, short `b`, the base plane `beta` a above the ellipsoid's centre): the
/// ellipsoid from the base plane to the apex in `rings` bands of `segments` triangles pairs, the
/// base a disc of rings / 2 bands; closed, wound outward. Throws hemotwin::Error for rings < 2,
/// segments < 3, axes not positive or beta outside [0, 0.9].
TriangleMesh prolate_cavity_mesh(double a, double b, double beta, int rings, int segments);

/// `ed` (the cavity at end-diastole, as prolate_cavity_mesh gives it for `lv`, whose base centre
/// must be the origin and axis +z) moved by `lv`'s motion to `phases` times evenly over its
/// cycle from t = 0.
std::shared_ptr<SurfaceSeries> prolate_series(const ProlateChamber& lv, const TriangleMesh& ed,
                                              int phases);

}  // namespace hemotwin
