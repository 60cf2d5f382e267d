#pragma once
// The OpenMP stream-collide kernels, templated on the collision functor (kernels::Collide,
// kernels::CollideCumulant, ...): rows of a brick as SIMD vectors, the two-lattice pull and the
// AA pattern. Included by one small file per collision family (cpu_stream_*.cpp), each of which
// instantiates cpu::stream_collide for its functors, so the families compile in parallel.
// Internal to hemotwin::core.

// GCC 12's AVX-512 intrinsics (sqrt, max, shifts) start from _mm512_undefined_*(), a deliberate
// self-initialisation that -Wmaybe-uninitialized and, once the edge lanes are blended through
// kernels::blend, -Wuninitialized report wherever they are inlined: false positives.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#if defined(__SSE2__)
#include <immintrin.h>
#endif
#include <omp.h>

#include <cstdint>
#include <experimental/simd>
#include <type_traits>

#include "cpu_stream_api.hpp"
#include "hemotwin/core/kernels.hpp"
#include "hemotwin/core/sparse_lattice.hpp"

namespace hemotwin::cpu {
namespace detail {
namespace stdx = std::experimental;
using kernels::B;
using kernels::B3;

// The OpenMP stream-collide: one row of B cells along x at a time, as one SIMD vector of B lanes.
// The pull of direction q for a row reads one contiguous row shifted by -c_x: an unaligned load
// from the same brick, with the lane that crosses the brick face patched from the neighbour. The
// collision then runs on the vectors with the functor the GPU runs per thread.
// Stores one row of B values, 32- or 64-byte aligned (CacheAligned storage). A non-temporal store
// where the instruction set has one of this width: the destination is written whole and not read
// again this step, so fetching its lines first (read-for-ownership) would only cost bandwidth.
template <bool Streaming, class V, class T>
HEMOTWIN_INLINE void store_row(const V& v, T* p) {
#if defined(__AVX__)
  if constexpr (Streaming && std::is_same_v<T, float> && V::size() == 8) {
    _mm256_stream_ps(p, static_cast<__m256>(v));
    return;
  }
#endif
#if defined(__AVX512F__)
  if constexpr (Streaming && std::is_same_v<T, double> && V::size() == 8) {
    _mm512_stream_pd(p, static_cast<__m512d>(v));
    return;
  }
#endif
  v.copy_to(p, stdx::vector_aligned);
}

// The lanes of a row vector that cross the brick's x faces.
template <class V>
struct EdgeLanes {
  typename V::mask_type first, last;
  EdgeLanes() {
    V lane;
    for (int x = 0; x < int(V::size()); ++x) lane[x] = typename V::value_type(x);
    first = lane == V(0);
    last = lane == V(typename V::value_type(V::size() - 1));
  }
};

// Pulls direction q into row (y, z) of a brick: one contiguous row of this brick (or of the brick
// across a y or z face) shifted by -c_x, with the lane that crosses an x face patched from that
// neighbour. `base` holds the first population of the 27 neighbour bricks.
// `block` is the direction whose populations are read: q itself in the two-lattice scheme, its
// opposite in the odd step of the AA pattern.
template <class L, int q, class V, class T, int block = q>
HEMOTWIN_INLINE V pull_row(const T* const (&base)[brick_neighbours], int y, int z,
                           const EdgeLanes<V>& edge) {
  constexpr int cx = L::c[q][0], cy = L::c[q][1], cz = L::c[q][2];
  // Which brick the source row lies in: with c known at compile time each test is one comparison
  // (or none).
  const int by = (cy == 1 && y == 0) ? -1 : ((cy == -1 && y == B - 1) ? 1 : 0);
  const int bz = (cz == 1 && z == 0) ? -1 : ((cz == -1 && z == B - 1) ? 1 : 0);
  const int sy = y - cy - by * B, sz = z - cz - bz * B;
  const int row_off = block * B3 + B * (sy + B * sz);
  const T* row = base[neighbour_slot(0, by, bz)] + row_off;
  V v;
  if constexpr (cx == 0) {
    v.copy_from(row, stdx::element_aligned);
  } else if constexpr (cx == 1) {
    // Lanes 1..B-1 come from x-1 of this row; lane 0 from x = B-1 of the left brick.
    v.copy_from(row - 1, stdx::element_aligned);
    v = kernels::blend(edge.first, V(base[neighbour_slot(-1, by, bz)][row_off + B - 1]), v);
  } else {
    v.copy_from(row + 1, stdx::element_aligned);
    v = kernels::blend(edge.last, V(base[neighbour_slot(1, by, bz)][row_off]), v);
  }
  return v;
}

template <class T, class L, bool Streaming, class Op>
void cpu_stream_collide(const T* __restrict src, T* __restrict dst, const SparseLattice& lat,
                        const Op& collide, BrickList bricks) {
  // The native ABI for B lanes (one AVX2 register of floats), not fixed_size: the fixed-size ABI
  // keeps vectors in memory across the functor calls.
  using V = stdx::simd<T, stdx::simd_abi::deduce_t<T, B>>;
  const std::int32_t nb = bricks.count;
  const std::int32_t* neighbours = lat.neighbours().data();
  const std::uint8_t* rows = lat.row_has_fluid().data();
  const EdgeLanes<V> edge;
#pragma omp parallel
  {
    // Bricks hold different numbers of fluid rows in a vessel: hand them out in small chunks.
#pragma omp for schedule(dynamic, 16) nowait
    for (std::int32_t k = 0; k < nb; ++k) {
      const std::int32_t b = bricks[k];
      // The 27 neighbour bricks' first populations, once per brick.
      const T* base[brick_neighbours];
      const std::int32_t* n = neighbours + std::int64_t(b) * brick_neighbours;
      for (int k = 0; k < brick_neighbours; ++k) base[k] = src + std::int64_t(n[k]) * L::Q * B3;
      T* out_brick = dst + std::int64_t(b) * L::Q * B3;
      const std::uint8_t* brick_rows = rows + std::int64_t(b) * B * B;
      for (int z = 0; z < B; ++z) {
        for (int y = 0; y < B; ++y) {
          if (!brick_rows[y + B * z]) continue;
          V f[L::Q];
          kernels::static_for<L::Q>(
              [&](auto qc) { f[qc] = pull_row<L, int(qc), V>(base, y, z, edge); });
          collide(f);
          T* out = out_brick + B * (y + B * z);
          kernels::static_for<L::Q>([&](auto qc) {
            constexpr int q = qc;
            store_row<Streaming>(f[q], out + q * B3);
          });
        }
      }
    }
    // Streaming stores are weakly ordered: each thread fences its own before the region's barrier,
    // so the boundary pass sees them.
#if defined(__SSE2__)
    _mm_sfence();
#endif
  }
}

#if defined(__AVX512F__)
// Float on AVX-512: two adjacent rows (y, y + 1), y even, as one 16-lane vector.
using V8f = stdx::simd<float, stdx::simd_abi::deduce_t<float, B>>;
using V16f = stdx::simd<float, stdx::simd_abi::deduce_t<float, 2 * B>>;

struct PairLanes {
  // Lanes 0 and 8 (x = 0 of either row), lanes 7 and 15 (x = B - 1), separately and together.
  V16f::mask_type first_lo, first_hi, last_lo, last_hi, first, last;
  PairLanes() {
    V16f lane;
    for (int i = 0; i < 2 * B; ++i) lane[i] = float(i);
    first_lo = lane == V16f(0.0f);
    first_hi = lane == V16f(float(B));
    last_lo = lane == V16f(float(B - 1));
    last_hi = lane == V16f(float(2 * B - 1));
    first = first_lo || first_hi;
    last = last_lo || last_hi;
  }
};

HEMOTWIN_INLINE V16f join(const V8f& lo, const V8f& hi) {
  return V16f(_mm512_insertf32x8(_mm512_castps256_ps512(static_cast<__m256>(lo)),
                                 static_cast<__m256>(hi), 1));
}

// pull_row for rows y and y + 1 at once. Where both source rows lie in one brick (all but one
// pair of rows for directions with c_y != 0) they are adjacent in memory: one 16-lane load and two
// patched lanes instead of two 8-lane pulls.
template <class L, int q, int block = q>
HEMOTWIN_INLINE V16f pull_pair(const float* const (&base)[brick_neighbours], int y, int z,
                               const EdgeLanes<V8f>& edge, const PairLanes& pair) {
  constexpr int cx = L::c[q][0], cy = L::c[q][1], cz = L::c[q][2];
  if ((cy == 1 && y == 0) || (cy == -1 && y == B - 2))
    return join(pull_row<L, q, V8f, float, block>(base, y, z, edge),
                pull_row<L, q, V8f, float, block>(base, y + 1, z, edge));
  const int bz = (cz == 1 && z == 0) ? -1 : ((cz == -1 && z == B - 1) ? 1 : 0);
  const int sz = z - cz - bz * B;
  const int row_off = block * B3 + B * (y - cy + B * sz);
  const float* row = base[neighbour_slot(0, 0, bz)] + row_off;
  V16f v;
  if constexpr (cx == 0) {
    v.copy_from(row, stdx::element_aligned);
  } else if constexpr (cx == 1) {
    const float* left = base[neighbour_slot(-1, 0, bz)] + row_off;
    v.copy_from(row - 1, stdx::element_aligned);
    v = kernels::blend(pair.first_lo, V16f(left[B - 1]), v);
    v = kernels::blend(pair.first_hi, V16f(left[2 * B - 1]), v);
  } else {
    const float* right = base[neighbour_slot(1, 0, bz)] + row_off;
    v.copy_from(row + 1, stdx::element_aligned);
    v = kernels::blend(pair.last_lo, V16f(right[0]), v);
    v = kernels::blend(pair.last_hi, V16f(right[B]), v);
  }
  return v;
}
#endif

#if defined(__AVX512F__)
// Float on AVX-512: two rows (y, y + 1) of a brick at once, as one 16-lane vector. Each half is
// pulled as in the 8-lane kernel; the two rows are adjacent in the destination, so each store is
// one whole, aligned 64-byte line (and a streaming store writes it without reading it first).
template <class L, bool Streaming, class Op>
void cpu_stream_collide_pairs(const float* __restrict src, float* __restrict dst,
                              const SparseLattice& lat, const Op& collide, BrickList bricks) {
  static_assert(V16f::size() == 16, "two rows of 8 floats per AVX-512 vector");
  const std::int32_t nb = bricks.count;
  const std::int32_t* neighbours = lat.neighbours().data();
  const std::uint8_t* rows = lat.row_has_fluid().data();
  const EdgeLanes<V8f> edge;
  const PairLanes pair;
#pragma omp parallel
  {
#pragma omp for schedule(dynamic, 16) nowait
    for (std::int32_t k = 0; k < nb; ++k) {
      const std::int32_t b = bricks[k];
      const float* base[brick_neighbours];
      const std::int32_t* n = neighbours + std::int64_t(b) * brick_neighbours;
      for (int k = 0; k < brick_neighbours; ++k) base[k] = src + std::int64_t(n[k]) * L::Q * B3;
      float* out_brick = dst + std::int64_t(b) * L::Q * B3;
      const std::uint8_t* brick_rows = rows + std::int64_t(b) * B * B;
      for (int z = 0; z < B; ++z) {
        for (int y = 0; y < B; y += 2) {
          if (!brick_rows[y + B * z] && !brick_rows[y + 1 + B * z]) continue;
          V16f f[L::Q];
          kernels::static_for<L::Q>(
              [&](auto qc) { f[qc] = pull_pair<L, int(qc)>(base, y, z, edge, pair); });
          collide(f);
          float* out = out_brick + B * (y + B * z);
          kernels::static_for<L::Q>([&](auto qc) {
            constexpr int q = qc;
            if constexpr (Streaming)
              _mm512_stream_ps(out + q * B3, static_cast<__m512>(f[q]));
            else
              _mm512_store_ps(out + q * B3, static_cast<__m512>(f[q]));
          });
        }
      }
    }
    _mm_sfence();
  }
}
#endif

// The AA pattern (Bailey et al. 2009): one population array, updated in place, two kinds of step.
// Layouts and slots: kernels::Layout and docs/design-notes.md, "Streaming".

// Even step (Pushed -> Swapped): every population a cell needs is already in its own slots, so a
// row is loaded, collided and stored back into the same cache lines with the directions swapped.
// V holds one row (B lanes) or, for float on AVX-512, two adjacent rows (2B lanes).
template <class T, class L, class V, class Op>
void cpu_collide_swap(T* __restrict f, const SparseLattice& lat, const Op& collide) {
  constexpr int rows_per_vector = int(V::size()) / B;
  static_assert(rows_per_vector == 1 || rows_per_vector == 2);
  const std::int32_t nb = lat.brick_count();
  const std::uint8_t* rows = lat.row_has_fluid().data();
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int32_t b = 0; b < nb; ++b) {
    T* brick = f + std::int64_t(b) * L::Q * B3;
    const std::uint8_t* brick_rows = rows + std::int64_t(b) * B * B;
    for (int r = 0; r < B * B; r += rows_per_vector) {
      if (!brick_rows[r] && !brick_rows[r + rows_per_vector - 1]) continue;
      V v[L::Q];
      kernels::static_for<L::Q>(
          [&](auto qc) { v[qc].copy_from(brick + int(qc) * B3 + B * r, stdx::vector_aligned); });
      collide(v);
      kernels::static_for<L::Q>([&](auto qc) {
        v[qc].copy_to(brick + kernels::opposite_dir(int(qc)) * B3 + B * r, stdx::vector_aligned);
      });
    }
  }
}

// Stores f*_q of row (y, z) of a brick where the AA pattern's odd step puts it: at (x + c_q, q),
// i.e. into the row shifted by c_q, possibly in a neighbour brick, with the lane that crosses an x
// face stored alone into that neighbour. Nothing is written into the shared void brick: only solid
// cells (whose values nothing reads) push there, and several threads would.
template <class L, int q, class V, class T>
HEMOTWIN_INLINE void push_row(T* const (&base)[brick_neighbours], const T* void_brick, int y, int z,
                              const V& v, const EdgeLanes<V>& edge) {
  constexpr int cx = L::c[q][0], cy = L::c[q][1], cz = L::c[q][2];
  const int by = (cy == -1 && y == 0) ? -1 : ((cy == 1 && y == B - 1) ? 1 : 0);
  const int bz = (cz == -1 && z == 0) ? -1 : ((cz == 1 && z == B - 1) ? 1 : 0);
  const int ty = y + cy - by * B, tz = z + cz - bz * B;
  const int row_off = q * B3 + B * (ty + B * tz);
  T* row = base[neighbour_slot(0, by, bz)];
  if constexpr (cx == 0) {
    if (row != void_brick) v.copy_to(row + row_off, stdx::element_aligned);
  } else if constexpr (cx == 1) {
    // Lanes 0..B-2 move to x + 1 of this row; lane B-1 to x = 0 of the right brick.
    if (row != void_brick)
      stdx::where(!edge.last, v).copy_to(row + row_off + 1, stdx::element_aligned);
    T* right = base[neighbour_slot(1, by, bz)];
    if (right != void_brick) right[row_off] = v[B - 1];
  } else {
    if (row != void_brick)
      stdx::where(!edge.first, v).copy_to(row + row_off - 1, stdx::element_aligned);
    T* left = base[neighbour_slot(-1, by, bz)];
    if (left != void_brick) left[row_off + B - 1] = v[0];
  }
}

#if defined(__AVX512F__)
// push_row for rows y and y + 1 at once: one 16-lane store where both target rows lie in one
// brick, with the two lanes that cross an x face stored alone.
template <class L, int q>
HEMOTWIN_INLINE void push_pair(float* const (&base)[brick_neighbours], const float* void_brick,
                               int y, int z, const V16f& v, const EdgeLanes<V8f>& edge,
                               const PairLanes& pair) {
  constexpr int cx = L::c[q][0], cy = L::c[q][1], cz = L::c[q][2];
  if ((cy == -1 && y == 0) || (cy == 1 && y == B - 2)) {
    const __m512 w = static_cast<__m512>(v);
    push_row<L, q>(base, void_brick, y, z, V8f(_mm512_extractf32x8_ps(w, 0)), edge);
    push_row<L, q>(base, void_brick, y + 1, z, V8f(_mm512_extractf32x8_ps(w, 1)), edge);
    return;
  }
  const int bz = (cz == -1 && z == 0) ? -1 : ((cz == 1 && z == B - 1) ? 1 : 0);
  const int tz = z + cz - bz * B;
  const int row_off = q * B3 + B * (y + cy + B * tz);
  float* row = base[neighbour_slot(0, 0, bz)];
  if constexpr (cx == 0) {
    if (row != void_brick) v.copy_to(row + row_off, stdx::element_aligned);
  } else if constexpr (cx == 1) {
    if (row != void_brick)
      stdx::where(!pair.last, v).copy_to(row + row_off + 1, stdx::element_aligned);
    float* right = base[neighbour_slot(1, 0, bz)];
    if (right != void_brick) {
      right[row_off] = v[B - 1];
      right[row_off + B] = v[2 * B - 1];
    }
  } else {
    if (row != void_brick)
      stdx::where(!pair.first, v).copy_to(row + row_off - 1, stdx::element_aligned);
    float* left = base[neighbour_slot(-1, 0, bz)];
    if (left != void_brick) {
      left[row_off + B - 1] = v[0];
      left[row_off + 2 * B - 1] = v[B];
    }
  }
}
#endif

// Odd step (Swapped -> Pushed): f_q(x) is read from (x - c_q, opposite(q)), the pull of the
// two-lattice kernel from the opposite direction's block, and f*_q(x) is pushed to (x + c_q, q).
// Each slot is read and written by one cell only, so bricks run in parallel without races.
template <class T, class L, int RowsPerVector, class Op>
void cpu_stream_collide_push(T* f, const SparseLattice& lat, const Op& collide) {
  using V = stdx::simd<T, stdx::simd_abi::deduce_t<T, B>>;
  const std::int32_t nb = lat.brick_count();
  const std::int32_t* neighbours = lat.neighbours().data();
  const std::uint8_t* rows = lat.row_has_fluid().data();
  const T* void_brick = f + std::int64_t(lat.void_brick()) * L::Q * B3;
  const EdgeLanes<V> edge;
#if defined(__AVX512F__)
  const PairLanes pair;
#endif
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int32_t b = 0; b < nb; ++b) {
    T* base[brick_neighbours];
    const T* cbase[brick_neighbours];
    const std::int32_t* n = neighbours + std::int64_t(b) * brick_neighbours;
    for (int k = 0; k < brick_neighbours; ++k)
      cbase[k] = base[k] = f + std::int64_t(n[k]) * L::Q * B3;
    const std::uint8_t* brick_rows = rows + std::int64_t(b) * B * B;
    for (int z = 0; z < B; ++z) {
      for (int y = 0; y < B; y += RowsPerVector) {
        if (!brick_rows[y + B * z] && !brick_rows[y + RowsPerVector - 1 + B * z]) continue;
        if constexpr (RowsPerVector == 1) {
          V v[L::Q];
          kernels::static_for<L::Q>([&](auto qc) {
            v[qc] = pull_row<L, int(qc), V, T, kernels::opposite_dir(int(qc))>(cbase, y, z, edge);
          });
          collide(v);
          kernels::static_for<L::Q>(
              [&](auto qc) { push_row<L, int(qc)>(base, void_brick, y, z, v[qc], edge); });
        } else {
#if defined(__AVX512F__)
          static_assert(std::is_same_v<T, float> && RowsPerVector == 2);
          V16f v[L::Q];
          kernels::static_for<L::Q>([&](auto qc) {
            v[qc] = pull_pair<L, int(qc), kernels::opposite_dir(int(qc))>(cbase, y, z, edge, pair);
          });
          collide(v);
          kernels::static_for<L::Q>(
              [&](auto qc) { push_pair<L, int(qc)>(base, void_brick, y, z, v[qc], edge, pair); });
#endif
        }
      }
    }
  }
}

}  // namespace detail

template <class T, class L, class Op>
void stream_collide(T* src, T* dst, const SparseLattice& lat, const Op& collide, bool streaming,
                    bool odd, BrickList bricks) {
  using namespace detail;
  if (dst == nullptr) {  // the AA pattern, in place
#if defined(__AVX512F__)
    constexpr int rows = std::is_same_v<T, float> ? 2 : 1;
#else
    constexpr int rows = 1;
#endif
    using V = stdx::simd<T, stdx::simd_abi::deduce_t<T, rows * kernels::B>>;
    if (odd)
      cpu_stream_collide_push<T, L, rows>(src, lat, collide);
    else
      cpu_collide_swap<T, L, V>(src, lat, collide);
    return;
  }
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) {
    if (streaming)
      cpu_stream_collide_pairs<L, true>(src, dst, lat, collide, bricks);
    else
      cpu_stream_collide_pairs<L, false>(src, dst, lat, collide, bricks);
    return;
  }
#endif
  if (streaming)
    cpu_stream_collide<T, L, true>(src, dst, lat, collide, bricks);
  else
    cpu_stream_collide<T, L, false>(src, dst, lat, collide, bricks);
}

}  // namespace hemotwin::cpu
