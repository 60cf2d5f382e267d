#include "hemotwin/core/decomposition.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/kernels.hpp"

namespace hemotwin {
namespace {
using kernels::B;
using kernels::B3;

std::int64_t two_lattice_slot(std::int64_t cell, int q, int q_count) {
  return (cell / B3 * q_count + q) * B3 + cell % B3;
}
}  // namespace

// Skilling, "Programming the Hilbert curve" (AIP Conf. Proc. 707, 2004): the axes are turned
// into the curve's "transpose" in place, whose bits interleaved give the index.
std::uint64_t hilbert_index(std::uint32_t x, std::uint32_t y, std::uint32_t z, int bits) {
  if (bits < 1 || bits > 21) throw Error("hilbert_index: 1 to 21 bits per axis");
  std::uint32_t v[3] = {x, y, z};
  const std::uint32_t top = 1u << (bits - 1);
  for (std::uint32_t q = top; q > 1; q >>= 1) {
    const std::uint32_t p = q - 1;
    for (int i = 0; i < 3; ++i) {
      if (v[i] & q) {
        v[0] ^= p;
      } else {
        const std::uint32_t t = (v[0] ^ v[i]) & p;
        v[0] ^= t;
        v[i] ^= t;
      }
    }
  }
  for (int i = 1; i < 3; ++i) v[i] ^= v[i - 1];
  std::uint32_t t = 0;
  for (std::uint32_t q = top; q > 1; q >>= 1)
    if (v[2] & q) t ^= q - 1;
  for (auto& a : v) a ^= t;
  std::uint64_t h = 0;
  for (int b = bits - 1; b >= 0; --b)
    for (int i = 0; i < 3; ++i) h = (h << 1) | ((v[i] >> b) & 1u);
  return h;
}

std::vector<double> brick_costs(const SparseLattice& lattice,
                                std::span<const std::int64_t> link_cells, const BrickCost& cost) {
  const std::int32_t nb = lattice.brick_count();
  std::vector<double> out(std::size_t(nb), 0.0);
  const auto& type = lattice.cell_type();
  for (std::int32_t b = 0; b < nb; ++b) {
    int fluid = 0;
    for (int c = 0; c < B3; ++c) fluid += type[std::size_t(b) * B3 + c] == 1;
    out[std::size_t(b)] = cost.per_fluid_cell * fluid;
  }
  for (std::int64_t cell : link_cells) out[std::size_t(cell / B3)] += cost.per_link;
  return out;
}

std::vector<std::int32_t> partition_bricks(const SparseLattice& lattice,
                                           std::span<const double> cost, int ranks) {
  const std::int32_t nb = lattice.brick_count();
  if (std::int64_t(cost.size()) != nb) throw Error("partition_bricks: one cost per brick expected");
  if (ranks < 1) throw Error("the number of processes must be at least 1");
  std::vector<std::int32_t> working;  // bricks that cost something (fluid)
  for (std::int32_t b = 0; b < nb; ++b)
    if (cost[std::size_t(b)] > 0) working.push_back(b);
  if (std::int64_t(working.size()) < ranks)
    throw Error("the lattice has " + std::to_string(working.size()) + " bricks of " +
                std::to_string(B) + "^3 cells that hold fluid, fewer than the " +
                std::to_string(ranks) +
                " processes asked for: run on at most that many, or refine the lattice "
                "(a smaller case.dx) so that every process gets some fluid");
  int bits = 1;
  for (int a = 0; a < 3; ++a)
    while ((1 << bits) < (lattice.cells()[a] + B - 1) / B) ++bits;
  std::vector<std::uint64_t> key(static_cast<std::size_t>(nb));
  const auto& origin = lattice.brick_origins();
  for (std::int32_t b = 0; b < nb; ++b)
    key[std::size_t(b)] =
        hilbert_index(std::uint32_t(origin[b][0] / B), std::uint32_t(origin[b][1] / B),
                      std::uint32_t(origin[b][2] / B), bits);
  std::vector<std::int32_t> order(static_cast<std::size_t>(nb));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return key[std::size_t(a)] < key[std::size_t(b)];
  });
  // Each brick goes to the run its cost's midpoint falls in; then every run is made non-empty
  // (in working bricks) by moving its start.
  const double total = std::accumulate(cost.begin(), cost.end(), 0.0);
  std::vector<std::int64_t> start(std::size_t(ranks) + 1, -1);  // into `order`
  double before = 0;
  std::vector<std::int32_t> rank_of_position(static_cast<std::size_t>(nb));
  for (std::int32_t i = 0; i < nb; ++i) {
    const double c = cost[std::size_t(order[std::size_t(i)])];
    const int r = std::min(ranks - 1, int((before + 0.5 * c) / total * ranks));
    rank_of_position[std::size_t(i)] = r;
    before += c;
  }
  // Working-brick positions along the curve, and the first of each rank's run among them.
  std::vector<std::int32_t> working_at;
  for (std::int32_t i = 0; i < nb; ++i)
    if (cost[std::size_t(order[std::size_t(i)])] > 0) working_at.push_back(i);
  const std::int64_t nw = std::int64_t(working_at.size());
  std::vector<std::int64_t> first(std::size_t(ranks), nw);
  for (std::int64_t w = nw - 1; w >= 0; --w)
    first[std::size_t(rank_of_position[std::size_t(working_at[std::size_t(w)])])] = w;
  for (int r = ranks - 1; r >= 0; --r) {  // a missing run starts where the next one does
    if (first[std::size_t(r)] == nw && r + 1 < ranks)
      first[std::size_t(r)] = first[std::size_t(r + 1)];
  }
  first[0] = 0;
  for (int r = 1; r < ranks; ++r)
    first[std::size_t(r)] = std::max(first[std::size_t(r)], first[std::size_t(r - 1)] + 1);
  for (int r = ranks - 1; r >= 1; --r)
    first[std::size_t(r)] = std::min(first[std::size_t(r)], nw - (ranks - r));
  // Bricks without fluid follow the working brick before them on the curve.
  std::vector<std::int32_t> owner(std::size_t(nb), 0);
  int r = 0;
  std::int64_t w = 0;
  for (std::int32_t i = 0; i < nb; ++i) {
    if (w < nw && working_at[std::size_t(w)] == i) {
      while (r + 1 < ranks && first[std::size_t(r + 1)] <= w) ++r;
      ++w;
    }
    owner[std::size_t(order[std::size_t(i)])] = r;
  }
  return owner;
}

