#pragma once
// Entry point of the OpenMP stream-collide (defined in cpu_stream.hpp, instantiated per collision
// family in cpu_stream_*.cpp). Internal to hemotwin::core.
#include "hemotwin/core/sparse_lattice.hpp"

namespace hemotwin::cpu {

/// The bricks a two-lattice step updates: list[0 .. count), or bricks 0 .. count - 1 when `list`
/// is null (the whole lattice).
struct BrickList {
  const std::int32_t* list = nullptr;
  std::int32_t count = 0;
  std::int32_t operator[](std::int32_t k) const { return list ? list[k] : k; }
};

/// One stream-collide step on the CPU with the collision functor `collide`. Two-lattice scheme:
/// pulls from `src` into `dst`, with non-temporal stores when `streaming`. AA pattern (`dst` is
/// null): in place in `src`, the odd step (pull from the neighbours' opposite slots, push to the
/// neighbours) when `odd`, else the cell-local even step. `bricks`: the two-lattice scheme
/// updates those only (one rank's border or inner bricks); the AA pattern updates every brick.
template <class T, class L, class Op>
void stream_collide(T* src, T* dst, const SparseLattice& lat, const Op& collide, bool streaming,
                    bool odd, BrickList bricks);

}  // namespace hemotwin::cpu
