#pragma once
// A short pulsatile pipe with a Windkessel outlet: the smallest case that carries state between
// steps beyond the populations (the capacitor's pressure), for the restart and checkpoint tests.
#include "hemotwin/core/case.hpp"

namespace hemotwin::test {

inline Case windkessel_pipe() {
  Case c;
  c.backend = BackendKind::Cpu;
  c.threads = 1;
  c.geometry.shape = ShapeKind::Pipe;
  c.geometry.diameter = 4e-3;
  c.geometry.length = 8e-3;
  c.geometry.cells_across = 8;
  c.inlet.mean_velocity = 0.02;
  c.inlet.amplitude = 0.5;
  c.inlet.period = 0.05;
  c.time.time_step = 4e-4;
  c.time.duration = 0.1;
  c.outlet.model = OutletModel::Windkessel;
  c.outlet.resistance = 3.5e5;
  c.outlet.distal_resistance = 3.15e6;
  c.outlet.compliance = 1e-9;
  return c;
}

}  // namespace hemotwin::test
