#include "hemotwin/core/stability.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace hemotwin {

namespace {

constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

// What benchmarks/stability_map found (docs/validation.md, "Stability map"): the lowest tau that
// passed on the stenotic jet and on the patient's artery, float, 16 cells across, at Mach 0.1
// (and 0.05, 0.15 for the three models a file geometry is most likely to run). NaN: not
// mapped. 0.50001 is the map's bottom (tau - 1/2 = 1e-5): the model passed there, its
// Smagorinsky viscosity carrying the under-resolved shear.
struct Entry {
  CollisionModel model;
  bool les;
  WallMethod walls;
  double mach;
  double jet, vessel;
};

constexpr Entry kMap[] = {
    {CollisionModel::Bgk, false, WallMethod::Bouzidi, 0.1, 0.501540, 0.505623},
    {CollisionModel::Bgk, true, WallMethod::Bouzidi, 0.1, 0.500649, 0.501155},
    {CollisionModel::Trt, false, WallMethod::Bouzidi, 0.05, 0.502054, 0.504870},
    {CollisionModel::Trt, false, WallMethod::Bouzidi, 0.1, 0.504870, 0.510000},
    {CollisionModel::Trt, false, WallMethod::Bouzidi, 0.15, 0.507499, 0.515399},
    {CollisionModel::Trt, false, WallMethod::BounceBack, 0.1, 0.503652, 0.510000},
    {CollisionModel::Regularized, false, WallMethod::Bouzidi, 0.05, 0.501000, 0.501334},
    {CollisionModel::Regularized, false, WallMethod::Bouzidi, 0.1, 0.500750, 0.500866},
    {CollisionModel::Regularized, false, WallMethod::Bouzidi, 0.15, 0.500750, 0.503162},
    {CollisionModel::Regularized, true, WallMethod::Bouzidi, 0.1, 0.500010, 0.500010},
    {CollisionModel::Cumulant, false, WallMethod::Bouzidi, 0.05, 0.500649, 0.502371},
    {CollisionModel::Cumulant, false, WallMethod::Bouzidi, 0.1, 0.501155, 0.504870},
    {CollisionModel::Cumulant, false, WallMethod::Bouzidi, 0.15, 0.502738, 0.510000},
    {CollisionModel::Cumulant, false, WallMethod::BounceBack, 0.1, 0.502738, 0.505623},
    {CollisionModel::Cumulant, true, WallMethod::Bouzidi, 0.1, 0.500010, 0.500010},
    {CollisionModel::Kbc, false, WallMethod::Bouzidi, 0.1, 0.500649, 0.502371},
    {CollisionModel::Kbc, true, WallMethod::Bouzidi, 0.1, kNone, kNone},
};

// The floor of one entry: for a patient's anatomy the higher of its flows' (the artery's start-up
// and branches are harsher than a pipe's jet), for an analytic shape the jet's; NaN when neither
// was mapped.
double floor_of(const Entry& e, bool anatomy) {
  if (std::isnan(e.jet)) return e.vessel;
  if (std::isnan(e.vessel) || !anatomy) return e.jet;
  return std::max(e.jet, e.vessel);
}

// Before the map: the floors the project assumed (docs/validation.md): 0.505, and 0.501 for a
// collision with Smagorinsky LES.
constexpr double kAssumed = 0.505, kAssumedLes = 0.501;

}  // namespace

StabilityFloor stability_floor(CollisionModel model, bool les, WallMethod walls, double mach,
                               bool anatomy) {
  // The entries of this model and LES setting with this wall method, else with Bouzidi walls.
  std::vector<const Entry*> found;
  for (WallMethod w : {walls, WallMethod::Bouzidi}) {
    for (const auto& e : kMap)
      if (e.model == model && e.les == les && e.walls == w && !std::isnan(floor_of(e, anatomy)))
        found.push_back(&e);
    if (!found.empty()) break;
  }
  std::ostringstream s;
  s.precision(6);
  StabilityFloor f;
  if (found.empty()) {
    f.tau = les ? kAssumedLes : kAssumed;
    f.mach = mach;
    s << "the floor assumed for " << to_string(model) << (les ? " with LES" : "")
      << " (not yet in the stability map)";
    f.basis = s.str();
    return f;
  }
  std::sort(found.begin(), found.end(), [](auto* a, auto* b) { return a->mach < b->mach; });
  const Entry* e = found.back();  // the highest mapped Mach number, unless one is at or above
  for (const Entry* x : found)
    if (x->mach >= mach * (1 - 1e-9)) {
      e = x;
      break;
    }
  // Monotone in Mach: never below a floor mapped at a lower Mach number (the bisection's step,
  // a factor 1.25 in tau - 1/2, can put a lower Mach's floor a step above a higher one's).
  f.tau = floor_of(*e, anatomy);
  for (const Entry* x : found)
    if (x->mach <= e->mach) f.tau = std::max(f.tau, floor_of(*x, anatomy));
  f.mach = e->mach;
  s << "the lowest relaxation time the stability map found stable and mass-conserving for "
    << to_string(model) << (les ? " with Smagorinsky LES" : "") << " and " << to_string(e->walls)
    << " walls at Mach " << e->mach
    << (anatomy && !std::isnan(e->vessel) ? " in a patient's artery" : " in a stenotic jet");
  if (e->walls != walls) s << " (" << to_string(walls) << " walls were not mapped)";
  if (mach > e->mach * (1 + 1e-9)) s << "; the run's Mach number " << mach << " is above it";
  s << " (docs/validation.md)";
  f.basis = s.str();
  return f;
}

}  // namespace hemotwin
