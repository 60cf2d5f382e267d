#pragma once
// Fields and integrals derived from the velocity on the lattice, for chambers and vortices: the
// velocity gradient of every fluid cell (central differences, one-sided of second order next to
// a wall or an opening), the vortex criteria Q (Hunt, Wray & Moin 1988: Q = (|Omega|^2 - |S|^2)
// / 2 > 0 where rotation outweighs strain) and lambda2 (Jeong & Hussain 1995, J. Fluid Mech.
// 285:69: the middle eigenvalue of S^2 + Omega^2, < 0 inside a vortex core), and the kinetic
// energy and viscous dissipation over the fluid. On a GridInfo and a velocity per stored cell, as
// writers, Python and a split run's rank 0 hold them (no lattice needed); a grid's periodic axes
// are differentiated one-sided at its faces. Host-only; units are whatever the velocity and
// spacing are in (SI from a FieldSnapshot).
#include <Eigen/Core>
#include <functional>
#include <span>
#include <vector>

#include "hemotwin/core/fields.hpp"

namespace hemotwin {

/// du_i/dx_j of every stored cell (zero in solid cells and in a fluid cell with no fluid
/// neighbour along an axis), from `velocity` (3 per stored cell). Throws hemotwin::Error when the
/// velocity does not have 3 values per stored cell.
std::vector<Eigen::Matrix3d> velocity_gradients(const GridInfo& grid,
                                                std::span<const float> velocity);

struct VortexFields {
  std::vector<float> q;        // per stored cell, 1/s^2
  std::vector<float> lambda2;  // per stored cell, 1/s^2
};
VortexFields vortex_fields(const GridInfo& grid, std::span<const float> velocity);

/// Sum over fluid cells of rho |u|^2 / 2 dx^3 (J with SI inputs).
double kinetic_energy(const GridInfo& grid, std::span<const float> velocity, double density);
/// Sum over fluid cells of 2 mu S:S dx^3 (W with SI inputs): the rate at which viscosity turns
/// the flow's energy into heat, for a Newtonian viscosity mu.
double viscous_dissipation(const GridInfo& grid, std::span<const float> velocity, double viscosity);
/// The same for a viscosity that depends on the shear rate gamma = sqrt(2 S:S) (blood's
/// rheology: hemotwin::viscosity_at); called from OpenMP threads.
double viscous_dissipation(const GridInfo& grid, std::span<const float> velocity,
                           const std::function<double(double)>& viscosity);

}  // namespace hemotwin
