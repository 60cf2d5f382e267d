#pragma once
// Internal to hemotwin::core: a wall that moves along its normal (DomainSpec::moving_wall) as the
// engine keeps it (engine_moving.cpp). The lattice is laid once over the fluid of the sampled
// phases of the cycle (PhaseUnion); the band holds the cells whose links differ between those
// phases, and their neighbours: only they are retyped and relinked every step, the links of the
// other cells are built once.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hemotwin/core/moving_shapes.hpp"
#include "hemotwin/core/sparse_lattice.hpp"

namespace hemotwin::moving {

/// The fluid of any of the sampled phases (what the lattice's bricks are laid over). Only
/// contains() and contains_row() have a meaning: no link is built from it.
class PhaseUnion final : public Shape {
 public:
  explicit PhaseUnion(const MovingWallSpec& spec);
  bool contains(const Vec3& p) const override;
  double intersect(const Vec3&, const Vec3&) const override { return 2.0; }
  Eigen::AlignedBox3d bounds() const override { return bounds_; }
  void contains_row(const Vec3& start, double step, int n, std::uint8_t* out) const override;

 private:
  std::vector<std::shared_ptr<const Shape>> phases_;
  Eigen::AlignedBox3d bounds_;
};

/// The phases sampled over the cycle, evenly from `start` (2 to 64). Throws hemotwin::Error for
/// a spec without a shape, a time step that is not positive or a sample count out of range.
std::vector<double> sample_times(const MovingWallSpec& spec);

/// `spec` with its shape replaced by the union of the moving wall's sampled phases.
DomainSpec union_spec(const DomainSpec& spec);

/// Whether p lies beyond an iolet's plane within its reach (cut off the fluid), and whether it is
/// fluid for `shape` with those cuts, as SparseLattice lays it.
bool cut_off(const std::vector<IoletPlane>& iolets, const Vec3& p);
bool fluid_at(const Shape& shape, const std::vector<IoletPlane>& iolets, const Vec3& p);
/// Whether stored cell `cell` is fluid for `shape` (within the spec's extent, not cut off).
bool fluid_cell(const Shape& shape, const DomainSpec& spec, const SparseLattice& lattice,
                std::int64_t cell);

struct Band {
  std::vector<std::int64_t> cells;  // increasing
  std::vector<std::uint8_t> in;     // per stored cell: 1 in the band
};

/// The band of `lattice` (laid over union_spec(spec), its cell types the union's): the cells
/// whose type, or whose links' kinds or q, differ between the sampled phases, and every cell next
/// to one of them.
template <class L>
Band find_band(const SparseLattice& lattice, const DomainSpec& spec);

/// "(x, y, z) at t = T", for messages.
std::string where(const Vec3& p, double t);

/// The band's cells whose type at `shape`'s time differs from the lattice's, each list
/// increasing.
struct Flips {
  std::vector<std::int64_t> covered, uncovered;  // fluid turned solid, and solid turned fluid
  bool empty() const { return covered.empty() && uncovered.empty(); }
};

/// Finds the flips. `whole`: every band cell is tried (after a jump in time: the start, a
/// restore); otherwise the front's cells, and, from each cell that flips, its neighbours in turn
/// (a wall moving continuously reaches a cell through its neighbours). `seen`: scratch, one
/// entry per stored cell, all 0 (left so). Throws hemotwin::Error when a cell flips next to one
/// outside the band (the wall went beyond the phases sampled; t and `phases` name it).
Flips find_flips(const Shape& shape, const DomainSpec& spec, const SparseLattice& lattice,
                 const Band& band, std::span<const std::int64_t> front, bool whole,
                 std::vector<std::uint8_t>& seen, double t, int phases);

/// The band's cells with a neighbour (of 26) of the other type, where the wall is now, among
/// those of the last front, the cells that flipped and their neighbours. Increasing.
std::vector<std::int64_t> front_of(const SparseLattice& lattice, const Band& band,
                                   std::span<const std::int64_t> front, const Flips& flips);

/// What the engine keeps of a moving wall.
struct State {
  DomainSpec domain;  // the spec, its shape the wall's at the last relink
  Band band;
  std::vector<std::int64_t> front;  // front_of the band at the last relink
  std::vector<std::uint8_t> seen;   // find_flips' scratch
  std::int64_t relinks = 0;
  std::vector<Vec3> momentum;            // the band's wall links' momentum at the last relink
  std::vector<double> coord_max;         // build_links' scale of raw profile coordinates
  std::size_t static_links = 0;          // the links outside the band come first in links_
  std::vector<IoletSlab> all_slabs;      // the slabs over every cell that is fluid at some phase
  std::vector<std::uint8_t> slab_moves;  // per slab: it holds band cells
  double exchanged_mass = 0;             // taken out by covering cells, less put in by refilling
  std::int64_t covered = 0, uncovered = 0;
  const MovingWallSpec& spec() const { return domain.moving_wall; }
  double time(std::int64_t step) const { return spec().start + double(step) * spec().time_step; }
};

/// Slab `all` without the cells that are not fluid now, its area their weights' sum.
IoletSlab fluid_part(const IoletSlab& all, const SparseLattice& lattice);

}  // namespace hemotwin::moving
