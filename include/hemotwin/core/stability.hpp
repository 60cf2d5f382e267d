#pragma once
// The lowest relaxation time each collision model keeps stable and mass-conserving, measured
// rather than assumed: benchmarks/stability_map.cpp bisects it on a stenotic jet and on a
// patient's artery for every model and wall method at several Mach numbers, and the table in
// src/core/stability.cpp holds what it found (docs/validation.md, "Stability map", gives the
// command and the runs). The units check refuses a case below its model's floor.
#include <string>

#include "hemotwin/core/case.hpp"

namespace hemotwin {

struct StabilityFloor {
  double tau = 0.505;  // the floor
  double mach = 0.1;   // the mapped Mach number it comes from
  std::string basis;   // what it was measured on, for messages
};

/// The floor for `model` (with Smagorinsky LES when `les`) and `walls` at a peak Mach number
/// `mach`: the map's floor at the smallest mapped Mach number at or above `mach` (a lower Mach
/// number is at least as stable); for a patient's `anatomy` (file geometries) the higher of the
/// jet's and the artery's, for an analytic shape the jet's. A wall method the map
/// did not run for a model takes the Bouzidi floor; a Mach number above the mapped ones takes the
/// highest mapped and says so in `basis`.
StabilityFloor stability_floor(CollisionModel model, bool les, WallMethod walls, double mach,
                               bool anatomy);

}  // namespace hemotwin
