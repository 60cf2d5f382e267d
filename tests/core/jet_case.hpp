#pragma once
// The stenotic jet at throat Reynolds number 1000 (test_stenotic_jet on the CPU, test_backends on
// CUDA): a pipe of diameter 20 cells along (1, 0.4, 0.2), 200 cells long, a 50 % diameter cosine
// stenosis 40 cells long centred 50 cells from the inlet, parabolic inflow, pressure outlet.
#include <algorithm>
#include <memory>

#include "hemotwin/core/engine.hpp"

namespace hemotwin::test {

inline double jet_radius() { return 10; }
inline double jet_length() { return 200; }
inline double jet_inlet_mean() { return 0.015; }
inline double jet_throat_mean() { return 4 * jet_inlet_mean(); }  // 50 % in diameter
inline double jet_throat_reynolds() { return 1000; }
inline double jet_tau() {
  const double nu = jet_throat_mean() * jet_radius() / jet_throat_reynolds();  // throat d = R
  return 0.5 + 3 * nu;
}
inline std::int64_t jet_flow_through_steps() {
  return std::int64_t(jet_length() / jet_inlet_mean());
}
inline std::int64_t jet_steps() { return 2 * jet_flow_through_steps(); }
/// Time-averaged outflow over inflow, over the last flow-through, must be within this of 1.
inline double jet_balance_tolerance() { return 0.005; }

template <class T>
std::unique_ptr<Engine<T, D3Q19>> make_jet(BackendKind backend, CollisionModel model, bool les,
                                           StreamingScheme scheme = StreamingScheme::TwoLattice) {
  const Vec3 axis = Vec3(1, 0.4, 0.2).normalized(), start(4, 4, 4);
  const double R = jet_radius(), len = jet_length();
  auto pipe = std::make_shared<PipeShape>(start, axis, R, len);
  pipe->with_stenosis(0.5, 50, 40).unbounded_length(true);
  DomainSpec spec = DomainSpec::around(std::make_shared<PipeShape>(start, axis, R, len), 1.0, 3);
  spec.shape = pipe;
  spec.iolets = {{"inlet", IoletKind::VelocityInlet, start, -axis, true, R},
                 {"outlet", IoletKind::PressureOutlet, start + len * axis, axis, false, R}};
  EngineOptions options{backend, model, jet_tau(), 3.0 / 16, WallMethod::Bouzidi};
  options.streaming = scheme;
  if (les) {
    options.viscosity.les = 3 * 0.1 * 0.1;  // Smagorinsky C_s = 0.1
    options.viscosity.tau_min = 0.5 + 1e-6;
  }
  auto e = std::make_unique<Engine<T, D3Q19>>(spec, options);
  e->set_iolet_values({jet_inlet_mean(), 1.0});
  return e;
}

/// What a jet run showed: whether it stayed finite, its peak speed, and the inflow and outflow
/// averaged over the last flow-through (diagnostics every 200 steps).
struct JetRun {
  bool finite = true;
  std::int64_t steps = 0;
  double max_speed = 0, inflow = 0, outflow = 0, mass_change = 0;
};

/// Runs a jet for jet_steps(), stopping at the first non-finite or runaway (speed >= 0.5) sample.
template <class E>
JetRun run_jet(E& e) {
  JetRun r;
  const double m0 = e.diagnostics().mass;
  const std::int64_t steps = jet_steps(), average_from = steps - jet_flow_through_steps();
  std::int64_t n = 0;
  while (e.steps() < steps) {
    e.run(200);
    const LatticeDiagnostics d = e.diagnostics();
    if (d.bad_cell >= 0 || !(d.max_speed < 0.5)) {
      r.finite = false;
      break;
    }
    r.max_speed = std::max(r.max_speed, d.max_speed);
    if (e.steps() > average_from) {
      r.inflow += d.iolet_flow[0];
      r.outflow += d.iolet_flow[1];
      ++n;
    }
    r.mass_change = d.mass / m0 - 1;
  }
  r.steps = e.steps();
  if (n > 0) {
    r.inflow /= double(n);
    r.outflow /= double(n);
  }
  return r;
}

}  // namespace hemotwin::test