PartitionSummary summarise_partition(const SparseLattice& lattice,
                                     std::span<const std::int32_t> owner,
                                     std::span<const double> cost,
                                     std::span<const std::array<int, 3>> q_dirs) {
  PartitionSummary s;
  const std::int32_t nb = lattice.brick_count();
  s.ranks = owner.empty() ? 0 : *std::max_element(owner.begin(), owner.end()) + 1;
  const std::size_t n = std::size_t(s.ranks);
  s.fluid_cells.assign(n, 0);
  s.cost.assign(n, 0.0);
  s.halo_cells.assign(n, 0);
  s.halo_values.assign(n, 0);
  std::vector<std::int64_t> from(n * n, 0);  // [receiver * n + sender]: populations per step
  const std::int32_t* nbr = lattice.neighbours().data();
  const auto& type = lattice.cell_type();
  const int Q = int(q_dirs.size());
  for (std::int32_t b = 0; b < nb; ++b) {
    const int r = owner[std::size_t(b)];
    s.cost[std::size_t(r)] += cost[std::size_t(b)];
    for (int c = 0; c < B3; ++c) {
      const std::int64_t x = std::int64_t(b) * B3 + c;
      if (type[std::size_t(x)] != 1) continue;
      ++s.fluid_cells[std::size_t(r)];
      // x is a halo cell of every other rank that owns a fluid cell it streams into.
      int others[27], nothers = 0;
      for (int q = 1; q < Q; ++q) {
        const std::int64_t y =
            kernels::neighbour_cell(nbr, x, q_dirs[q][0], q_dirs[q][1], q_dirs[q][2]);
        if (y / B3 >= nb || type[std::size_t(y)] != 1) continue;
        const int o = owner[std::size_t(y / B3)];
        if (o == r) continue;
        ++s.halo_values[std::size_t(o)];
        ++from[std::size_t(o) * n + std::size_t(r)];
        if (std::find(others, others + nothers, o) == others + nothers) others[nothers++] = o;
      }
      for (int k = 0; k < nothers; ++k) ++s.halo_cells[std::size_t(others[k])];
    }
  }
  s.neighbours.assign(n, 0);
  s.halo_from.assign(n, {});
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t p = 0; p < n; ++p) {
      if (from[r * n + p] > 0) s.halo_from[r].emplace_back(int(p), from[r * n + p]);
      if (from[r * n + p] > 0 || from[p * n + r] > 0) ++s.neighbours[r];
    }
  const double mean =
      std::accumulate(s.cost.begin(), s.cost.end(), 0.0) / double(std::max<std::size_t>(n, 1));
  s.imbalance = n ? *std::max_element(s.cost.begin(), s.cost.end()) / mean - 1.0 : 0.0;
  return s;
}

std::int64_t Subdomain::global_cell(std::int64_t cell) const {
  return std::int64_t(global_brick[std::size_t(cell / B3)]) * B3 + cell % B3;
}

std::int64_t Subdomain::local_cell(std::int64_t cell) const {
  const std::int32_t b = local_brick[std::size_t(cell / B3)];
  return b < 0 ? -1 : std::int64_t(b) * B3 + cell % B3;
}

