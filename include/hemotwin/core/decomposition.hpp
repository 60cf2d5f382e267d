#pragma once
// Splitting a lattice's bricks between processes (DESIGN.md, hemotwin::parallel). The core knows
// how to cut the bricks and what crosses the cuts; how the bytes travel is the Communicator's
// business (hemotwin::parallel implements it with MPI), so the core still builds without MPI.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hemotwin/core/sparse_lattice.hpp"

namespace hemotwin {

/// What an engine split over processes needs from the library that joins them (MPI:
/// hemotwin::parallel::MpiCommunicator). Every process calls each collective in the same order.
class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// In place, element by element, over every process; every process gets the result.
  virtual void sum(std::span<double> values) = 0;
  virtual void max(std::span<double> values) = 0;
  virtual void min(std::span<std::int64_t> values) = 0;
  /// Sums modulo 2^64 (fingerprints: the same whatever the order).
  virtual void sum(std::span<std::uint64_t> values) = 0;
  /// This process's place among those of its node (which GPU it takes); 0 by default.
  virtual int node_rank() const { return 0; }
  /// Starts sending send[k] to peers[k] and receiving recv[k] from it (both sides agree on the
  /// sizes) and returns; finish_exchange() waits for all of it. The buffers stay untouched until
  /// then. `device`: the buffers are in CUDA device memory (passed as they are to a CUDA-aware
  /// library; refused by one without).
  virtual void start_exchange(std::span<const int> peers,
                              std::span<const std::span<const std::byte>> send,
                              std::span<const std::span<std::byte>> recv, bool device) = 0;
  virtual void finish_exchange() = 0;
  /// Whether start_exchange takes device buffers (a CUDA-aware MPI).
  virtual bool device_buffers() const = 0;
  /// Every process's bytes, in rank order, on `root` (empty elsewhere).
  virtual std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) = 0;
  /// `bytes` of `root` on every process.
  virtual void broadcast(std::vector<std::byte>& bytes, int root) = 0;
};

/// The cost of updating a brick, in units of one fluid cell's stream-collide: the partitioner
/// balances it. Boundary links are priced at `per_link` cells (the link kernels touch a few
/// scattered slots each): `bench_parallel --cost` measured 0.67 for TRT in double and 0.07 for
/// the cumulant in float (docs/performance.md); the default lies between.
struct BrickCost {
  double per_fluid_cell = 1.0;
  double per_link = 0.25;
};

/// The cost of every brick of `lattice`: its fluid cells, and its cells' boundary links
/// (`link_cells`: each link's fluid cell, as LinkList::fluid).
std::vector<double> brick_costs(const SparseLattice& lattice,
                                std::span<const std::int64_t> link_cells, const BrickCost& cost);

/// Which process owns each brick: the bricks in the order of a 3-D Hilbert curve through their
/// positions, cut into `ranks` consecutive runs of (as nearly as whole bricks allow) equal cost.
/// Neighbouring bricks mostly share a run, so a run's surface, and the halo, stay small. Throws
/// hemotwin::Error when there are more ranks than bricks that hold fluid.
std::vector<std::int32_t> partition_bricks(const SparseLattice& lattice,
                                           std::span<const double> cost, int ranks);

/// Where along the Hilbert curve of order `bits` (a cube of 2^bits bricks a side) brick
/// coordinates (x, y, z) lie; consecutive indices are face neighbours.
std::uint64_t hilbert_index(std::uint32_t x, std::uint32_t y, std::uint32_t z, int bits);

/// How a partition splits the work, for docs/scaling.md and the benchmarks.
struct PartitionSummary {
  int ranks = 0;
  std::vector<std::int64_t> fluid_cells;  // per rank
  std::vector<double> cost;               // per rank
  std::vector<std::int64_t> halo_cells;   // per rank: other ranks' fluid cells it reads
  std::vector<std::int64_t> halo_values;  // per rank: populations it receives per step
  std::vector<int> neighbours;            // per rank: ranks it exchanges with
  /// Per rank: (peer, populations it receives from that peer per step), by peer.
  std::vector<std::vector<std::pair<int, std::int64_t>>> halo_from;
  double imbalance = 0;  // max cost / mean cost - 1
};

/// What each rank of the partition `owner` would hold and exchange on velocity set `q_dirs`
/// (the directions c_q, q = 0 .. Q-1). Counts pairs in a ranks x ranks table: meant for up to a
/// few thousand ranks.
PartitionSummary summarise_partition(const SparseLattice& lattice,
                                     std::span<const std::int32_t> owner,
                                     std::span<const double> cost,
                                     std::span<const std::array<int, 3>> q_dirs);

/// One rank's share of a lattice split by `owner`: its own bricks and a halo of the bricks around
/// them, and which population slots cross to each other rank every step.
struct Subdomain {
  /// The bricks this rank stores: its own first, then the halo's, each in the whole lattice's
  /// order; halo bricks link only to stored bricks (else to the void brick).
  std::shared_ptr<SparseLattice> lattice;
  std::int32_t owned_bricks = 0;
  std::vector<std::int32_t> global_brick;   // stored brick -> brick of the whole lattice
  std::vector<std::int32_t> local_brick;    // brick of the whole lattice -> stored, or -1
  std::vector<std::int32_t> border_bricks;  // own bricks next to another rank's (update first)
  std::vector<std::int32_t> inner_bricks;   // the other own bricks
  struct Peer {
    int rank = 0;
    /// Population slots (two-lattice layout, kernels::slot) sent to and received from the peer,
    /// in the same order on both sides: by cell of the whole lattice, then direction. A slot
    /// travels when the population streams into a fluid cell the receiver owns.
    std::vector<std::int64_t> send, recv;
    /// Whole bricks: the own bricks next to the peer's, and the peer's bricks in this halo, both
    /// in the whole lattice's order (fields that need every value of the halo: Engine::
    /// exchange_cells).
    std::vector<std::int32_t> send_bricks, recv_bricks;
  };
  std::vector<Peer> peers;  // by rank

  /// Stored cell -> cell of the whole lattice (brick * brick_cells + offset).
  std::int64_t global_cell(std::int64_t cell) const;
  /// Cell of the whole lattice -> stored cell, or -1.
  std::int64_t local_cell(std::int64_t cell) const;
};

/// Rank `rank`'s share of `whole` split by `owner`, for velocity set `q_dirs`.
Subdomain make_subdomain(const SparseLattice& whole, std::span<const std::int32_t> owner, int rank,
                         std::span<const std::array<int, 3>> q_dirs);

}  // namespace hemotwin
