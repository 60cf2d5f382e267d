// Sponge layers before outlets (IoletPlane::sponge_length): they keep mass and leave the flow
// upstream of them alone, and they damp the pressure waves an impulsive start sends to the outlet,
// which a fixed-pressure outlet reflects back into the domain.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <vector>

#include "hemotwin/core/engine.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/core/shapes.hpp"

using namespace hemotwin;

namespace {

constexpr double R = 8, L = 120, tau = 0.55, U = 0.02;

DomainSpec pipe_spec(double sponge_diameters, double ratio = 10) {
  const Vec3 origin(0.3, 0, 0), axis(1, 0, 0);
  auto shape = std::make_shared<PipeShape>(origin, axis, R, L);
  shape->unbounded_length(true);
  DomainSpec spec = DomainSpec::around(std::make_shared<PipeShape>(origin, axis, R, L), 1.0, 3);
  spec.shape = shape;
  IoletPlane in{"inlet0", IoletKind::VelocityInlet, origin, -axis, true, R};
  IoletPlane out{"outlet0", IoletKind::PressureOutlet, origin + L * axis, axis, false, R};
  out.sponge_length = sponge_diameters * 2 * R;
  out.sponge_viscosity_ratio = ratio;
  spec.iolets = {in, out};
  return spec;
}

Engine<float, D3Q19> engine(const DomainSpec& spec,
                            StreamingScheme scheme = StreamingScheme::TwoLattice) {
  EngineOptions o{BackendKind::Cpu, CollisionModel::Trt, tau, 3.0 / 16, WallMethod::Bouzidi};
  o.streaming = scheme;
  return Engine<float, D3Q19>(spec, o);
}

// Axial mass flux rho u of the fluid cells in the plane x = `x` (the layer's extra pressure drop
// raises the density upstream by ~1 %, and u = j / rho with it: the incompressible flow is j).
std::vector<double> plane_velocity(const Engine<float, D3Q19>& e, int x) {
  std::vector<double> rho, u, out;
  e.moments(rho, u);
  const auto& lat = e.lattice();
  for (int k = 0; k < lat.cells()[2]; ++k)
    for (int j = 0; j < lat.cells()[1]; ++j) {
      const std::int64_t c = lat.cell_at({x, j, k});
      if (lat.is_fluid(c)) out.push_back(rho[std::size_t(c)] * u[3 * std::size_t(c)]);
    }
  return out;
}

}  // namespace

TEST(Sponge, KeepsMassAndLeavesTheFlowUpstreamAlone) {
  auto plain = engine(pipe_spec(0));
  auto sponged = engine(pipe_spec(2));
  // The AA pattern keeps a cell's post-collision populations elsewhere after its odd step (at the
  // neighbours): the layer finds them there.
  auto aa = engine(pipe_spec(2), StreamingScheme::AaPattern);
  for (auto* e : {&plain, &sponged, &aa}) {
    e->set_iolet_values({U, 1.0});
    e->run(6000);
  }
  const auto a = plain.diagnostics(), b = sponged.diagnostics();
  ASSERT_EQ(b.bad_cell, -1);
  std::printf("outflow / inflow: plain %.6f, sponge %.6f\n", a.iolet_flow[1] / a.iolet_flow[0],
              b.iolet_flow[1] / b.iolet_flow[0]);
  EXPECT_NEAR(b.iolet_flow[1] / b.iolet_flow[0], 1.0, 0.002);
  // Upstream of the layer (it starts 32 cells before the outlet) the flow is the same.
  const int x = int(std::lround(L / 2 - plain.lattice().origin().x()));
  const auto ua = plane_velocity(plain, x), ub = plane_velocity(sponged, x);
  ASSERT_EQ(ua.size(), ub.size());
  double num = 0, den = 0;
  for (std::size_t i = 0; i < ua.size(); ++i) {
    num += (ua[i] - ub[i]) * (ua[i] - ub[i]);
    den += ua[i] * ua[i];
  }
  std::printf("mid-pipe mass flux, sponge against none: relative L2 %.3e\n", std::sqrt(num / den));
  EXPECT_LT(std::sqrt(num / den), 1e-3);
  const auto c = aa.diagnostics();
  const auto uc = plane_velocity(aa, x);
  double diff = 0;
  for (std::size_t i = 0; i < ub.size(); ++i) diff += (uc[i] - ub[i]) * (uc[i] - ub[i]);
  std::printf("AA pattern: outflow / inflow %.6f, mid-pipe flux against two lattices %.3e\n",
              c.iolet_flow[1] / c.iolet_flow[0], std::sqrt(diff / den));
  EXPECT_NEAR(c.iolet_flow[1] / c.iolet_flow[0], 1.0, 0.002);
  EXPECT_LT(std::sqrt(diff / den), 1e-3);
}

TEST(Sponge, DampsThePressureWavesAnOutletReflects) {
  // An impulsive start: the inflow jumps from 0 to U and sends a pressure front down the pipe.
  // Without a sponge the fixed-pressure outlet reflects it, and the wave rings between the
  // ends; the inlet's pressure after the first return shows it.
  const auto ringing = [](double sponge_diameters, double ratio = 10) {
    auto e = engine(pipe_spec(sponge_diameters, ratio));
    e.set_iolet_values({U, 1.0});
    std::vector<double> rho;
    for (int s = 0; s < 3000; ++s) {
      e.step();
      if (s % 5 == 0) rho.push_back(e.diagnostics().iolet_density[0]);
    }
    // The deviation from the series' own smooth trend (a 60-step moving mean) after the first
    // reflection is back (~2 L / c_s = 420 steps).
    double sum2 = 0;
    int n = 0;
    for (std::size_t i = 100; i + 6 < rho.size(); ++i) {
      const double mean =
          std::accumulate(rho.begin() + long(i) - 6, rho.begin() + long(i) + 7, 0.0) / 13;
      sum2 += (rho[i] - mean) * (rho[i] - mean);
      ++n;
    }
    return std::sqrt(sum2 / n);
  };
  // Measured (rms, lattice density): none 1.70e-4; 1 diameter at ratio 10: 1.03e-4; 2 at 10:
  // 7.5e-5; 4 at 10: 4.7e-5; 2 at 30: 2.4e-5; 4 at 30: 1.2e-5.
  const double plain = ringing(0), sponged = ringing(2, 30);
  std::printf(
      "inlet pressure ringing (rms, lattice density): none %.3e, 2 diameters at 30 x %.3e\n", plain,
      sponged);
  EXPECT_LT(sponged, 0.25 * plain);
}

TEST(Sponge, RefusesARatioBelowOneAndTauNearOne) {
  EXPECT_THROW(engine(pipe_spec(2, 0.5)), Error);
  EXPECT_THROW((Engine<double, D3Q19>(pipe_spec(2), {BackendKind::Cpu, CollisionModel::Trt, 1.0,
                                                     3.0 / 16, WallMethod::Bouzidi})),
               Error);
}
