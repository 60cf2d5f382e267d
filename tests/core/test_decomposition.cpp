// Splitting the bricks between processes, without running any (the MPI runs are in
// tests/parallel): the Hilbert curve, the balance of the cut, and the halo lists both sides of
// every cut must agree on.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <set>

#include "hemotwin/core/decomposition.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/lattice.hpp"
#include "hemotwin/core/shapes.hpp"

using namespace hemotwin;

namespace {

DomainSpec bent_vessel() {
  // A long pipe oblique to every axis: bricks of every fill, which a cut along one axis would
  // not balance.
  auto shape =
      std::make_shared<PipeShape>(Vec3(4.2, 6.1, 5.3), Vec3(1, 0.45, 0.3).normalized(), 6.3, 90);
  return DomainSpec::around(shape, 1.0, 2);
}

std::vector<std::array<int, 3>> directions() {
  std::vector<std::array<int, 3>> d;
  for (int q = 0; q < D3Q19::Q; ++q) d.push_back({D3Q19::c[q][0], D3Q19::c[q][1], D3Q19::c[q][2]});
  return d;
}

}  // namespace

TEST(Hilbert, VisitsEveryPointOnceThroughFaceNeighbours) {
  constexpr int bits = 3, n = 1 << bits;
  std::map<std::uint64_t, std::array<int, 3>> along;
  for (int z = 0; z < n; ++z)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x)
        along[hilbert_index(std::uint32_t(x), std::uint32_t(y), std::uint32_t(z), bits)] = {x, y,
                                                                                            z};
  ASSERT_EQ(along.size(), std::size_t(n * n * n));
  EXPECT_EQ(along.begin()->first, 0u);
  EXPECT_EQ(along.rbegin()->first, std::uint64_t(n * n * n - 1));
  const std::array<int, 3>* last = nullptr;
  for (const auto& [h, p] : along) {
    if (last) {
      const int step =
          std::abs(p[0] - (*last)[0]) + std::abs(p[1] - (*last)[1]) + std::abs(p[2] - (*last)[2]);
      ASSERT_EQ(step, 1) << "at index " << h;
    }
    last = &p;
  }
}

TEST(Partition, BalancesTheCostWithinOneBrick) {
  const SparseLattice lat(bent_vessel());
  const auto cost = brick_costs(lat, {}, BrickCost{});
  const double total = std::accumulate(cost.begin(), cost.end(), 0.0);
  const double biggest = *std::max_element(cost.begin(), cost.end());
  for (int ranks : {1, 2, 3, 5, 8, 13}) {
    const auto owner = partition_bricks(lat, cost, ranks);
    std::vector<double> load(std::size_t(ranks), 0.0);
    for (std::size_t b = 0; b < owner.size(); ++b) load[std::size_t(owner[b])] += cost[b];
    for (int r = 0; r < ranks; ++r) {
      EXPECT_GT(load[std::size_t(r)], 0) << "rank " << r << " of " << ranks << " got no fluid";
      EXPECT_LE(std::abs(load[std::size_t(r)] - total / ranks), biggest)
          << "rank " << r << " of " << ranks;
    }
  }
}

TEST(Partition, RefusesMoreRanksThanBricksWithFluid) {
  const SparseLattice lat(bent_vessel());
  const auto cost = brick_costs(lat, {}, BrickCost{});
  const auto working = std::count_if(cost.begin(), cost.end(), [](double c) { return c > 0; });
  EXPECT_NO_THROW(partition_bricks(lat, cost, int(working)));
  try {
    partition_bricks(lat, cost, int(working) + 1);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(working) + " bricks"), std::string::npos)
        << e.what();
  }
}

TEST(Subdomain, BothSidesOfEveryCutListTheSamePopulations) {
  const SparseLattice lat(bent_vessel());
  const auto cost = brick_costs(lat, {}, BrickCost{});
  constexpr int ranks = 5;
  const auto owner = partition_bricks(lat, cost, ranks);
  const auto dirs = directions();
  std::vector<Subdomain> subs;
  for (int r = 0; r < ranks; ++r) subs.push_back(make_subdomain(lat, owner, r, dirs));
  const auto summary = summarise_partition(lat, owner, cost, dirs);
  // A slot of a rank's share as (cell of the whole lattice, direction).
  auto global = [](const Subdomain& s, std::int64_t slot) {
    const std::int64_t brick = slot / (std::int64_t(D3Q19::Q) * brick_cells);
    const int q = int(slot / brick_cells % D3Q19::Q);
    return std::pair(s.global_cell(brick * brick_cells + slot % brick_cells), q);
  };
  std::int64_t owned = 0;
  for (int a = 0; a < ranks; ++a) {
    const auto& sa = subs[std::size_t(a)];
    owned += sa.lattice->fluid_cells();
    EXPECT_EQ(sa.lattice->fluid_cells(), summary.fluid_cells[std::size_t(a)]);
    std::int64_t received = 0;
    ASSERT_EQ(summary.halo_from[std::size_t(a)].size(), sa.peers.size());
    for (const auto& p : sa.peers) {
      received += std::int64_t(p.recv.size());
      const auto& from = summary.halo_from[std::size_t(a)];
      const auto entry =
          std::find_if(from.begin(), from.end(), [&](const auto& e) { return e.first == p.rank; });
      ASSERT_NE(entry, from.end()) << a << " receives from " << p.rank << " unsummarised";
      EXPECT_EQ(entry->second, std::int64_t(p.recv.size()));
      const auto& sb = subs[std::size_t(p.rank)];
      const auto back = std::find_if(sb.peers.begin(), sb.peers.end(),
                                     [&](const auto& x) { return x.rank == a; });
      ASSERT_NE(back, sb.peers.end())
          << a << " receives from " << p.rank << ", which sends nothing";
      ASSERT_EQ(back->send.size(), p.recv.size());
      ASSERT_EQ(back->send_bricks.size(), p.recv_bricks.size());
      for (std::size_t k = 0; k < p.recv_bricks.size(); ++k)
        ASSERT_EQ(sa.global_brick[std::size_t(p.recv_bricks[k])],
                  sb.global_brick[std::size_t(back->send_bricks[k])]);
      for (std::size_t k = 0; k < p.recv.size(); ++k) {
        const auto got = global(sa, p.recv[k]);
        ASSERT_EQ(got, global(sb, back->send[k]))
            << "slot " << k << " from " << p.rank << " to " << a;
        // It streams into a fluid cell rank a owns; it is sent from one rank b owns.
        EXPECT_EQ(owner[std::size_t(got.first / brick_cells)], p.rank);
      }
    }
    EXPECT_EQ(received, summary.halo_values[std::size_t(a)]);
    EXPECT_EQ(int(sa.peers.size()), summary.neighbours[std::size_t(a)]);
  }
  EXPECT_EQ(owned, lat.fluid_cells());
  EXPECT_LT(summary.imbalance, 0.1);
}
