// The CUDA backend through the split path (labels mpi and gpu; under mpirun with 1 and 2
// processes on one device, skipped where there is none): a Simulation split over the processes on
// the GPU against one process on the GPU (the same kernels on the same cells: bit for bit) and
// against the CPU (float, within 1e-5 of the largest value, as test_backends); and checkpoints
// that move between the backends on any number of processes (CPU -> CUDA and CUDA -> CPU), within
// the same round-off.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "hemotwin/core/simulation.hpp"
#include "mpi_test.hpp"
#include "split_pipe.hpp"

using namespace hemotwin;
using hemotwin::test::world;

namespace {

Case pipe(BackendKind backend) { return test::split_pipe(false, backend); }
using test::largest_difference;

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

constexpr double kFloatTolerance = 1e-5;

}  // namespace

TEST(MpiCuda, SplitOnTheGpuMatchesOneProcessOnTheGpuAndTheCpu) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  auto comm = world();
  auto split = Simulation::create(pipe(BackendKind::Cuda), comm);
  split->advance(60);
  const auto end = split->snapshot();
  if (comm->rank() != 0) return;
  auto gpu = Simulation::create(pipe(BackendKind::Cuda));
  gpu->advance(60);
  const auto gpu_end = gpu->snapshot();
  EXPECT_TRUE(same_bits(end.velocity, gpu_end.velocity))
      << "velocity differs by " << largest_difference(end.velocity, gpu_end.velocity) << " on "
      << comm->size() << " processes";
  EXPECT_TRUE(same_bits(end.pressure, gpu_end.pressure));
  auto cpu = Simulation::create(pipe(BackendKind::Cpu));
  cpu->advance(60);
  const auto cpu_end = cpu->snapshot();
  EXPECT_LE(largest_difference(end.velocity, cpu_end.velocity), kFloatTolerance);
  EXPECT_LE(largest_difference(end.pressure, cpu_end.pressure), kFloatTolerance);
}

TEST(MpiCuda, ACheckpointMovesBetweenCpuAndCudaOnAnyNumberOfProcesses) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  auto comm = world();
  // Reference: the CPU in one process throughout.
  std::unique_ptr<Simulation> cpu;
  if (comm->rank() == 0) {
    cpu = Simulation::create(pipe(BackendKind::Cpu));
    cpu->advance(30);
  }
  // CPU (split) -> CUDA (split), and CUDA (split) -> CPU (one process).
  auto on_cpu = Simulation::create(pipe(BackendKind::Cpu), comm);
  on_cpu->advance(30);
  const SimulationState from_cpu = on_cpu->state();
  auto to_gpu = Simulation::create(pipe(BackendKind::Cuda), comm);
  to_gpu->restore(from_cpu);
  EXPECT_EQ(to_gpu->step_count(), 30);
  to_gpu->advance(30);
  const auto gpu_end = to_gpu->snapshot();

  auto on_gpu = Simulation::create(pipe(BackendKind::Cuda), comm);
  on_gpu->advance(30);
  const SimulationState from_gpu = on_gpu->state();
  if (comm->rank() != 0) return;
  auto to_cpu = Simulation::create(pipe(BackendKind::Cpu));
  to_cpu->restore(from_gpu);
  to_cpu->advance(30);
  const auto cpu_end = to_cpu->snapshot();
  cpu->advance(30);
  const auto reference = cpu->snapshot();
  EXPECT_LE(largest_difference(gpu_end.velocity, reference.velocity), kFloatTolerance)
      << "CPU -> CUDA on " << comm->size() << " processes";
  EXPECT_LE(largest_difference(gpu_end.pressure, reference.pressure), kFloatTolerance);
  EXPECT_LE(largest_difference(cpu_end.velocity, reference.velocity), kFloatTolerance)
      << "CUDA on " << comm->size() << " processes -> CPU";
  EXPECT_LE(largest_difference(cpu_end.pressure, reference.pressure), kFloatTolerance);
}
