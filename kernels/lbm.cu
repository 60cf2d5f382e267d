// CUDA launches of the shared physics functors (include/hemotwin/core/kernels.hpp). No physics is
// written here: only the mapping of bricks to blocks and cells to threads, and the reductions
// through Thrust/CUB.
#include <cuda_runtime.h>
#include <thrust/execution_policy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

#include "hemotwin/core/detail/cuda_backend.hpp"
#include "hemotwin/core/error.hpp"

namespace hemotwin::cuda {
namespace {
using kernels::B;
using kernels::B3;

void check_launch(const char* what) {
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
template <class T, class L>
__global__ void __launch_bounds__(B3)
    stream_collide_kernel(const T* __restrict__ src, T* __restrict__ dst, StreamArgs args,
                          kernels::Collide<T, L> collide) {
  const std::int32_t b = blockIdx.x;
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
template <class T, class L, bool Odd>
__global__ void __launch_bounds__(B3)
    aa_kernel(T* __restrict__ f, StreamArgs args, kernels::Collide<T, L> collide) {
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

template <class Op>
__global__ void for_each_kernel(Op op, std::int64_t n) {
  const std::int64_t i = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) op(i);
}

template <class T, class L>
__global__ void equilibrium_kernel(T* f, const double* rho, const double* u, std::int64_t cells) {
  const std::int64_t c = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (c >= cells) return;
  T uu[3] = {T(u[3 * c]), T(u[3 * c + 1]), T(u[3 * c + 2])};
  T pop[L::Q];
  kernels::equilibrium<T, L>(T(rho[c]), uu, pop);
  const std::int64_t base = c / B3 * L::Q * B3 + c % B3;
  for (int q = 0; q < L::Q; ++q) f[base + std::int64_t(q) * B3] = pop[q];
}
}  // namespace

template <class T, class L>
void stream_collide(const T* src, T* dst, const StreamArgs& args,
                    const kernels::Collide<T, L>& collide) {
  if (args.bricks == 0) return;
  stream_collide_kernel<T, L><<<args.bricks, B3>>>(src, dst, args, collide);
  check_launch("stream_collide");
}

template <class T, class L>
void stream_collide_aa(T* f, const StreamArgs& args, const kernels::Collide<T, L>& collide,
                       bool odd) {
  if (args.bricks == 0) return;
  if (odd)
    aa_kernel<T, L, true><<<args.bricks, B3>>>(f, args, collide);
  else
    aa_kernel<T, L, false><<<args.bricks, B3>>>(f, args, collide);
  check_launch("stream_collide_aa");
}

template <class Op>
void for_each(const Op& op, std::int64_t n, const char* what) {
  if (n == 0) return;
  constexpr int threads = 256;
  for_each_kernel<<<unsigned((n + threads - 1) / threads), threads>>>(op, n);
  check_launch(what);
}

template <class T>
void apply_links(const kernels::ApplyLinearLinks<T>& op, std::int64_t links) {
  for_each(op, links, "apply_links (walls, inlets)");
}

template <class T, class L>
void apply_links(const kernels::ApplyPressureLinks<T, L>& op, std::int64_t links) {
  for_each(op, links, "apply_links (outlets)");
}

template <class T>
void restore_wall_mass(const kernels::RestoreWallMass<T>& op, std::int64_t cells) {
  for_each(op, cells, "restore_wall_mass");
}

template <class T, class L>
void sponge(const kernels::SpongeCells<T, L>& op, std::int64_t cells) {
  for_each(op, cells, "sponge");
}

template <class T, class L>
kernels::CellSummary summarise(const kernels::SummariseCell<T, L>& op, std::int64_t cells) {
  return thrust::transform_reduce(thrust::device, thrust::counting_iterator<std::int64_t>(0),
                                  thrust::counting_iterator<std::int64_t>(cells), op,
                                  kernels::CellSummary::identity(), kernels::CombineSummary{});
}

template <class T, class L>
kernels::FlowSample sample_iolet(const kernels::SampleIoletCell<T, L>& op, std::int64_t cells) {
  return thrust::transform_reduce(thrust::device, thrust::counting_iterator<std::int64_t>(0),
                                  thrust::counting_iterator<std::int64_t>(cells), op,
                                  kernels::FlowSample{0.0, 0.0},
                                  thrust::plus<kernels::FlowSample>());
}

template <class T, class L>
void fill_equilibrium(T* f, const double* rho, const double* u, std::int64_t cells) {
  constexpr int threads = 256;
  equilibrium_kernel<T, L>
      <<<unsigned((cells + threads - 1) / threads), threads>>>(f, rho, u, cells);
  check_launch("fill_equilibrium");
}

#define HEMOTWIN_INSTANTIATE(T, L)                                                            \
  template void stream_collide<T, L>(const T*, T*, const StreamArgs&,                         \
                                     const kernels::Collide<T, L>&);                          \
  template void apply_links<T, L>(const kernels::ApplyPressureLinks<T, L>&, std::int64_t);    \
  template void stream_collide_aa<T, L>(T*, const StreamArgs&, const kernels::Collide<T, L>&, \
                                        bool);                                                \
  template kernels::CellSummary summarise<T, L>(const kernels::SummariseCell<T, L>&,          \
                                                std::int64_t);                                \
  template kernels::FlowSample sample_iolet<T, L>(const kernels::SampleIoletCell<T, L>&,      \
                                                  std::int64_t);                              \
  template void fill_equilibrium<T, L>(T*, const double*, const double*, std::int64_t);       \
  template void sponge<T, L>(const kernels::SpongeCells<T, L>&, std::int64_t);
template void apply_links<float>(const kernels::ApplyLinearLinks<float>&, std::int64_t);
template void apply_links<double>(const kernels::ApplyLinearLinks<double>&, std::int64_t);
template void restore_wall_mass<float>(const kernels::RestoreWallMass<float>&, std::int64_t);
template void restore_wall_mass<double>(const kernels::RestoreWallMass<double>&, std::int64_t);
HEMOTWIN_INSTANTIATE(float, D3Q19)
HEMOTWIN_INSTANTIATE(double, D3Q19)
HEMOTWIN_INSTANTIATE(float, D3Q27)
HEMOTWIN_INSTANTIATE(double, D3Q27)
#undef HEMOTWIN_INSTANTIATE

}  // namespace hemotwin::cuda
