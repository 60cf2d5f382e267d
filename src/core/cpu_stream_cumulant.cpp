// The OpenMP stream-collide with the cumulant collision (kernels::CollideCumulant, D3Q27 only).
#include "cpu_stream.hpp"
#include "hemotwin/core/cumulant.hpp"

namespace hemotwin::cpu {

template void stream_collide<float, D3Q27, kernels::CollideCumulant<float, D3Q27>>(
    float*, float*, const SparseLattice&, const kernels::CollideCumulant<float, D3Q27>&, bool,
    bool, BrickList);
template void stream_collide<double, D3Q27, kernels::CollideCumulant<double, D3Q27>>(
    double*, double*, const SparseLattice&, const kernels::CollideCumulant<double, D3Q27>&, bool,
    bool, BrickList);

}  // namespace hemotwin::cpu