Subdomain make_subdomain(const SparseLattice& whole, std::span<const std::int32_t> owner, int rank,
                         std::span<const std::array<int, 3>> q_dirs) {
  const std::int32_t nb = whole.brick_count();
  if (std::int64_t(owner.size()) != nb) throw Error("make_subdomain: one owner per brick expected");
  const std::int32_t* nbr = whole.neighbours().data();
  Subdomain sub;
  std::vector<std::int32_t> keep, halo;
  std::vector<std::uint8_t> is_halo(std::size_t(nb), 0);
  for (std::int32_t b = 0; b < nb; ++b) {
    if (owner[std::size_t(b)] != rank) continue;
    keep.push_back(b);
    bool border = false;
    for (int s = 0; s < brick_neighbours; ++s) {
      const std::int32_t m = nbr[std::size_t(b) * brick_neighbours + s];
      if (m >= nb || owner[std::size_t(m)] == rank) continue;
      border = true;
      is_halo[std::size_t(m)] = 1;
    }
    (border ? sub.border_bricks : sub.inner_bricks).push_back(b);  // global ids for now
  }
  if (keep.empty()) throw Error("process " + std::to_string(rank) + " was given no brick");
  sub.owned_bricks = std::int32_t(keep.size());
  for (std::int32_t b = 0; b < nb; ++b)
    if (is_halo[std::size_t(b)]) keep.push_back(b);
  sub.global_brick = keep;
  sub.local_brick.assign(std::size_t(nb), -1);
  for (std::size_t i = 0; i < keep.size(); ++i)
    sub.local_brick[std::size_t(keep[i])] = std::int32_t(i);
  for (auto* list : {&sub.border_bricks, &sub.inner_bricks})
    for (auto& b : *list) b = sub.local_brick[std::size_t(b)];
  sub.lattice = std::make_shared<SparseLattice>(whole, keep, sub.owned_bricks);

  // What crosses: population q of fluid cell x goes from x's owner to the owner of fluid cell
  // x + c_q. Both sides walk the cells in the whole lattice's order, so the lists match.
  const auto& type = whole.cell_type();
  const int Q = int(q_dirs.size());
  std::vector<int> peer_of(
      std::size_t(std::max(0, *std::max_element(owner.begin(), owner.end()) + 1)), -1);
  auto peer = [&](int r) -> Subdomain::Peer& {
    if (peer_of[std::size_t(r)] < 0) {
      peer_of[std::size_t(r)] = int(sub.peers.size());
      sub.peers.push_back({r, {}, {}, {}, {}});
    }
    return sub.peers[std::size_t(peer_of[std::size_t(r)])];
  };
  for (std::int32_t b : keep) {
    const int from = owner[std::size_t(b)];
    const bool mine = from == rank;
    for (int c = 0; c < B3; ++c) {
      const std::int64_t x = std::int64_t(b) * B3 + c;
      if (type[std::size_t(x)] != 1) continue;
      const std::int64_t here = two_lattice_slot(sub.local_cell(x), 0, Q);
      for (int q = 0; q < Q; ++q) {
        const std::int64_t y =
            kernels::neighbour_cell(nbr, x, q_dirs[q][0], q_dirs[q][1], q_dirs[q][2]);
        if (y / B3 >= nb || type[std::size_t(y)] != 1) continue;
        const int to = owner[std::size_t(y / B3)];
        if (mine && to != rank)
          peer(to).send.push_back(here + std::int64_t(q) * B3);
        else if (!mine && to == rank)
          peer(from).recv.push_back(here + std::int64_t(q) * B3);
      }
    }
  }
  // Whole bricks: an own brick goes to every rank that owns one of its neighbours; a halo brick
  // comes from its owner. Both in the whole lattice's order.
  for (std::size_t i = 0; i < keep.size(); ++i) {
    const std::int32_t b = keep[i];
    if (owner[std::size_t(b)] != rank) {
      peer(owner[std::size_t(b)]).recv_bricks.push_back(std::int32_t(i));
      continue;
    }
    std::vector<int> to;
    for (int s = 0; s < brick_neighbours; ++s) {
      const std::int32_t m = nbr[std::size_t(b) * brick_neighbours + s];
      if (m >= nb || owner[std::size_t(m)] == rank) continue;
      if (std::find(to.begin(), to.end(), owner[std::size_t(m)]) == to.end())
        to.push_back(owner[std::size_t(m)]);
    }
    for (int r : to) peer(r).send_bricks.push_back(std::int32_t(i));
  }
  std::sort(sub.peers.begin(), sub.peers.end(),
            [](const auto& a, const auto& b) { return a.rank < b.rank; });
  return sub;
}

}  // namespace hemotwin
