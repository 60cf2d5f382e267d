#pragma once
// The case the split Simulation tests share (test_mpi_simulation, test_mpi_cuda) and how they
// compare fields.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../core/windkessel_pipe.hpp"
#include "hemotwin/core/case.hpp"

namespace hemotwin::test {

// The pulsatile pipe, longer, on `backend`, with its Windkessel outlet (the flow summed over every
// rank sets the pressure) or a fixed pressure (nothing summed over the ranks feeds back).
inline Case split_pipe(bool windkessel, BackendKind backend = BackendKind::Cpu) {
  Case c = windkessel_pipe();
  c.backend = backend;
  c.geometry.cells_across = 10;
  c.geometry.length = 12e-3;
  c.time.time_step = 3e-4;  // Mach 0.078 at the finer dx
  c.streaming = StreamingScheme::TwoLattice;
  if (!windkessel) c.outlet.model = OutletModel::Pressure;
  return c;
}

// The largest difference between two fields, relative to the largest value of `b` (infinite when
// their sizes differ).
inline double largest_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = a.size() == b.size() ? 0.0 : INFINITY, scale = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::abs(double(b[i])));
  }
  return worst / std::max(scale, 1e-300);
}

}  // namespace hemotwin::test
