#pragma once
// What a Simulation split over processes shares besides the engine's halo (internal to
// hemotwin::core): the lattice's fingerprint, summed over the ranks; wall shear gathered in the
// whole lattice's order; a checkpoint's state broadcast from rank 0.
#include <cstdint>
#include <vector>

#include "hemotwin/core/decomposition.hpp"
#include "hemotwin/core/simulation.hpp"

namespace hemotwin::detail {

/// Simulation::lattice_hash: the bricks and iolets, and the sum (mod 2^64) of one fingerprint per
/// boundary link (cells numbered as in the whole lattice), so that a lattice split over
/// processes adds up to the same value as one process's. Collective when `sub` is given.
std::uint64_t hash_lattice(const SparseLattice& whole, const LinkList& links,
                           const std::vector<IoletPlane>& iolets, int q_count,
                           const Subdomain* sub, Communicator* comm);

/// Every rank's wall points (`mine`, whose cells in the whole lattice are `keys`) on rank 0, in
/// the order of those cells (that of one process); empty elsewhere. Collective.
WallShearField gather_wall_shear(Communicator& comm, const WallShearField& mine,
                                 const std::vector<std::int64_t>& keys);

/// Rank 0's `given` state on every rank. Collective.
SimulationState broadcast_state(Communicator& comm, const SimulationState& given);

}  // namespace hemotwin::detail
