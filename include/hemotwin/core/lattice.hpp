#pragma once
// Velocity sets as constexpr descriptors. Opposites and moments are derived, and the invariants
// (weights sum to one, isotropy up to fourth order, opposites) are checked at compile time below
// and in tests/test_lattice.cpp.
#include <array>
#include <cstdint>

#include "hemotwin/core/config.hpp"

namespace hemotwin {

namespace detail {
template <int Q>
constexpr std::array<int, Q> derive_opposites(const int (&c)[Q][3]) {
  std::array<int, Q> opp{};
  for (int i = 0; i < Q; ++i) {
    opp[i] = -1;
    for (int j = 0; j < Q; ++j)
      if (c[j][0] == -c[i][0] && c[j][1] == -c[i][1] && c[j][2] == -c[i][2]) opp[i] = j;
  }
  return opp;
}
}  // namespace detail

/// D3Q19: rest, 6 faces, 12 edges.
struct D3Q19 {
  static constexpr int Q = 19;
  static constexpr const char* name = "D3Q19";
  static constexpr int c[Q][3] = {{0, 0, 0},  {1, 0, 0},   {-1, 0, 0},  {0, 1, 0},   {0, -1, 0},
                                  {0, 0, 1},  {0, 0, -1},  {1, 1, 0},   {-1, -1, 0}, {1, -1, 0},
                                  {-1, 1, 0}, {1, 0, 1},   {-1, 0, -1}, {1, 0, -1},  {-1, 0, 1},
                                  {0, 1, 1},  {0, -1, -1}, {0, 1, -1},  {0, -1, 1}};
  static constexpr double w[Q] = {1.0 / 3,  1.0 / 18, 1.0 / 18, 1.0 / 18, 1.0 / 18,
                                  1.0 / 18, 1.0 / 18, 1.0 / 36, 1.0 / 36, 1.0 / 36,
                                  1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36,
                                  1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36};
  static constexpr std::array<int, Q> opposite = detail::derive_opposites<Q>(c);
};

/// D3Q27: rest, 6 faces, 12 edges, 8 corners.
struct D3Q27 {
  static constexpr int Q = 27;
  static constexpr const char* name = "D3Q27";
  static constexpr int c[Q][3] = {
      {0, 0, 0},  {1, 0, 0},   {-1, 0, 0},  {0, 1, 0},   {0, -1, 0}, {0, 0, 1},   {0, 0, -1},
      {1, 1, 0},  {-1, -1, 0}, {1, -1, 0},  {-1, 1, 0},  {1, 0, 1},  {-1, 0, -1}, {1, 0, -1},
      {-1, 0, 1}, {0, 1, 1},   {0, -1, -1}, {0, 1, -1},  {0, -1, 1}, {1, 1, 1},   {-1, -1, -1},
      {1, 1, -1}, {-1, -1, 1}, {1, -1, 1},  {-1, 1, -1}, {-1, 1, 1}, {1, -1, -1}};
  static constexpr double w[Q] = {8.0 / 27,  2.0 / 27,  2.0 / 27,  2.0 / 27,  2.0 / 27,  2.0 / 27,
                                  2.0 / 27,  1.0 / 54,  1.0 / 54,  1.0 / 54,  1.0 / 54,  1.0 / 54,
                                  1.0 / 54,  1.0 / 54,  1.0 / 54,  1.0 / 54,  1.0 / 54,  1.0 / 54,
                                  1.0 / 54,  1.0 / 216, 1.0 / 216, 1.0 / 216, 1.0 / 216, 1.0 / 216,
                                  1.0 / 216, 1.0 / 216, 1.0 / 216};
  static constexpr std::array<int, Q> opposite = detail::derive_opposites<Q>(c);
};

/// Lattice speed of sound squared, 1/3 for both sets.
inline constexpr double cs2 = 1.0 / 3.0;

/// Index of a brick-neighbour offset (dx, dy, dz in -1..1) in the 27-entry neighbour table.
HEMOTWIN_HD constexpr int neighbour_slot(int dx, int dy, int dz) {
  return (dx + 1) + 3 * (dy + 1) + 9 * (dz + 1);
}

namespace detail {
template <class L>
constexpr bool opposites_valid() {
  for (int i = 0; i < L::Q; ++i)
    if (L::opposite[i] < 0 || L::opposite[L::opposite[i]] != i) return false;
  return true;
}
}  // namespace detail
static_assert(detail::opposites_valid<D3Q19>());
static_assert(detail::opposites_valid<D3Q27>());

enum class LatticeKind { D3Q19, D3Q27 };
enum class Precision { Float, Double };

}  // namespace hemotwin
