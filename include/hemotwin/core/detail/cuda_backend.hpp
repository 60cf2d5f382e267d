#pragma once
// Entry points of the CUDA backend. Defined in kernels/*.cu (launches) and
// src/core/cuda_runtime.cpp (memory, devices) when the build has CUDA; the engine calls them only
// then.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hemotwin/core/kernels.hpp"

namespace hemotwin::cuda {

struct StreamArgs {
  const std::int32_t* neighbours;
  const std::uint8_t* cell_type;
  std::int32_t bricks;                      // how many bricks the launch updates
  const std::int32_t* brick_list = nullptr;  // which (device memory); null: 0 .. bricks - 1
};

int device_count() noexcept;
std::string device_name(int device);
/// Makes `device` the current device of this host thread (one process per GPU).
void set_device(int device);
void* allocate(std::size_t bytes);
void release(void* p) noexcept;
void copy_to_device(void* dst, const void* src, std::size_t bytes);
void copy_to_host(void* dst, const void* src, std::size_t bytes);
void synchronize();
/// Measured device-memory bandwidth, bytes read plus written per second: the best of five
/// device-to-device copies of `bytes` (the roofline of the benchmarks).
double copy_bandwidth(std::size_t bytes);

/// One two-lattice step with the collision functor `collide` (kernels::Collide,
/// kernels::CollideCumulant): instantiated per collision family in kernels/*.cu.
template <class T, class L, class Op>
void stream_collide(const T* src, T* dst, const StreamArgs& args, const Op& collide);
/// One step of the AA pattern in place: the odd step (pull from opposite slots of the
/// neighbours, push to the neighbours) when `odd`, else the cell-local even step.
template <class T, class L, class Op>
void stream_collide_aa(T* f, const StreamArgs& args, const Op& collide, bool odd);
template <class T>
void apply_links(const kernels::ApplyLinearLinks<T>& op, std::int64_t links);
template <class T, class L>
void apply_links(const kernels::ApplyPressureLinks<T, L>& op, std::int64_t links);
template <class T>
void restore_wall_mass(const kernels::RestoreWallMass<T>& op, std::int64_t cells);
template <class T, class L>
void sponge(const kernels::SpongeCells<T, L>& op, std::int64_t cells);
template <class T, class L>
kernels::CellSummary summarise(const kernels::SummariseCell<T, L>& op, std::int64_t cells);
template <class T, class L>
kernels::FlowSample sample_iolet(const kernels::SampleIoletCell<T, L>& op, std::int64_t cells);
/// Halo exchange: out[k] = f[slot[k]], and f[slot[k]] = in[k], k < n (device memory).
template <class T>
void gather_slots(const T* f, const std::int64_t* slot, T* out, std::int64_t n);
template <class T>
void scatter_slots(T* f, const std::int64_t* slot, const T* in, std::int64_t n);
template <class T, class L>
void fill_equilibrium(T* f, const double* rho, const double* u, std::int64_t cells);

}  // namespace hemotwin::cuda
