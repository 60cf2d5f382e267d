#pragma once
// Where the flow of a file geometry is fastest: the centerlines from the inlet to every outlet
// through the domain's lumen, and, along them, the narrowest cross-section of each stretch that
// carries the same outlets' flow (a trunk carries all of them, a branch its own). The core
// (Simulation::create) weighs each by the share of the flow it carries to expect the peak
// velocity, which sets the time step (a stenosis' throat, not the inlet). hemotwin::imaging.
#include <vector>

#include "hemotwin/core/sparse_lattice.hpp"
#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/imaging/centerline.hpp"

namespace hemotwin::imaging {

/// The lumen of a domain (its shape, e.g. a closed surface with its flow extensions) as a 0/1
/// label map on the domain's own lattice (cell centres; the grid in mm, the domain in metres).
LabelMap domain_mask(const DomainSpec& domain_m);

/// Centerlines from the first velocity inlet of `openings` (mm) to every outlet through the lumen
/// of `domain_m` (metres), in the openings' order of the outlets, each point's radius the
/// equivalent radius sqrt(A / pi) of the lumen's cross-section there (A from 32 rays across the
/// centerline's tangent to the exact wall).
std::vector<Centerline> flow_paths(const DomainSpec& domain_m,
                                   const std::vector<Opening>& openings);

/// The constrictions of `domain_m` (DomainSpec::constrictions, metres) from its flow paths:
/// along each path, the stretches that carry the same set of outlets (paths within half a radius
/// of each other carry each other's flow), and in each the narrowest cross-section, a radius and
/// a half away from the openings (where the lumen's caps end it).
std::vector<Constriction> find_constrictions(const DomainSpec& domain_m,
                                             const std::vector<Opening>& openings);

}  // namespace hemotwin::imaging
