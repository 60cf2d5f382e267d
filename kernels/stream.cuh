#pragma once
// The stream-collide launches, templated on the collision functor (kernels::Collide,
// kernels::CollideCumulant, ...). Included by one .cu file per collision family, which
// instantiates cuda::stream_collide and cuda::stream_collide_aa for its functors. No physics here:
// only the mapping of bricks to blocks and cells to threads.
#include <cuda_runtime.h>

#include <string>

#include "hemotwin/core/detail/cuda_backend.hpp"
#include "hemotwin/core/error.hpp"

namespace hemotwin::cuda {
namespace detail {
using kernels::B;
using kernels::B3;

inline void check_launch(const char* what) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess)
    throw Error(std::string("CUDA launch of ") + what + " failed: " + cudaGetErrorString(e));
#ifndef NDEBUG
  const cudaError_t s = cudaDeviceSynchronize();
  if (s != cudaSuccess)
    throw Error(std::string("CUDA kernel ") + what + " failed: " + cudaGetErrorString(s));
#endif
}

// One block per brick, one thread per cell; each thread pulls its populations from the brick or
// its neighbours, collides and stores.
template <class T, class L, class Op>
__global__ void __launch_bounds__(B3)
    stream_collide_kernel(const T* __restrict__ src, T* __restrict__ dst, StreamArgs args,
                          Op collide) {
  const std::int32_t b = args.brick_list ? args.brick_list[blockIdx.x] : std::int32_t(blockIdx.x);
  const int cell = threadIdx.x;
  if (args.cell_type[std::int64_t(b) * B3 + cell] != 1) return;
  const int x = cell % B, y = (cell / B) % B, z = cell / (B * B);
  const std::int32_t* nb = args.neighbours + std::int64_t(b) * brick_neighbours;
  T f[L::Q];
  kernels::static_for<L::Q>([&](auto qc) {
    constexpr int q = qc;
    int sx = x - L::c[q][0], sy = y - L::c[q][1], sz = z - L::c[q][2];
    const int bx = (sx < 0) ? -1 : (sx >= B ? 1 : 0);
    const int by = (sy < 0) ? -1 : (sy >= B ? 1 : 0);
    const int bz = (sz < 0) ? -1 : (sz >= B ? 1 : 0);
    sx -= bx * B;
    sy -= by * B;
    sz -= bz * B;
    const std::int64_t nbk = nb[neighbour_slot(bx, by, bz)];
    f[q] = src[(nbk * L::Q + q) * B3 + sx + B * (sy + B * sz)];
  });
  collide(f);
#pragma unroll
  for (int q = 0; q < L::Q; ++q) dst[(std::int64_t(b) * L::Q + q) * B3 + cell] = f[q];
}

// The AA pattern, one thread per fluid cell. Even step: own slots in, own slots out with the
// directions swapped. Odd step: f_q(x) from (x - c_q, opposite(q)), f*_q(x) to (x + c_q, q). Each
// slot is read and written by one cell only, so the update in place is free of races.
template <class T, class L, bool Odd, class Op>
__global__ void __launch_bounds__(B3) aa_kernel(T* __restrict__ f, StreamArgs args, Op collide) {
  const std::int32_t b = blockIdx.x;
  const int cell = threadIdx.x;
  const std::int64_t self = std::int64_t(b) * B3 + cell;
  if (args.cell_type[self] != 1) return;
  T v[L::Q];
  if constexpr (Odd) {
    kernels::static_for<L::Q>([&](auto qc) {
      constexpr int q = qc;
      const std::int64_t from =
          kernels::neighbour_cell(args.neighbours, self, -L::c[q][0], -L::c[q][1], -L::c[q][2]);
      v[q] = f[kernels::slot<L>(from, kernels::opposite_dir(q))];
    });
  } else {
    kernels::static_for<L::Q>([&](auto qc) { v[qc] = f[kernels::slot<L>(self, int(qc))]; });
  }
  collide(v);
  if constexpr (Odd) {
    kernels::static_for<L::Q>([&](auto qc) {
      constexpr int q = qc;
      const std::int64_t to =
          kernels::neighbour_cell(args.neighbours, self, L::c[q][0], L::c[q][1], L::c[q][2]);
      f[kernels::slot<L>(to, q)] = v[q];
    });
  } else {
    kernels::static_for<L::Q>(
        [&](auto qc) { f[kernels::slot<L>(self, kernels::opposite_dir(int(qc)))] = v[qc]; });
  }
}

}  // namespace detail

template <class T, class L, class Op>
void stream_collide(const T* src, T* dst, const StreamArgs& args, const Op& collide) {
  if (args.bricks == 0) return;
  detail::stream_collide_kernel<T, L, Op><<<args.bricks, kernels::B3>>>(src, dst, args, collide);
  detail::check_launch("stream_collide");
}

template <class T, class L, class Op>
void stream_collide_aa(T* f, const StreamArgs& args, const Op& collide, bool odd) {
  if (args.bricks == 0) return;
  if (odd)
    detail::aa_kernel<T, L, true, Op><<<args.bricks, kernels::B3>>>(f, args, collide);
  else
    detail::aa_kernel<T, L, false, Op><<<args.bricks, kernels::B3>>>(f, args, collide);
  detail::check_launch("stream_collide_aa");
}

}  // namespace hemotwin::cuda
