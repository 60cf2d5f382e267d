// CUDA launches of the entropic KBC collision (kernels::CollideKbc, D3Q27): the stream-collide
// kernels of stream.cuh instantiated for it.
#include "hemotwin/core/kbc.hpp"
#include "stream.cuh"

namespace hemotwin::cuda {

#define HEMOTWIN_INSTANTIATE(T)                                               \
  template void stream_collide<T, D3Q27, kernels::CollideKbc<T, D3Q27>>(      \
      const T*, T*, const StreamArgs&, const kernels::CollideKbc<T, D3Q27>&); \
  template void stream_collide_aa<T, D3Q27, kernels::CollideKbc<T, D3Q27>>(   \
      T*, const StreamArgs&, const kernels::CollideKbc<T, D3Q27>&, bool);
HEMOTWIN_INSTANTIATE(float)
HEMOTWIN_INSTANTIATE(double)
#undef HEMOTWIN_INSTANTIATE

}  // namespace hemotwin::cuda
