// CUDA launches of the shared physics functors (include/hemotwin/core/kernels.hpp). No physics is
// written here: only the mapping of bricks to blocks and cells to threads, and the reductions
// through Thrust/CUB.
#include <cuda_runtime.h>
#include <thrust/execution_policy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

#include "hemotwin/core/detail/cuda_backend.hpp"
#include "hemotwin/core/error.hpp"
#include "stream.cuh"

namespace hemotwin::cuda {
namespace {
using kernels::B;
using kernels::B3;

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

template <class Op>
void for_each(const Op& op, std::int64_t n, const char* what) {
  if (n == 0) return;
  constexpr int threads = 256;
  for_each_kernel<<<unsigned((n + threads - 1) / threads), threads>>>(op, n);
  detail::check_launch(what);
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
  detail::check_launch("fill_equilibrium");
}

namespace {
template <class T>
struct GatherSlots {
  const T* f;
  const std::int64_t* slot;
  T* out;
  __device__ void operator()(std::int64_t k) const { out[k] = f[slot[k]]; }
};
template <class T>
struct ScatterSlots {
  T* f;
  const std::int64_t* slot;
  const T* in;
  __device__ void operator()(std::int64_t k) const { f[slot[k]] = in[k]; }
};
}  // namespace

template <class T>
void gather_slots(const T* f, const std::int64_t* slot, T* out, std::int64_t n) {
  for_each(GatherSlots<T>{f, slot, out}, n, "gather_slots (halo)");
}

template <class T>
void scatter_slots(T* f, const std::int64_t* slot, const T* in, std::int64_t n) {
  for_each(ScatterSlots<T>{f, slot, in}, n, "scatter_slots (halo)");
}

#define HEMOTWIN_INSTANTIATE(T, L)                                                            \
  template void stream_collide<T, L, kernels::Collide<T, L>>(const T*, T*, const StreamArgs&, \
                                                             const kernels::Collide<T, L>&);  \
  template void apply_links<T, L>(const kernels::ApplyPressureLinks<T, L>&, std::int64_t);    \
  template void stream_collide_aa<T, L, kernels::Collide<T, L>>(                              \
      T*, const StreamArgs&, const kernels::Collide<T, L>&, bool);                            \
  template kernels::CellSummary summarise<T, L>(const kernels::SummariseCell<T, L>&,          \
                                                std::int64_t);                                \
  template kernels::FlowSample sample_iolet<T, L>(const kernels::SampleIoletCell<T, L>&,      \
                                                  std::int64_t);                              \
  template void fill_equilibrium<T, L>(T*, const double*, const double*, std::int64_t);       \
  template void sponge<T, L>(const kernels::SpongeCells<T, L>&, std::int64_t);
template void apply_links<float>(const kernels::ApplyLinearLinks<float>&, std::int64_t);
template void apply_links<double>(const kernels::ApplyLinearLinks<double>&, std::int64_t);
template void gather_slots<float>(const float*, const std::int64_t*, float*, std::int64_t);
template void gather_slots<double>(const double*, const std::int64_t*, double*, std::int64_t);
template void scatter_slots<float>(float*, const std::int64_t*, const float*, std::int64_t);
template void scatter_slots<double>(double*, const std::int64_t*, const double*, std::int64_t);
template void restore_wall_mass<float>(const kernels::RestoreWallMass<float>&, std::int64_t);
template void restore_wall_mass<double>(const kernels::RestoreWallMass<double>&, std::int64_t);
HEMOTWIN_INSTANTIATE(float, D3Q19)
HEMOTWIN_INSTANTIATE(double, D3Q19)
HEMOTWIN_INSTANTIATE(float, D3Q27)
HEMOTWIN_INSTANTIATE(double, D3Q27)
#undef HEMOTWIN_INSTANTIATE

}  // namespace hemotwin::cuda
