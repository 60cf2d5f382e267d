// The OpenMP stream-collide with kernels::Collide: BGK, TRT and the projected regularized
// collision, with or without a local viscosity.
#include "cpu_stream.hpp"

namespace hemotwin::cpu {

#define HEMOTWIN_INSTANTIATE(T, L)                            \
  template void stream_collide<T, L, kernels::Collide<T, L>>( \
      T*, T*, const SparseLattice&, const kernels::Collide<T, L>&, bool, bool, BrickList);
HEMOTWIN_INSTANTIATE(float, D3Q19)
HEMOTWIN_INSTANTIATE(double, D3Q19)
HEMOTWIN_INSTANTIATE(float, D3Q27)
HEMOTWIN_INSTANTIATE(double, D3Q27)
#undef HEMOTWIN_INSTANTIATE

}  // namespace hemotwin::cpu
