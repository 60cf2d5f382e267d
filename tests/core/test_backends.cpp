// Every backend present gives the same result on the same case: CPU against CUDA in float, to 1e-5
// relative, on a stenosed oblique pipe with inlet, outlet and Bouzidi walls, for both streaming
// schemes (the populations are compared as stored, so both backends run the same scheme). Label
// `gpu`.
#include <gtest/gtest.h>

#include <cmath>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/simulation.hpp"

using namespace hemotwin;

template <class L>
std::vector<float> run_case(BackendKind backend, StreamingScheme scheme) {
  const Vec3 axis = Vec3(1, 0.4, 0.2).normalized();
  auto pipe = std::make_shared<PipeShape>(Vec3(5, 5, 5), axis, 6, 60);
  pipe->with_stenosis(0.5, 30, 16).unbounded_length(true);
  DomainSpec spec =
      DomainSpec::around(std::make_shared<PipeShape>(Vec3(5, 5, 5), axis, 6, 60), 1.0, 3);
  spec.shape = pipe;
  spec.iolets = {{"inlet0", IoletKind::VelocityInlet, Vec3(5, 5, 5), -axis, true, 6},
                 {"outlet0", IoletKind::PressureOutlet, Vec3(5, 5, 5) + 60 * axis, axis, false, 6}};
  EngineOptions options{backend, CollisionModel::Trt, 0.6, 3.0 / 16, WallMethod::Bouzidi};
  options.streaming = scheme;
  Engine<float, L> e(spec, options);
  e.set_iolet_values({0.03, 1.0});
  e.run(500);
  return e.populations();
}

template <class L>
void compare(StreamingScheme scheme) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  const auto cpu = run_case<L>(BackendKind::Cpu, scheme);
  const auto gpu = run_case<L>(BackendKind::Cuda, scheme);
  ASSERT_EQ(cpu.size(), gpu.size());
  double worst = 0;
  for (std::size_t i = 0; i < cpu.size(); ++i)
    worst = std::max(worst,
                     std::abs(double(cpu[i]) - gpu[i]) / std::max(1e-3, std::abs(double(cpu[i]))));
  std::printf("%s, %s: worst relative population difference CPU vs CUDA %.3e\n", L::name,
              to_string(scheme), worst);
  EXPECT_LT(worst, 1e-5);
}

TEST(Backends, CpuAndCudaAgreeD3Q19) { compare<D3Q19>(StreamingScheme::TwoLattice); }
TEST(Backends, CpuAndCudaAgreeD3Q27) { compare<D3Q27>(StreamingScheme::TwoLattice); }
TEST(Backends, CpuAndCudaAgreeD3Q19AaPattern) { compare<D3Q19>(StreamingScheme::AaPattern); }
TEST(Backends, CpuAndCudaAgreeD3Q27AaPattern) { compare<D3Q27>(StreamingScheme::AaPattern); }
