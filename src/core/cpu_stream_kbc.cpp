// The OpenMP stream-collide with the entropic KBC collision (kernels::CollideKbc, D3Q27 only).
#include "cpu_stream.hpp"
#include "hemotwin/core/kbc.hpp"

namespace hemotwin::cpu {

template void stream_collide<float, D3Q27, kernels::CollideKbc<float, D3Q27>>(
    float*, float*, const SparseLattice&, const kernels::CollideKbc<float, D3Q27>&, bool, bool, BrickList);
template void stream_collide<double, D3Q27, kernels::CollideKbc<double, D3Q27>>(
    double*, double*, const SparseLattice&, const kernels::CollideKbc<double, D3Q27>&, bool, bool, BrickList);

}  // namespace hemotwin::cpu
